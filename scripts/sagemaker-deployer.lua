-- The SageMaker deployer user of the LLM Engineers Handbook, converged: the
-- user, its policies (the handbook's 5 managed ones, or a least-privilege
-- policy), and one access key whose secret goes to
-- sagemaker_user_credentials.json (mode 0600, never printed).

local provision = require("provision")
local policy = require("policy")
local flow = require("provision.flow")

-- The least-privilege policy, converged; needs the bucket and the execution
-- role's ARN (the real one, or the one it will get in a plan).
local function least_privilege(args)
  local bucket = flow.given(args.bucket)
  if not bucket then
    error("deployer_policy=least-privilege needs bucket=NAME (the S3 bucket the deploy code uses)", 0)
  end
  local set = policy.load_set("sagemaker-deployer-least-privilege", {
    bucket = bucket,
    execution_role_arn = provision.role_arn(args.role_name),
    partition = require("provision.context").partition(),
    account = require("provision.context").account(),
  })
  local p = provision.managed_policy({
    name = set.policy_name, path = set.path, description = set.description, document = set.document,
  })
  return { p.arn }
end

local function managed_policies(args)
  local choice = args.deployer_policy or "handbook"
  if choice == "handbook" then
    return policy.load_set("sagemaker-deployer").managed
  elseif choice == "least-privilege" then
    return least_privilege(args)
  end
  error("deployer_policy must be handbook or least-privilege, not " .. tostring(choice), 0)
end

local function warn_extra(user, args)
  if #user.extra_managed > 0 and not flow.flag(args.exclusive) then
    io.stderr:write(string.format("! user %s still has %s attached; run with exclusive=true to detach\n",
      args.user_name, table.concat(user.extra_managed, ", ")))
  end
end

local function update_env(path, key)
  local values = { AWS_ACCESS_KEY = key.id or "(new)", AWS_SECRET_KEY = key.secret or "(new)",
    AWS_REGION = flow.region(path) }
  provision.env_file({ path = path, values = values, order = { "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_REGION" } })
end

local function run(args)
  local set = policy.load_set("sagemaker-deployer")
  local user = provision.user({
    name = args.user_name,
    path = set.path,
    managed = managed_policies(args),
    exclusive = flow.flag(args.exclusive),
  })
  warn_extra(user, args)
  local file = flow.path(args.out_dir, "sagemaker_user_credentials.json")
  local key = provision.access_key({ user = args.user_name, file = file, rotate = flow.flag(args.rotate) })
  local env = flow.given(args.env_file)
  if env then
    update_env(env, key)
  end
  if key.id then
    flow.say(string.format("Deployer: %s, access key %s (secret in %s)", user.arn, key.id, file))
  end
  return { user = user, key_id = key.id }
end

return {
  description = "SageMaker deployer user (handbook): user, policies and one access key in sagemaker_user_credentials.json",
  args = {
    user_name = { default = "sagemaker-deployer", doc = "name of the deployer user" },
    role_name = { default = "SageMakerExecutionRoleLLM", doc = "execution role the deployer may pass (least-privilege)" },
    out_dir = { default = ".", doc = "folder for sagemaker_user_credentials.json" },
    env_file = { default = "", doc = "a .env file to set AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_REGION in (optional)" },
    deployer_policy = { default = "handbook", doc = "handbook (5 managed policies) or least-privilege" },
    bucket = { default = "", doc = "S3 bucket for the least-privilege policy" },
    exclusive = { default = "false", doc = "true: also detach policies the set does not list" },
    rotate = { default = "false", doc = "true: with 2 keys already, delete the oldest to make room" },
  },
  run = function(args)
    local res = run(args)
    flow.done()
    return res
  end,
  converge = run,
}
