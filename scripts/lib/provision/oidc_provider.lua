-- provision.oidc_provider{url=, audiences=, thumbprints=}: an IAM OpenID
-- Connect identity provider, the trust anchor of web identities such as
-- GitHub Actions' tokens (policy.trust_oidc makes the roles' trust policy);
-- provision.teardown_oidc_provider{url=} removes it. The provider is known by
-- its URL: its ARN is arn:...:oidc-provider/<host and path>.

local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local schema = require("provision.schema")
local tagset = require("provision.tags")
local policy = require("policy")

local oidc = {}

oidc.SPEC = schema.define("provision.oidc_provider", {
  { "url", "url", required = true,
    doc = "the issuer, https://... (e.g. \"https://token.actions.githubusercontent.com\")" },
  { "audiences", "strings", doc = "client IDs (audiences) tokens may be issued for, e.g. {\"sts.amazonaws.com\"}" },
  { "thumbprints", "thumbprints",
    doc = "SHA-1 fingerprints of the issuer's certificates; not given: IAM's own trust store, or left as they are" },
  { "tags", "tags", doc = "tags, {Key = \"value\"}" },
  { "exclusive", "flag", default = false, doc = "also remove audiences and tags the definition does not list" },
})

oidc.TEARDOWN = schema.define("provision.teardown_oidc_provider", {
  { "url", "url", doc = "the issuer URL" },
  { "arn", "string", doc = "the provider's ARN, instead of url" },
})

function oidc.arn(url)
  local host = url:gsub("^https://", "")
  return string.format("arn:%s:iam::%s:oidc-provider/%s", state.partition(), state.account(), host)
end

local function read(arn)
  return calls.get("get_open_id_connect_provider", { OpenIDConnectProviderArn = arn },
    { fresh = state.is_fresh("oidc_provider", arn) })
end

local function as_set(list)
  local set = {}
  for _, v in ipairs(list or {}) do
    set[v] = true
  end
  return set
end

local function audience_change(kind, arn, host, aud)
  local op = kind == "add" and "add_client_id_to_open_id_connect_provider"
    or "remove_client_id_from_open_id_connect_provider"
  local text = kind == "add" and "add audience %s to OIDC provider %s" or "remove audience %s from OIDC provider %s"
  return { kind = kind, text = string.format(text, aud, host), key = { "oidc", arn, "audience", aud },
    missing_ok = kind == "destroy", run = function()
      calls.call(op, { OpenIDConnectProviderArn = arn, ClientID = aud },
        { fresh = state.is_fresh("oidc_provider", arn) })
    end }
end

local function audience_changes(def, arn, host, current, changes)
  local have, want = as_set(current.ClientIDList), as_set(def.audiences)
  for _, aud in ipairs(def.audiences or {}) do
    if not have[aud] then
      changes[#changes + 1] = audience_change("add", arn, host, aud)
      have[aud] = true
    end
  end
  local extra = {}
  for _, aud in ipairs(current.ClientIDList or {}) do
    if not want[aud] then
      extra[#extra + 1] = aud
      if def.exclusive then
        changes[#changes + 1] = audience_change("destroy", arn, host, aud)
      end
    end
  end
  return extra
end

-- Thumbprints are one setting: the whole list is replaced when it differs.
local function thumbprint_changes(def, arn, host, current, changes)
  if def.thumbprints == nil then
    return
  end
  local old, new = {}, {}
  for i, t in ipairs(current.ThumbprintList or {}) do
    old[i] = t:lower()
  end
  table.move(def.thumbprints, 1, #def.thumbprints, 1, new)
  table.sort(old)
  table.sort(new)
  if table.concat(old, ",") == table.concat(new, ",") then
    return
  end
  changes[#changes + 1] = { kind = "change", text = "update thumbprints of OIDC provider " .. host,
    detail = { string.format("    ~ thumbprints: %s -> %s", policy.json(old), policy.json(new)) },
    key = { "oidc", arn, "thumbprints" }, run = function()
      calls.call("update_open_id_connect_provider_thumbprint",
        { OpenIDConnectProviderArn = arn, ThumbprintList = def.thumbprints })
    end }
end

local function compare(def, arn, host, current)
  local changes = {}
  local extra = audience_changes(def, arn, host, current, changes)
  thumbprint_changes(def, arn, host, current, changes)
  local list, extra_tags = tagset.changes({
    what = "OIDC provider " .. host, key = { "oidc", arn }, current = tagset.map(current.Tags), want = def.tags,
    exclusive = def.exclusive,
    tag = function(t) calls.call("tag_open_id_connect_provider", { OpenIDConnectProviderArn = arn, Tags = t }) end,
    untag = function(k)
      calls.call("untag_open_id_connect_provider", { OpenIDConnectProviderArn = arn, TagKeys = k })
    end,
  })
  table.move(list, 1, #list, #changes + 1, changes)
  if not def.exclusive and #extra + #extra_tags > 0 then
    local parts = {}
    parts[#parts + 1] = #extra > 0 and ("audiences " .. table.concat(extra, ", ")) or nil
    parts[#parts + 1] = #extra_tags > 0 and ("tags " .. table.concat(extra_tags, ", ")) or nil
    step.warn(string.format("OIDC provider %s has what its definition does not list: %s; kept (exclusive=true "
      .. "removes them)", host, table.concat(parts, "; ")))
  end
  return changes
end

local function create_change(def, arn, host)
  return { kind = "add", text = "create OIDC provider " .. host, key = { "oidc", arn, "create" }, run = function()
    calls.call("create_open_id_connect_provider", {
      Url = def.url, ClientIDList = def.audiences, ThumbprintList = def.thumbprints,
      Tags = def.tags and next(def.tags) and tagset.list(def.tags) or nil,
    })
    state.made("oidc_provider", arn, true)
  end }
end

-- Returns {arn=, created=, changes=}.
function oidc.converge(def)
  local d = schema.check(oidc.SPEC, def)
  local arn, host = oidc.arn(d.url), d.url:gsub("^https://", "")
  local report = step.report()
  local created = step.converge("oidc_provider", arn, read(arn), create_change(d, arn, host),
    function(current) return compare(d, arn, host, current) end, report)
  return { arn = arn, created = created, changes = report }
end

-- Returns {changes=, existed=}. url or arn.
function oidc.teardown(def)
  local d, where = schema.check(oidc.TEARDOWN, def)
  if d.url == nil and d.arn == nil then
    require("provision.errors").definition(where, "url or arn is required")
  end
  local arn = d.arn or oidc.arn(d.url)
  local report = step.report()
  if read(arn) == nil then
    step.ok("OIDC provider " .. arn .. " is already gone")
    return { changes = report, existed = false }
  end
  step.write({ kind = "destroy", text = "delete OIDC provider " .. arn, key = { "oidc", arn, "delete" },
    missing_ok = true, run = function()
      calls.call("delete_open_id_connect_provider", { OpenIDConnectProviderArn = arn })
    end }, report)
  state.gone("oidc_provider", arn)
  return { changes = report, existed = true }
end

return oidc
