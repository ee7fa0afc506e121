-- provision.role{...}: converge one IAM role, the way a person would check it
-- by hand: does it exist? is its trust policy right? its description, its
-- maximum session duration, its permissions boundary? then its managed
-- policies, inline policies and tags.

local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local refs = require("provision.refs")
local errors = require("provision.errors")
local schema = require("provision.schema")
local entity = require("provision.entity")
local policy = require("policy")

local role = {}

role.SPEC = schema.define("provision.role", {
  { "name", "name", required = true, doc = "the role's name" },
  { "trust", "trust", required = true,
    doc = "who may assume the role (policy.trust_service, policy.trust_oidc, or your own document)" },
  { "path", "path", default = "/",
    doc = "the role's path; IAM cannot move a role, so a different path is only warned about" },
  { "description", "string", doc = "the role's description (up to 1000 characters)" },
  { "max_session_duration", "integer", min = 3600, max = 43200,
    doc = "longest session, in seconds (IAM's default: 3600)" },
  { "permissions_boundary", "boundary",
    doc = "a managed policy (name or ARN) capping the role's permissions; false removes it; not given: left as it is" },
  { "managed", "policies",
    doc = "managed policies to attach: AWS's by name (\"ReadOnlyAccess\", " ..
    "\"service-role/AWSLambdaBasicExecutionRole\"), any by ARN" },
  { "inline", "documents", doc = "inline policies, {PolicyName = document}" },
  { "tags", "tags", doc = "tags, {Key = \"value\"}" },
  { "exclusive", "flag", default = false,
    doc = "also remove managed policies, inline policies and tags the definition does not list" },
})

local function create_params(def)
  return {
    RoleName = def.name,
    AssumeRolePolicyDocument = def.trust,
    Path = def.path,
    Description = def.description,
    MaxSessionDuration = def.max_session_duration,
  }
end

local function trust_changes(p)
  local current, want = p.snap.current.AssumeRolePolicyDocument, p.def.trust
  if policy.equal(current, want) then
    step.ok("trust policy of " .. entity.what(p))
    return
  end
  p.trust_changes = true
  entity.add(p, { kind = "change", text = "update trust policy of " .. entity.what(p),
    detail = policy.diff(current, want), key = entity.key(p, "trust"), run = function()
      -- p.principal_fresh is known by the time this runs (check comes first)
      calls.call("update_assume_role_policy", { RoleName = p.name, PolicyDocument = want },
        { principal = p.principal_fresh, fresh = state.is_fresh("role", p.name) })
    end })
end

local function show(v)
  return policy.json(v == nil and "" or v)
end

-- Description and maximum session duration share one UpdateRole call.
local function settings_changes(p)
  local def, cur = p.def, p.snap.current
  local params, detail = {}, {}
  if def.description ~= nil and (cur.Description or "") ~= def.description then
    params.Description = def.description
    detail[#detail + 1] = string.format("    ~ description: %s -> %s", show(cur.Description), show(def.description))
  end
  if def.max_session_duration ~= nil and cur.MaxSessionDuration ~= def.max_session_duration then
    params.MaxSessionDuration = def.max_session_duration
    detail[#detail + 1] = string.format("    ~ max_session_duration: %s -> %d", tostring(cur.MaxSessionDuration),
      def.max_session_duration)
  end
  if #detail > 0 then
    entity.add(p, { kind = "change", text = "update " .. entity.what(p), detail = detail,
      key = entity.key(p, "settings"), run = function() entity.call(p, "update_role", params) end })
  end
end

local function update(p)
  trust_changes(p)
  settings_changes(p)
  local cur = p.snap.current
  if cur.Path and cur.Path ~= p.def.path then
    step.warn(string.format("role %s has path %s, not %s; IAM cannot move a role, leaving it",
      p.name, cur.Path, p.def.path))
  end
end

-- The trust policy's principals of this account must exist; when one was
-- made by this run, "Invalid principal in policy" is waited out.
-- The trust policy's size: 2,048 characters unless the account's quota
-- was raised (read only when the document is larger than that).
local function check(p)
  if not (p.snap.absent or p.trust_changes) then
    return
  end
  p.principal_fresh = refs.principals(p.def.trust, entity.what(p), state.account())
  local size, floor = policy.size(p.def.trust), policy.LIMITS.trust
  local limit = size > floor and refs.quota("AssumeRolePolicySizeMax", floor) or floor
  if size > limit then
    errors.definition(p.where, "trust: the document is %d characters without white space; the account "
      .. "allows %d for a trust policy (quota AssumeRolePolicySizeMax)", size, limit)
  end
end

function role.predicted_arn(name, path)
  return entity.predicted_arn("role", name, path)
end

-- Returns {arn=, created=, changes={lines}, extra_managed={arns}, extra_inline={names}}.
function role.converge(def)
  local d, where = schema.check(role.SPEC, def)
  return entity.converge("role", d, where, {
    create_params = create_params,
    create_opts = function(p) return { principal = p.principal_fresh } end,
    update = update,
    check = check,
  })
end

return role
