-- The SageMaker execution role of the LLM Engineers Handbook, converged:
-- created if missing, its trust policy, description and the 4 managed
-- policies repaired if they drifted. Writes sagemaker_execution_role.json.
-- (The steps are in scripts/lib/sagemaker/role.lua.)

return require("sagemaker.flow").define({
  description = "SageMaker execution role (handbook): create or repair it, write sagemaker_execution_role.json",
  args = { "role_name", "out_dir", "env_file", "exclusive" },
  converge = require("sagemaker.role").converge,
})
