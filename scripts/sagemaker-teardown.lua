-- Remove what `iamsh run sagemaker` made, in the order IAM requires: the
-- deployer user (its key first), then the local credentials file (only once
-- the key is gone), the least-privilege policy (only if iamsh made it), the
-- execution role, and the role ARN file. Things already gone count as done.

local provision = require("provision")
local policy = require("policy")
local flow = require("provision.flow")

local function is_role_file(text)
  local ok, doc = pcall(require("provision.context").json().decode, text)
  return ok and type(doc) == "table" and type(doc.RoleArn) == "string"
end

local function converge(args)
  provision.teardown_user({ name = args.user_name })
  provision.remove_credentials_file({
    user = args.user_name, file = flow.path(args.out_dir, "sagemaker_user_credentials.json"),
  })
  local lp = policy.load_set("sagemaker-deployer-least-privilege", {}, true)
  provision.teardown_managed_policy({ name = lp.policy_name, path = lp.path })
  provision.teardown_role({ name = args.role_name })
  provision.remove_file({ path = flow.path(args.out_dir, "sagemaker_execution_role.json"), accept = is_role_file })
end

return flow.define({
  description = "SageMaker teardown: delete the deployer user, its key and file, the policy iamsh made, the role",
  args = { "role_name", "user_name", "out_dir" },
  converge = converge,
})
