-- provision.role{...}: converge one IAM role, the way a person would check it
-- by hand: does it exist? is its trust policy right? its description? then
-- its managed policies, inline policies and tags.

local calls = require("provision.calls")
local step = require("provision.step")
local entity = require("provision.entity")
local policy = require("policy")

local role = {}

local function check_def(def)
  if type(def) ~= "table" or type(def.name) ~= "string" or def.name == "" then
    error("provision.role: name (string) is required", 3)
  end
  if def.trust == nil then
    error("provision.role: trust (policy document) is required", 3)
  end
end

local function create_params(def)
  return {
    RoleName = def.name,
    AssumeRolePolicyDocument = def.trust,
    Path = def.path,
    Description = def.description,
    MaxSessionDuration = def.max_session_duration,
  }
end

local function converge_trust(def, current, d)
  if policy.equal(current.AssumeRolePolicyDocument, def.trust) then
    step.ok("trust policy of role " .. def.name)
    return
  end
  step.write("change", "update trust policy of role " .. def.name, d.report, function()
    calls.call("update_assume_role_policy", { RoleName = def.name, PolicyDocument = def.trust },
      { principal = true, fresh = entity.opts("role", def.name).fresh })
  end)
end

-- Description and maximum session duration share one UpdateRole call.
local function converge_settings(def, current, d)
  local params, what = { RoleName = def.name }, {}
  if def.description ~= nil and (current.Description or "") ~= def.description then
    params.Description = def.description
    what[#what + 1] = "description"
  end
  if def.max_session_duration ~= nil and current.MaxSessionDuration ~= def.max_session_duration then
    params.MaxSessionDuration = def.max_session_duration
    what[#what + 1] = "max session duration"
  end
  if #what == 0 then
    return
  end
  step.write("change", string.format("update %s of role %s", table.concat(what, " and "), def.name),
    d.report, function()
      calls.call("update_role", params)
    end)
end

local function check_path(def, current)
  if def.path and current.Path and current.Path ~= def.path then
    step.warn(string.format("role %s has path %s, not %s; IAM cannot move a role, leaving it",
      def.name, current.Path, def.path))
  end
end

-- An existing role: its trust policy, its settings, its path.
local function update(def, current, d)
  converge_trust(def, current, d)
  converge_settings(def, current, d)
  check_path(def, current)
end

function role.predicted_arn(name, path)
  return entity.predicted_arn("role", name, path)
end

-- Returns {arn=, created=, changes={lines}, extra_managed={arns}}.
function role.converge(def)
  check_def(def)
  return entity.converge("role", def, { create_params = create_params, update = update })
end

return role
