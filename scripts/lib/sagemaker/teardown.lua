-- Remove what `iamsh run sagemaker` made, in the order IAM requires: the
-- deployer user (its key first), then the local credentials file (only once
-- the key is gone), the least-privilege policy (only if iamsh made it), the
-- execution role, and the role ARN file. Things already gone count as done.

local provision = require("provision")
local policy = require("policy")
local role = require("sagemaker.role")
local deployer = require("sagemaker.deployer")

local M = {}

function M.converge(args)
  provision.teardown_user({ name = args.user_name })
  provision.remove_credentials_file({ user = args.user_name, file = deployer.file(args) })
  local lp = policy.load_set(deployer.LEAST_PRIVILEGE, {}, true)
  provision.teardown_managed_policy({ name = lp.policy_name, path = lp.path })
  provision.teardown_role({ name = args.role_name })
  provision.remove_file({ path = role.file(args), accept = role.is_role_file })
end

return M
