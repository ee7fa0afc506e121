-- The SageMaker execution role of the LLM Engineers Handbook, converged:
-- created if missing, its trust policy, description and the 4 managed
-- policies repaired if they drifted. Writes sagemaker_execution_role.json.

local provision = require("provision")
local policy = require("policy")
local flow = require("provision.flow")

local function role_file(arn)
  return string.format('{\n  "RoleArn": %s\n}\n', require("provision.context").json().encode(arn))
end

-- A role file that already names this ARN is kept as it is, whatever its
-- formatting (the handbook's json.dump writes it on one line).
local function names(arn)
  return function(text)
    local ok, doc = pcall(require("provision.context").json().decode, text)
    return ok and type(doc) == "table" and doc.RoleArn == arn
  end
end

local function converge(args)
  local set = policy.load_set("sagemaker-execution")
  local role = provision.role({
    name = args.role_name,
    path = set.path,
    description = set.description,
    trust = set.trust,
    managed = set.managed,
    exclusive = flow.flag(args.exclusive),
  })
  flow.warn_extra("role", args.role_name, role, args)
  provision.file({
    path = flow.path(args.out_dir, "sagemaker_execution_role.json"),
    content = role_file(role.arn),
    same = names(role.arn),
  })
  flow.update_env(args, { { "AWS_ARN_ROLE", role.arn } })
  flow.say("Role ARN: " .. role.arn)
  return role
end

return flow.define({
  description = "SageMaker execution role (handbook): create or repair it, write sagemaker_execution_role.json",
  args = { "role_name", "out_dir", "env_file", "exclusive" },
  converge = converge,
})
