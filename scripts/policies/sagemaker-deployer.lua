-- The deployer user of the LLM Engineers Handbook
-- (llm_engineering/infrastructure/aws/roles/create_sagemaker_role.py).
-- Note: IAMFullAccess lets this user grant itself anything; see
-- sagemaker-deployer-least-privilege.lua for the narrower alternative.
-- Data only: this file is loaded with an empty environment.
return {
  path = "/",
  managed = {
    "AmazonSageMakerFullAccess",
    "AWSCloudFormationFullAccess",
    "IAMFullAccess",
    "AmazonEC2ContainerRegistryFullAccess",
    "AmazonS3FullAccess",
  },
}
