-- Remove what `iamsh run sagemaker` made: the deployer user (its key first),
-- the local credentials file once the key is gone, the least-privilege policy
-- (only if iamsh made it), the execution role, and the role ARN file.
-- (The steps are in scripts/lib/sagemaker/teardown.lua.)

return require("sagemaker.flow").define({
  description = "SageMaker teardown: delete the deployer user, its key and file, the policy iamsh made, the role",
  args = { "role_name", "user_name", "out_dir" },
  converge = require("sagemaker.teardown").converge,
})
