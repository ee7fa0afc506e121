-- policy.remote: policy.can{..., remote = true}: the same question asked of
-- AWS's own policy simulator (IAM SimulatePrincipalPolicy), so that a user can
-- compare it with the offline answer. An endpoint without the simulator (moto)
-- answers with an error, which is raised as it is.

local shown = require("policy.account_view")

local remote = {}

local DECISIONS = { allowed = "allow", explicitDeny = "explicit_deny", implicitDeny = "implicit_deny" }

-- The simulator's type for a context value (ContextKeyType).
local function key_type(v)
  if type(v) == "boolean" then
    return "boolean"
  elseif math.type(v) then
    return "numeric"
  elseif tostring(v):match("^%d+%.%d+%.%d+%.%d+/?%d*$") or tostring(v):match("^[%x:]+:[%x:]*/?%d*$") then
    return "ip"
  elseif tostring(v):match("^%d%d%d%d%-%d%d%-%d%dT") then
    return "date"
  end
  return "string"
end

local function context_entries(ctx)
  local keys, out = {}, {}
  for k in pairs(ctx or {}) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = ctx[k]
    local values = type(v) == "table" and v or { v }
    local t = key_type(values[1])
    local strings = {}
    for i, x in ipairs(values) do
      strings[i] = tostring(x)
    end
    local list = type(v) == "table" and t .. "List"
    out[#out + 1] = { ContextKeyName = k, ContextKeyValues = strings, ContextKeyType = list or t }
  end
  return out
end

-- "user/NAME" and "role/NAME" as ARNs of the caller's account.
local function principal_arn(p, view)
  if type(p) ~= "string" or p == "" then
    error('policy.can: principal must be "user/NAME", "role/NAME" or an ARN, not ' .. tostring(p), 0)
  end
  if p:match("^arn:") then
    return p
  end
  local kind, name = p:match("^(%a+)/(.+)$")
  if kind ~= "user" and kind ~= "role" then
    error('policy.can: principal must be "user/NAME", "role/NAME" or an ARN, not ' .. p, 0)
  end
  local account, partition = view and view.account, view and view.partition
  if not account then
    local me = require("sts").get_caller_identity()
    account, partition = me.Account, me.Arn:match("^arn:([^:]+):")
  end
  return string.format("arn:%s:iam::%s:%s/%s", partition or "aws", account, kind, name)
end

local function matched_of(result)
  local out = {}
  for _, m in ipairs(result.MatchedStatements or {}) do
    local s = m.StartPosition
    out[#out + 1] = { policy = m.SourcePolicyId, role = m.SourcePolicyType,
      where = s and string.format("line %s, column %s", s.Line, s.Column) or nil }
  end
  return out
end

function remote.can(principal, action, resource, context, view)
  local arn = principal_arn(principal, view)
  local r = require("iam").simulate_principal_policy({ PolicySourceArn = arn, ActionNames = { action },
    ResourceArns = { resource }, ContextEntries = context_entries(context) })
  local e = r.EvaluationResults[1]
  return shown.decision({ decision = DECISIONS[e.EvalDecision] or e.EvalDecision, principal = arn, action = action,
    resource = resource, matched = matched_of(e), remote = true,
    reason = "as AWS's policy simulator (SimulatePrincipalPolicy) answers" })
end

return remote
