-- A customer-managed policy for the deployer user that allows what the
-- handbook's deploy code does, and no IAM administration:
-- SageMaker models, endpoint configs, endpoints, inference components,
-- training and processing jobs; pulling images from ECR; the S3 bucket given
-- as bucket=; reading the CloudWatch logs of SageMaker jobs; passing the
-- execution role to SageMaker only. Left out on purpose: log writes (SageMaker
-- writes job logs with the execution role), iam:GetRole (the deploy code
-- passes the role's ARN, so the SDK never looks it up) and
-- sts:GetCallerIdentity (always allowed; no policy can grant or deny it).
-- Placeholders filled by policy.load_set: ${partition}, ${account},
-- ${bucket}, ${execution_role_arn}.
-- Data only: this file is loaded with an empty environment.
return {
  policy_name = "SageMakerDeployerLeastPrivilege",
  description = "Least-privilege SageMaker deployer policy (managed by iamsh)",
  path = "/",
  document = {
    Version = "2012-10-17",
    Statement = {
      {
        Sid = "SageMakerDeploy",
        Effect = "Allow",
        Action = {
          "sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel", "sagemaker:ListModels",
          "sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig",
          "sagemaker:DeleteEndpointConfig", "sagemaker:ListEndpointConfigs",
          "sagemaker:CreateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpoint",
          "sagemaker:DeleteEndpoint", "sagemaker:ListEndpoints", "sagemaker:InvokeEndpoint",
          "sagemaker:CreateInferenceComponent", "sagemaker:DescribeInferenceComponent",
          "sagemaker:UpdateInferenceComponent", "sagemaker:DeleteInferenceComponent",
          "sagemaker:ListInferenceComponents",
          "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
          "sagemaker:ListTrainingJobs",
          "sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob",
          "sagemaker:ListProcessingJobs",
          "sagemaker:AddTags", "sagemaker:ListTags",
        },
        Resource = "*",
      },
      {
        Sid = "PassExecutionRoleToSageMakerOnly",
        Effect = "Allow",
        Action = "iam:PassRole",
        Resource = "${execution_role_arn}",
        Condition = { StringEquals = { ["iam:PassedToService"] = "sagemaker.amazonaws.com" } },
      },
      {
        Sid = "EcrPull",
        Effect = "Allow",
        Action = {
          "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
          "ecr:BatchCheckLayerAvailability",
        },
        Resource = "*",
      },
      {
        Sid = "BucketList",
        Effect = "Allow",
        Action = { "s3:ListBucket", "s3:GetBucketLocation" },
        Resource = "arn:${partition}:s3:::${bucket}",
      },
      {
        Sid = "BucketObjects",
        Effect = "Allow",
        Action = { "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload" },
        Resource = "arn:${partition}:s3:::${bucket}/*",
      },
      {
        Sid = "ReadSageMakerLogs",
        Effect = "Allow",
        Action = { "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents" },
        Resource = "arn:${partition}:logs:*:${account}:log-group:/aws/sagemaker/*",
      },
    },
  },
}
