-- The SageMaker deployer user of the LLM Engineers Handbook, converged: the
-- user, its policies (the handbook's 5 managed ones, or a least-privilege
-- policy), and one access key whose secret goes to
-- sagemaker_user_credentials.json (mode 0600, never printed).

local provision = require("provision")
local policy = require("policy")
local flow = require("sagemaker.flow")

local M = {}

M.LEAST_PRIVILEGE = "sagemaker-deployer-least-privilege"

-- The least-privilege policy, converged; needs the bucket and the execution
-- role's ARN (the real one, or the one it will get in a plan).
local function least_privilege(args)
  local set = policy.load_set(M.LEAST_PRIVILEGE, {
    bucket = flow.bucket(args.bucket),
    execution_role_arn = provision.role_arn(args.role_name),
    partition = provision.partition(),
    account = provision.account(),
  })
  local p = provision.managed_policy({
    name = set.policy_name, path = set.path, description = set.description, document = set.document,
  })
  return { p.arn }
end

-- Refuses bad arguments (exit 252) before anything is read or written.
function M.check(args)
  local choice = args.deployer_policy
  if choice == "least-privilege" then
    flow.bucket(args.bucket)
  elseif choice ~= "handbook" then
    flow.usage("deployer_policy must be handbook or least-privilege, not '%s'", tostring(choice))
  end
end

local function managed_policies(args)
  if args.deployer_policy == "least-privilege" then
    return least_privilege(args)
  end
  return policy.load_set("sagemaker-deployer").managed
end

function M.file(args)
  return flow.path(args.out_dir, "sagemaker_user_credentials.json")
end

-- Returns {user = provision.user result, key_id = id or nil (plan)}.
function M.converge(args)
  local user = provision.user({
    name = args.user_name,
    path = policy.load_set("sagemaker-deployer").path,
    managed = managed_policies(args),
    exclusive = flow.flag(args, "exclusive"),
  })
  local file = M.file(args)
  local key = provision.access_key({ user = args.user_name, file = file, rotate = flow.flag(args, "rotate") })
  flow.update_env(args, { { "AWS_ACCESS_KEY", key.id or "(new)" }, { "AWS_SECRET_KEY", key.secret or "(new)" } })
  if key.id then
    flow.say(string.format("Deployer: %s, access key %s (secret in %s)", user.arn, key.id, file))
  end
  return { user = user, key_id = key.id }
end

return M
