-- iamsh.sso: `iamsh sso login` and `iamsh sso logout`, the AWS CLI's `aws sso login`
-- and `aws sso logout` for a machine without the CLI. login signs in to IAM Identity
-- Center for the profile in effect (--profile, AWS_PROFILE) with a device code shown
-- here and approved in a browser anywhere; the token goes to ~/.aws/sso/cache, where
-- the AWS CLI finds it too. logout removes every cached sign-in and the role
-- credentials fetched with them.
local errors = require "iamsh.errors"

local M = {}

local USAGE = "iamsh sso login [--profile NAME] | iamsh sso logout"

function M.main(words)
  local command = words[1]
  if words[2] then
    errors.usage("sso %s: unexpected argument '%s' (%s)", command, words[2], USAGE)
  end
  if command == "login" then
    local url = require("aws").sso.login()
    print("Successfully logged into Start URL: " .. url)
    return 0
  end
  if command == "logout" then
    require("aws").sso.logout()
    return 0
  end
  if command == nil then errors.usage("sso: login or logout? (%s)", USAGE) end
  errors.usage("sso: unknown command '%s' (%s)", command, USAGE)
end

return M
