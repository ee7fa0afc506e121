-- The SageMaker deployer user of the LLM Engineers Handbook, converged: the
-- user, its policies (the handbook's 5 managed ones, or a least-privilege
-- policy), and one access key whose secret goes to
-- sagemaker_user_credentials.json (mode 0600, never printed).
-- (The steps are in scripts/lib/sagemaker/deployer.lua.)

local deployer = require("sagemaker.deployer")

return require("sagemaker.flow").define({
  description = "SageMaker deployer user (handbook): user, policies and one access key in sagemaker_user_credentials.json",
  args = { "user_name", "role_name", "out_dir", "env_file", "deployer_policy", "bucket", "exclusive", "rotate" },
  check = deployer.check,
  converge = deployer.converge,
})
