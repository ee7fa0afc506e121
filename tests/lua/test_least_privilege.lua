-- The least-privilege deployer policy (scripts/policies/
-- sagemaker-deployer-least-privilege.lua): valid IAM policy grammar, allows
-- what the handbook's deploy code does, nothing of IAM administration, and a
-- bucket= argument that cannot widen it.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local mock = require("mock_iam")
local provision = require("provision")
local policy = require("policy")

local ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerExecutionRoleLLM"
local VARS = { bucket = "my-bucket", execution_role_arn = ROLE_ARN, partition = "aws", account = "123456789012" }
local doc = policy.load_set("sagemaker-deployer-least-privilege", VARS).document

local function list(v)
  return type(v) == "table" and v or { v }
end

-- IAM's wildcard match: * any run, ? one character; case-insensitive for
-- actions, case-sensitive for resources.
local function glob(pattern, s, fold)
  if fold then
    pattern, s = pattern:lower(), s:lower()
  end
  local lua = "^" .. pattern:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".") .. "$"
  return s:match(lua) ~= nil
end

local function matches_any(patterns, s, fold)
  for _, p in ipairs(list(patterns)) do
    if glob(p, s, fold) then
      return true
    end
  end
  return false
end

-- Does an Allow statement cover action on resource, given the request's
-- condition context? (This policy has no Deny and no Not* elements.)
local function allowed(action, resource, context)
  for _, st in ipairs(doc.Statement) do
    if st.Effect == "Allow" and matches_any(st.Action, action, true) and matches_any(st.Resource, resource) then
      local ok = true
      for key, want in pairs(st.Condition and st.Condition.StringEquals or {}) do
        ok = ok and context ~= nil and matches_any(want, context[key] or "")
      end
      if ok then
        return true
      end
    end
  end
  return false
end

local STATEMENT_KEYS = { Sid = true, Effect = true, Action = true, Resource = true, Condition = true }

