-- The whole SageMaker set-up of the LLM Engineers Handbook: the execution
-- role first, then the deployer user and its access key.
--   iamsh run sagemaker                      (apply)
--   iamsh --plan run sagemaker               (show what would change)
--   iamsh run sagemaker env_file=.env        (also fill the project's .env)

local role = require("sagemaker.role")
local deployer = require("sagemaker.deployer")

return require("sagemaker.flow").define({
  description = "SageMaker set-up (handbook): execution role, then deployer user and access key",
  args = { "role_name", "user_name", "out_dir", "env_file", "deployer_policy", "bucket", "exclusive", "rotate" },
  -- the deployer's arguments are checked before the role is touched
  check = deployer.check,
  converge = function(args)
    local r = role.converge(args)
    local d = deployer.converge(args)
    return { role_arn = r.arn, user_arn = d.user.arn, key_id = d.key_id }
  end,
})
