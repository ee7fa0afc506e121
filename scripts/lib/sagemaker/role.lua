-- The SageMaker execution role of the LLM Engineers Handbook, converged:
-- created if missing, its trust policy, description and the 4 managed
-- policies repaired if they drifted. Writes sagemaker_execution_role.json.

local provision = require("provision")
local policy = require("policy")
local flow = require("sagemaker.flow")

local M = {}

local function json()
  return require("aws").json
end

local function role_file(arn)
  return string.format('{\n  "RoleArn": %s\n}\n', json().encode(arn))
end

-- A role file that already names this ARN is kept as it is, whatever its
-- formatting (the handbook's json.dump writes it on one line).
local function names(arn)
  return function(text)
    local ok, doc = pcall(json().decode, text)
    return ok and type(doc) == "table" and doc.RoleArn == arn
  end
end

-- Is text a role file (as this flow or the handbook writes it)?
function M.is_role_file(text)
  local ok, doc = pcall(json().decode, text)
  return ok and type(doc) == "table" and type(doc.RoleArn) == "string"
end

function M.file(args)
  return flow.path(args.out_dir, "sagemaker_execution_role.json")
end

-- Returns the provision.role result.
function M.converge(args)
  local set = policy.load_set("sagemaker-execution")
  local role = provision.role({
    name = args.role_name,
    path = set.path,
    description = set.description,
    trust = set.trust,
    managed = set.managed,
    exclusive = flow.flag(args, "exclusive"),
  })
  provision.file({ path = M.file(args), content = role_file(role.arn), same = names(role.arn) })
  flow.update_env(args, { { "AWS_ARN_ROLE", role.arn } })
  flow.say("Role ARN: " .. role.arn)
  return role
end

return M
