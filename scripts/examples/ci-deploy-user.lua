-- A CI deploy user: a customer managed policy that lets the CI job upload to
-- one S3 bucket (and nothing else), the user with that policy, and one access
-- key whose secret goes to a file (mode 0600) for the CI system's secret store.
--
--   iamsh run scripts/examples/ci-deploy-user.lua bucket=my-site --plan
--   iamsh run scripts/examples/ci-deploy-user.lua bucket=my-site
--   iamsh run scripts/examples/ci-deploy-user.lua bucket=my-site teardown=true

local provision = require("provision")

local function bucket_policy(bucket)
  local arn = string.format("arn:%s:s3:::%s", provision.partition(), bucket)
  return {
    Version = "2012-10-17",
    Statement = {
      { Sid = "List", Effect = "Allow", Action = "s3:ListBucket", Resource = arn },
      { Sid = "Upload", Effect = "Allow", Action = { "s3:PutObject", "s3:DeleteObject" }, Resource = arn .. "/*" },
    },
  }
end

local function teardown(args, policy_name)
  provision.teardown_user({ name = args.user })
  provision.remove_credentials_file({ user = args.user, file = args.key_file })
  provision.teardown_managed_policy({ name = policy_name })
end

return {
  description = "CI deploy user: a policy for one S3 bucket, the user, and its access key in a file",
  args = {
    bucket = { required = true, doc = "the S3 bucket the CI job uploads to" },
    user = { default = "ci-deploy", doc = "the user's name" },
    key_file = { default = "ci-deploy-key.json", doc = "where the access key and its secret go (mode 0600)" },
    teardown = { default = "false", doc = "true: remove the user, its key file and the policy" },
  },
  run = function(args)
    local policy_name = args.user .. "-upload"
    if provision.flag(args.teardown, "teardown") then
      return teardown(args, policy_name)
    end
    local upload = provision.managed_policy({
      name = policy_name,
      description = "Uploads to s3://" .. args.bucket .. " (managed by iamsh)",
      document = bucket_policy(args.bucket),
      tags = { purpose = "ci" },
    })
    local user = provision.user({
      name = args.user,
      path = "/ci/",
      managed = { upload.arn },
      tags = { purpose = "ci" },
    })
    local key = provision.access_key({ user = args.user, file = args.key_file })
    if not provision.planning() then
      print(string.format("%s: access key %s in %s", user.arn, key.id, args.key_file))
    end
  end,
}
