-- The SageMaker execution role of the LLM Engineers Handbook
-- (llm_engineering/infrastructure/aws/roles/create_execution_role.py).
-- Data only: this file is loaded with an empty environment.
return {
  path = "/",
  description = "Execution role for SageMaker",
  trust = {
    Version = "2012-10-17",
    Statement = {
      {
        Effect = "Allow",
        Principal = { Service = "sagemaker.amazonaws.com" },
        Action = "sts:AssumeRole",
      },
    },
  },
  -- AWS managed policies, by name; the ARN gets the account's partition.
  managed = {
    "AmazonSageMakerFullAccess",
    "AmazonS3FullAccess",
    "CloudWatchLogsFullAccess",
    "AmazonEC2ContainerRegistryFullAccess",
  },
}
