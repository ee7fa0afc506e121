-- The provisioning library: converge IAM roles, users, groups, instance
-- profiles, OIDC providers, access keys and customer managed policies to a
-- definition, or tear them down. docs/provision.md documents every function
-- and every definition key.
--
--   local provision = require "provision"
--   local r = provision.role{name = "R", trust = policy.trust_service("lambda.amazonaws.com"),
--                            managed = {"service-role/AWSLambdaBasicExecutionRole"}}
--   print(r.arn)
--
-- Every function checks its definition, reads, compares, checks what the
-- changes refer to, and only then hands each change to one switch
-- (provision/step.lua): with `iamsh --plan` the write is printed and skipped,
-- otherwise it is performed and reported. plan_counts() tells what was (or
-- would be) written; the runner uses it for the Plan/Done line and the exit
-- code. The modules under provision/ are private.

local deps = require("provision.deps")
local state = require("provision.state")
local schema = require("provision.schema")
local step = require("provision.step")
local role = require("provision.role")
local user = require("provision.user")
local group = require("provision.group")
local profile = require("provision.instance_profile")
local oidc = require("provision.oidc_provider")
local keys = require("provision.keys")
local managed = require("provision.managed_policy")
local teardown = require("provision.teardown")
local files = require("provision.files")
local calls = require("provision.calls")
local errors = require("provision.errors")

local provision = {}

-- Overrides: propagation_timeout (seconds, default 120), plan, quiet, and
-- for tests iam, sts, json, sleep, clock, out, progress, warn, aws_config.
function provision.configure(t)
  deps.configure(t)
end

-- Forget everything configure{} set, the counters and the run's state (tests).
function provision.reset()
  deps.reset()
  state.reset()
end

function provision.plan_counts()
  return state.counts()
end

function provision.planning()
  return deps.planning()
end

-- Apply-mode summary, e.g. "Done: 2 added, 1 changed, 0 destroyed."
function provision.summary()
  local c = state.counts()
  return string.format("Done: %d added, %d changed, %d destroyed.", c.add, c.change, c.destroy)
end

provision.role = role.converge
provision.user = user.converge
provision.group = group.converge
provision.instance_profile = profile.converge
provision.oidc_provider = oidc.converge
provision.access_key = keys.converge
provision.managed_policy = managed.converge
provision.teardown_role = teardown.role
provision.teardown_user = teardown.user
provision.teardown_group = teardown.group
provision.teardown_instance_profile = profile.teardown
provision.teardown_oidc_provider = oidc.teardown
provision.teardown_managed_policy = managed.teardown
provision.remove_credentials_file = keys.remove_file
function provision.read_credentials_file(path)
  if type(path) ~= "string" or path == "" then
    errors.definition("provision.read_credentials_file", "path must be a file path (string), not %s", type(path))
  end
  return keys.read_file(path)
end
provision.file = files.converge
provision.env_file = files.env
provision.remove_file = files.remove

-- name (and optional path) as IAM accepts them, for the functions that take
-- them as arguments rather than in a definition table.
local function name_and_path(fn, name, path)
  if type(name) ~= "string" or name == "" or name:find("[^%w_+=,.@-]") then
    errors.definition(fn, "name must be an IAM name (letters, digits and _+=,.@-), not %s", tostring(name))
  end
  if path ~= nil and (type(path) ~= "string" or not path:match("^/") or not path:match("/$")) then
    errors.definition(fn, "path must start and end with /, not %s", tostring(path))
  end
end

-- The ARN of a customer managed policy of the caller's account.
function provision.policy_arn(name, path)
  name_and_path("provision.policy_arn", name, path)
  return managed.arn(name, path)
end

-- The ARN of a role: the real one if it exists, else the one it will have.
function provision.role_arn(name, path)
  name_and_path("provision.role_arn", name, path)
  local res = calls.get("get_role", { RoleName = name })
  return res and res.Role.Arn or role.predicted_arn(name, path)
end

function provision.region()
  return deps.aws_config().region
end

-- The caller's partition ("aws", "aws-cn", "aws-us-gov") and account.
function provision.partition()
  return state.partition()
end

function provision.account()
  return state.account()
end

-- A script argument as a boolean: key=value arguments arrive as strings, so
-- "true"/"false" (and true/false, nil) are accepted; anything else
-- ("ture", "yes") is a usage error naming the argument (exit 252).
function provision.flag(value, name)
  if value == true or value == "true" then
    return true
  elseif value == nil or value == false or value == "false" then
    return false
  end
  errors.usage("%s must be true or false, not '%s'", name or "argument", tostring(value))
end

local KINDS = { role = true, user = true, group = true, policy = true, instance_profile = true, oidc_provider = true }

local STEP = schema.define("provision.step", {
  { "kind", "choice", choices = { "add", "change", "destroy" }, required = true,
    doc = "what the change does, for the counts: \"add\", \"change\" or \"destroy\"" },
  { "what", "string", required = true, doc = "the plan line's words, e.g. \"create group devs\" (never a secret)" },
  { "run", "function", required = true, doc = "does the change (apply mode only); its results are returned" },
  { "detail", "lines", doc = "lines printed under the plan line (e.g. \"    ~ x: 1 -> 2\")" },
  { "key", "string", doc = "the change's identity: a second step with the same key is not planned twice" },
  { "missing_ok", "flag", default = false, doc = "a removal: NoSuchEntity from run counts as done" },
  { "creates", "creates", kinds = KINDS,
    doc = "what run makes, e.g. {group = \"devs\"}, so that later definitions may refer to it in a plan (policy and " ..
    "oidc_provider by ARN)" },
  { "removes", "creates", kinds = KINDS,
    doc = "what run deletes, e.g. {user = \"old\"}, so that later definitions may not refer to it" },
})

local function mark(set, fn)
  for kind, names in pairs(set or {}) do
    for _, name in ipairs(names) do
      fn(kind, name)
    end
  end
end

-- Whether the script converged or tore down anything through the library (the
-- runner then prints "Done: ..."; loading the module, help() or a lookup does not
-- count).
function provision.used()
  return state.used()
end

local DEFINITIONS = { "role", "user", "group", "instance_profile", "oidc_provider", "access_key",
  "managed_policy", "teardown_role", "teardown_user", "teardown_group",
  "teardown_instance_profile", "teardown_oidc_provider", "teardown_managed_policy",
  "remove_credentials_file", "file", "env_file", "remove_file" }

for _, name in ipairs(DEFINITIONS) do
  local fn = provision[name]
  provision[name] = function(...)
    state.use()
    return fn(...)
  end
end

-- A write of the script's own, plan-aware and counted like the library's:
-- in plan mode printed and skipped, in apply mode reported and run.
function provision.step(def)
  state.use()
  local d = schema.check(STEP, def)
  local res = table.pack(step.write({ kind = d.kind, text = d.what, detail = d.detail, missing_ok = d.missing_ok,
    key = d.key and { "step", d.key } or nil, run = d.run }))
  local fresh = not deps.planning()
  mark(d.creates, function(kind, name) state.made(kind, name, fresh) end)
  mark(d.removes, state.gone)
  return table.unpack(res, 1, res.n)
end

return provision
