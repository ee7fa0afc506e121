-- The whole SageMaker set-up of the LLM Engineers Handbook: the execution
-- role first, then the deployer user and its access key.
--   iamsh run sagemaker                      (apply)
--   iamsh --plan run sagemaker               (show what would change)
--   iamsh run sagemaker env_file=.env        (also fill the project's .env)

local flow = require("provision.flow")

-- The two steps are the shipped flows next to this file.
local function sibling(name)
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
  local dir = here or require("iamsh").scripts_dir
  return dofile(dir .. "/" .. name .. ".lua")
end

return {
  description = "SageMaker set-up (handbook): execution role, then deployer user and access key",
  args = {
    role_name = { default = "SageMakerExecutionRoleLLM", doc = "name of the execution role" },
    user_name = { default = "sagemaker-deployer", doc = "name of the deployer user" },
    out_dir = { default = ".", doc = "folder for sagemaker_execution_role.json and sagemaker_user_credentials.json" },
    env_file = { default = "", doc = "a .env file to set AWS_ARN_ROLE, AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_REGION in" },
    deployer_policy = { default = "handbook", doc = "handbook (5 managed policies) or least-privilege" },
    bucket = { default = "", doc = "S3 bucket for the least-privilege policy" },
    exclusive = { default = "false", doc = "true: also detach/delete policies the sets do not list" },
    rotate = { default = "false", doc = "true: with 2 keys already, delete the oldest to make room" },
  },
  run = function(args)
    local role = sibling("sagemaker-role").converge(args)
    local deployer = sibling("sagemaker-deployer").converge(args)
    flow.done()
    return { role_arn = role.arn, user_arn = deployer.user.arn, key_id = deployer.key_id }
  end,
}
