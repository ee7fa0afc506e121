-- The SageMaker execution role of the LLM Engineers Handbook, converged:
-- created if missing, its trust policy, description and the 4 managed
-- policies repaired if they drifted. Writes sagemaker_execution_role.json.

local provision = require("provision")
local policy = require("policy")
local flow = require("provision.flow")

local function role_file(arn)
  return string.format('{\n  "RoleArn": %s\n}\n', require("provision.context").json().encode(arn))
end

local function run(args)
  local set = policy.load_set("sagemaker-execution")
  local role = provision.role({
    name = args.role_name,
    path = set.path,
    description = set.description,
    trust = set.trust,
    managed = set.managed,
    exclusive = flow.flag(args.exclusive),
  })
  provision.file({ path = flow.path(args.out_dir, "sagemaker_execution_role.json"), content = role_file(role.arn) })
  local env = flow.given(args.env_file)
  if env then
    provision.env_file({
      path = env,
      values = { AWS_ARN_ROLE = role.arn, AWS_REGION = flow.region(env) },
      order = { "AWS_ARN_ROLE", "AWS_REGION" },
    })
  end
  flow.say("Role ARN: " .. role.arn)
  return role
end

return {
  description = "SageMaker execution role (handbook): create or repair it, write sagemaker_execution_role.json",
  args = {
    role_name = { default = "SageMakerExecutionRoleLLM", doc = "name of the execution role" },
    out_dir = { default = ".", doc = "folder for sagemaker_execution_role.json" },
    env_file = { default = "", doc = "a .env file to set AWS_ARN_ROLE and AWS_REGION in (optional)" },
    exclusive = { default = "false", doc = "true: also detach/delete policies the set does not list" },
  },
  run = function(args)
    local role = run(args)
    flow.done()
    return role
  end,
  converge = run,
}
