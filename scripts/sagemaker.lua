-- The whole SageMaker set-up of the LLM Engineers Handbook: the execution
-- role first, then the deployer user and its access key.
--   iamsh run sagemaker                      (apply)
--   iamsh --plan run sagemaker               (show what would change)
--   iamsh run sagemaker env_file=.env        (also fill the project's .env)

local flow = require("provision.flow")

-- The two steps are the shipped flows next to this file.
local function sibling(name)
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")
  local dir = here or require("iamsh").scripts_dir
  return dofile(dir .. "/" .. name .. ".lua")
end

local function converge(args)
  local role = sibling("sagemaker-role").converge(args)
  local deployer = sibling("sagemaker-deployer").converge(args)
  return { role_arn = role.arn, user_arn = deployer.user.arn, key_id = deployer.key_id }
end

return flow.define({
  description = "SageMaker set-up (handbook): execution role, then deployer user and access key",
  args = { "role_name", "user_name", "out_dir", "env_file", "deployer_policy", "bucket", "exclusive", "rotate" },
  -- the deployer's arguments are checked before the role is touched
  check = function(args) sibling("sagemaker-deployer").check(args) end,
  converge = converge,
})
