-- What a definition refers to must exist before the first write: managed
-- policies, permissions boundaries, groups, users, roles, principals in trust
-- policies. One read each (remembered for the run), no retry unless this run
-- made the entity itself; something this run made, or plans to make, counts
-- as there. So a typo fails in the plan, at once, with
--   NoSuchEntity: policy arn:aws:iam::aws:policy/AmazonS3FullAcess does not exist (referenced by role X)
-- instead of minutes of propagation retries after a half-made change.
-- Account quotas that a definition could exceed are read here too.

local state = require("provision.state")
local calls = require("provision.calls")
local errors = require("provision.errors")

local refs = {}

local READ = {
  policy = { what = "policy", op = "get_policy", params = function(arn) return { PolicyArn = arn } end },
  group = { what = "group", op = "get_group", params = function(n) return { GroupName = n, MaxItems = 1 } end },
  user = { what = "user", op = "get_user", params = function(n) return { UserName = n } end },
  role = { what = "role", op = "get_role", params = function(n) return { RoleName = n } end },
  oidc_provider = { what = "OIDC provider", op = "get_open_id_connect_provider",
    params = function(arn) return { OpenIDConnectProviderArn = arn } end },
}

-- Raise NoSuchEntity (naming `by`, e.g. "role X") unless kind/id exists or
-- is made by this run.
function refs.need(kind, id, by)
  local r = READ[kind]
  local status = state.status(kind, id)
  if status == "made" or status == "exists" then
    return
  end
  if status ~= "gone" and calls.get(r.op, r.params(id), { fresh = state.is_fresh(kind, id) }) ~= nil then
    state.known(kind, id)
    return
  end
  errors.missing(r.what, id, by)
end

local function list(v)
  if type(v) == "table" then
    return v
  end
  return { v }
end

-- The entity an IAM principal ARN of this account names, as kind, id.
local function principal_entity(arn, account)
  local acct, kind, rest = arn:match("^arn:[^:]+:iam::(%d+):([%a%-]+)/(.+)$")
  if acct ~= account then
    return nil
  end
  if kind == "role" or kind == "user" then
    return kind, rest:match("[^/]+$")
  elseif kind == "oidc-provider" then
    return "oidc_provider", arn
  end
end

-- Principals of this account named in a trust policy (roles, users, OIDC
-- providers) must exist. Returns true when one of them was made by this run
-- (then IAM's "Invalid principal in policy" may only mean it has not
-- propagated yet, and is worth waiting for).
function refs.principals(doc, by, account)
  local fresh = false
  local sts = doc.Statement
  if type(sts) ~= "table" or sts[1] == nil then
    sts = { sts }
  end
  for _, st in ipairs(sts) do
    local p = type(st) == "table" and st.Principal
    for _, ptype in ipairs({ "AWS", "Federated" }) do
      for _, arn in ipairs(type(p) == "table" and list(p[ptype] or {}) or {}) do
        local kind, id = principal_entity(arn, account)
        if kind then
          refs.need(kind, id, by)
          fresh = fresh or state.is_fresh(kind, id)
        end
      end
    end
  end
  return fresh
end

-- An account quota from GetAccountSummary (read once per run, and only when
-- a definition goes beyond the smallest value AWS ever sets, `floor`).
function refs.quota(name, floor)
  local summary = state.once("account_summary", function()
    local ok, res = pcall(calls.call, "get_account_summary", {})
    return ok and res.SummaryMap or {}
  end)
  return summary[name] or floor
end

return refs