t.test("valid IAM policy grammar for an identity-based managed policy", function()
  for k in pairs(doc) do
    t.check(k == "Version" or k == "Statement", "top-level key " .. k)
  end
  t.eq(doc.Version, "2012-10-17")
  local sids = {}
  for i, st in ipairs(doc.Statement) do
    for k in pairs(st) do
      t.check(STATEMENT_KEYS[k], string.format("statement %d: key %s not allowed here", i, k))
    end
    t.check(st.Effect == "Allow" or st.Effect == "Deny", "Effect")
    t.check(st.Sid == nil or st.Sid:match("^[%w]+$"), "Sid is alphanumeric: " .. tostring(st.Sid))
    t.check(st.Sid == nil or not sids[st.Sid], "Sid unique")
    sids[st.Sid or i] = true
    t.check(st.Action ~= nil and st.Resource ~= nil, "Action and Resource present")
    for _, a in ipairs(list(st.Action)) do
      t.check(a:match("^[a-z0-9-]+:[A-Za-z0-9*]+$"), "action syntax: " .. a)
    end
    for _, r in ipairs(list(st.Resource)) do
      t.check(r == "*" or r:match("^arn:aws:[a-z0-9-]+:[a-z0-9-*]*:%d*:.+$"), "resource ARN: " .. r)
    end
    for op, keys in pairs(st.Condition or {}) do
      t.eq(op, "StringEquals", "condition operator")
      for key in pairs(keys) do
        t.check(key:match("^[%w-]+:[%w-]+$"), "condition key " .. key)
      end
    end
  end
  local text = mock.json.encode(doc):gsub("%s", "")
  t.check(#text <= 6144, "within the managed-policy size limit: " .. #text)
end)

t.test("no statement grants iam:*, *:* or any IAM action but PassRole", function()
  for _, st in ipairs(doc.Statement) do
    for _, a in ipairs(list(st.Action)) do
      t.check(a ~= "*" and not a:match("^%*"), "no * action: " .. a)
      t.check(not a:lower():match("^iam:") or a == "iam:PassRole", "IAM action " .. a)
      t.check(not a:find("*", 1, true), "no wildcard actions: " .. a)
    end
  end
  t.check(not allowed("iam:CreateUser", "*"), "no IAM administration")
  t.check(not allowed("iam:AttachUserPolicy", "arn:aws:iam::123456789012:user/sagemaker-deployer"))
  t.check(not allowed("iam:CreateAccessKey", "arn:aws:iam::123456789012:user/sagemaker-deployer"))
end)

-- What the handbook's deploy, training and inference code calls (SageMaker
-- Python SDK): model, endpoint config, endpoint, inference components,
-- training and processing jobs, their logs, the bucket, ECR, PassRole.
local NEEDED = {
  { "sagemaker:CreateModel", "arn:aws:sagemaker:eu-central-1:123456789012:model/m" },
  { "sagemaker:DescribeModel", "arn:aws:sagemaker:eu-central-1:123456789012:model/m" },
  { "sagemaker:DeleteModel", "arn:aws:sagemaker:eu-central-1:123456789012:model/m" },
  { "sagemaker:ListModels", "*" },
  { "sagemaker:CreateEndpointConfig", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint-config/c" },
  { "sagemaker:DescribeEndpointConfig", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint-config/c" },
  { "sagemaker:DeleteEndpointConfig", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint-config/c" },
  { "sagemaker:ListEndpointConfigs", "*" },
  { "sagemaker:CreateEndpoint", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint/e" },
  { "sagemaker:DescribeEndpoint", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint/e" },
  { "sagemaker:UpdateEndpoint", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint/e" },
  { "sagemaker:DeleteEndpoint", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint/e" },
  { "sagemaker:ListEndpoints", "*" },
  { "sagemaker:InvokeEndpoint", "arn:aws:sagemaker:eu-central-1:123456789012:endpoint/e" },
  { "sagemaker:CreateInferenceComponent", "arn:aws:sagemaker:eu-central-1:123456789012:inference-component/i" },
  { "sagemaker:DescribeInferenceComponent", "arn:aws:sagemaker:eu-central-1:123456789012:inference-component/i" },
  { "sagemaker:DeleteInferenceComponent", "arn:aws:sagemaker:eu-central-1:123456789012:inference-component/i" },
  { "sagemaker:ListInferenceComponents", "*" },
  { "sagemaker:CreateTrainingJob", "arn:aws:sagemaker:eu-central-1:123456789012:training-job/j" },
  { "sagemaker:DescribeTrainingJob", "arn:aws:sagemaker:eu-central-1:123456789012:training-job/j" },
  { "sagemaker:StopTrainingJob", "arn:aws:sagemaker:eu-central-1:123456789012:training-job/j" },
  { "sagemaker:ListTrainingJobs", "*" },
  { "sagemaker:CreateProcessingJob", "arn:aws:sagemaker:eu-central-1:123456789012:processing-job/p" },
  { "sagemaker:DescribeProcessingJob", "arn:aws:sagemaker:eu-central-1:123456789012:processing-job/p" },
  { "sagemaker:StopProcessingJob", "arn:aws:sagemaker:eu-central-1:123456789012:processing-job/p" },
  { "sagemaker:ListProcessingJobs", "*" },
  { "ecr:GetAuthorizationToken", "*" },
  { "ecr:BatchGetImage", "arn:aws:ecr:eu-central-1:763104351884:repository/huggingface-pytorch-tgi-inference" },
  { "ecr:GetDownloadUrlForLayer", "arn:aws:ecr:eu-central-1:763104351884:repository/huggingface-pytorch-tgi-inference" },
  { "ecr:BatchCheckLayerAvailability", "arn:aws:ecr:eu-central-1:763104351884:repository/x" },
  { "s3:ListBucket", "arn:aws:s3:::my-bucket" },
  { "s3:GetObject", "arn:aws:s3:::my-bucket/models/model.tar.gz" },
  { "s3:PutObject", "arn:aws:s3:::my-bucket/code/sourcedir.tar.gz" },
  { "s3:DeleteObject", "arn:aws:s3:::my-bucket/x" },
  { "logs:DescribeLogStreams", "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:*" },
  { "logs:GetLogEvents",
    "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:j/algo-1" },
}

t.test("covers what the handbook's deploy code does", function()
  for _, n in ipairs(NEEDED) do
    t.check(allowed(n[1], n[2]), "not allowed: " .. n[1] .. " on " .. n[2])
  end
  t.check(allowed("iam:PassRole", ROLE_ARN, { ["iam:PassedToService"] = "sagemaker.amazonaws.com" }),
    "PassRole of the execution role to SageMaker")
end)

t.test("and no more: other roles, other services, other buckets, log writes", function()
  t.check(not allowed("iam:PassRole", "arn:aws:iam::123456789012:role/Admin",
    { ["iam:PassedToService"] = "sagemaker.amazonaws.com" }), "PassRole of another role")
  t.check(not allowed("iam:PassRole", ROLE_ARN, { ["iam:PassedToService"] = "ec2.amazonaws.com" }),
    "PassRole to another service")
  t.check(not allowed("iam:PassRole", ROLE_ARN), "PassRole without the service")
  t.check(not allowed("s3:GetObject", "arn:aws:s3:::other-bucket/x"), "other bucket")
  t.check(not allowed("s3:DeleteBucket", "arn:aws:s3:::my-bucket"), "deleting the bucket")
  t.check(not allowed("s3:PutBucketPolicy", "arn:aws:s3:::my-bucket"), "bucket policy")
  t.check(not allowed("logs:PutLogEvents", "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/sagemaker/x"),
    "SageMaker writes logs with the execution role, not the deployer")
  t.check(not allowed("logs:GetLogEvents", "arn:aws:logs:eu-central-1:123456789012:log-group:/other:log-stream:s"),
    "other log groups")
  t.check(not allowed("ecr:PutImage", "arn:aws:ecr:eu-central-1:123456789012:repository/x"), "ECR push")
  t.check(not allowed("cloudformation:CreateStack", "*"), "CloudFormation")
end)

-- The deployer flow with bucket=: a name that is not an S3 bucket name (a
-- wildcard, a path) would widen the policy, so it is refused before any call.
local flow = dofile(require("iamsh").scripts_dir .. "/sagemaker-deployer.lua")

local function run_deployer(bucket)
  local m = mock.new()
  provision.reset()
  local cfg = m:clients()
  cfg.progress = function() end
  cfg.warn = function() end
  provision.configure(cfg)
  local dir_ = os.tmpname()
  os.remove(dir_)
  os.execute("mkdir -p " .. dir_)
  local ok, err = pcall(flow.converge, { user_name = "d", role_name = "SageMakerExecutionRoleLLM", out_dir = dir_,
    env_file = "", deployer_policy = "least-privilege", bucket = bucket, exclusive = "false", rotate = "false" })
  os.execute("rm -rf " .. dir_)
  return ok, err, m
end

t.test("bucket= must be an S3 bucket name: no wildcard can widen the policy", function()
  for _, bad in ipairs({ "*", "my-*", "my-bucket/*", "a", "My_Bucket", "my-bucket?", "-x-", ("b"):rep(64) }) do
    local ok, err, m = run_deployer(bad)
    t.check(not ok, "refused: " .. bad)
    t.check(tostring(err):find("not a valid S3 bucket name", 1, true), tostring(err))
    t.eq(#m.writes, 0, "nothing written for " .. bad)
  end
  local ok, err, m = run_deployer("my-bucket.v2")
  t.check(ok, tostring(err))
  local pol = m.policies["arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege"]
  t.check(pol and mock.json.encode(pol.versions.v1.doc):find("arn:aws:s3:::my-bucket.v2/*", 1, true), "bucket used")
  t.check(m:user("d").attached[pol.arn], "attached")
end)

t.finish()
