-- The provisioning library: converge IAM roles, users, access keys and
-- customer-managed policies to a definition, or tear them down.
--
--   local provision = require "provision"
--   local r = provision.role{name = "R", trust = policy.trust_service("sagemaker.amazonaws.com"),
--                            managed = {"AmazonS3FullAccess"}}
--   print(r.arn)
--
-- Every function reads first, then hands each difference to one switch
-- (provision/step.lua): with `iamsh --plan` the write is printed and skipped,
-- otherwise it is performed and reported. plan_counts() tells what was (or
-- would be) written; the runner uses it for the plan summary and exit code.

local context = require("provision.context")
local role = require("provision.role")
local user = require("provision.user")
local keys = require("provision.keys")
local managed = require("provision.managed_policy")
local teardown = require("provision.teardown")
local files = require("provision.files")

local provision = {}

-- Overrides: propagation_timeout (seconds, default 120), plan, quiet, and
-- for tests iam, sts, json, sleep, clock, out, progress, warn, aws_config.
provision.configure = context.configure

-- Forget everything configure{} set and the counters (tests).
provision.reset = context.reset

function provision.plan_counts()
  return context.counts()
end

function provision.planning()
  return context.planning()
end

provision.role = role.converge
provision.user = user.converge
provision.access_key = keys.converge
provision.managed_policy = managed.converge
provision.teardown_role = teardown.role
provision.teardown_user = teardown.user
provision.teardown_managed_policy = managed.teardown
provision.remove_credentials_file = keys.remove_file
provision.read_credentials_file = keys.read_file
provision.policy_arn = managed.arn
provision.file = files.converge
provision.env_file = files.env
provision.remove_file = files.remove

-- The ARN of a role: the real one if it exists, else the one it will have.
function provision.role_arn(name, path)
  local res = require("provision.calls").get("get_role", { RoleName = name })
  return res and res.Role.Arn or role.predicted_arn(name, path)
end

function provision.region()
  return context.region()
end

-- Apply-mode summary, e.g. "Done: 2 added, 1 changed, 0 destroyed." (In plan mode
-- the runner prints the "Plan: ..." line from plan_counts(), after the script.)
function provision.summary()
  local c = context.counts()
  return string.format("Done: %d added, %d changed, %d destroyed.", c.add, c.change, c.destroy)
end

return provision
