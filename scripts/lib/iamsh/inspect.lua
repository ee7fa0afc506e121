-- iamsh.inspect: the REPL's inspection helpers, plain functions that scripts
-- can use too (the globals whoami, show and stale; docs/repl.md says more):
--   whoami()                          who the credentials are, and where they point
--   show.role(name), show.user(name)  one readable view of a role or user
--   show.policy(arn_or_name)          the same for a managed policy
--   stale{days = 90}                  keys, users and roles unused for that long
-- Nothing here holds a secret: ListAccessKeys and GetLoginProfile carry none,
-- and aws.config() gives the key id, never the secret.
local aws = require("aws")
local iam = require("iam")
local gather = require("iamsh.inspect.gather")
local view = require("iamsh.inspect.view")

local M = { show = {}, stale = require("iamsh.inspect.stale") }

-- {Account, Arn, UserId, Profile, Region, Endpoint, CredentialSource}:
-- GetCallerIdentity and the resolved configuration (Region is absent when none
-- is configured: IAM is global and STS then uses us-east-1). One call.
function M.whoami()
  local cfg = aws.config()
  local id = require("sts").get_caller_identity()
  return { Account = id.Account, Arn = id.Arn, UserId = id.UserId, Profile = cfg.profile,
    Region = cfg.region, Endpoint = cfg.iam_endpoint, CredentialSource = cfg.credential_source }
end

-- The name of a role or user given by name or by ARN (whose last path
-- element is the name); raises naming fn for anything else.
local function entity_name(fn, name, kind)
  if type(name) ~= "string" then
    error(fn .. ": name must be a string", 3)
  elseif name == "" then
    error(fn .. ": name must not be empty", 3)
  end
  local path = name:match("^arn:[^:]*:iam::[^:]*:" .. kind .. "/(.+)$")
  return path and path:match("([^/]+)$") or name
end

-- GetRole (trust policy, boundary, tags and RoleLastUsed come with it),
-- ListAttachedRolePolicies, ListRolePolicies + GetRolePolicy each: 3 + n calls.
function M.show.role(name)
  name = entity_name("show.role", name, "role")
  local role = iam.get_role({ RoleName = name }).Role
  name = role.RoleName
  local lu = role.RoleLastUsed
  return view.new("role", {
    role = role, trust = role.AssumeRolePolicyDocument, boundary = role.PermissionsBoundary,
    tags = role.Tags or aws.json.array {}, last_used = lu and lu.LastUsedDate and lu or nil,
    attached = gather.attached("role", name), inline = gather.inline("role", name),
  })
end

-- GetUser, GetLoginProfile, ListMFADevices, ListAccessKeys + one
-- GetAccessKeyLastUsed per key, ListGroupsForUser + the groups' policies, and
-- the user's own policies. opts.now sets the clock for the keys' ages.
function M.show.user(name, opts)
  name = entity_name("show.user", name, "user")
  local now = gather.now("show.user", opts, 2)
  local user = iam.get_user({ UserName = name }).User
  name = user.UserName
  local login = gather.unless_missing(iam.get_login_profile, { UserName = name })
  return view.new("user", {
    user = user, boundary = user.PermissionsBoundary, tags = user.Tags or aws.json.array {},
    password_last_used = user.PasswordLastUsed, login_profile = login and login.LoginProfile,
    mfa_devices = iam.all("list_mfa_devices", { UserName = name }),
    access_keys = gather.access_keys(name, now), groups = gather.groups(name),
    attached = gather.attached("user", name), inline = gather.inline("user", name),
  })
end

-- The policy (see gather.policy for finding it by name), its default
-- version's document, and where it is used: ListEntitiesForPolicy once for
-- attachments and once for permissions boundaries, after GetPolicyVersion
-- (2 or 3 calls after the lookup: the boundary listing is skipped when
-- GetPolicy's PermissionsBoundaryUsageCount says it bounds nothing).
function M.show.policy(arn_or_name)
  if type(arn_or_name) ~= "string" then
    error("show.policy: arn_or_name must be a string", 2)
  elseif arn_or_name == "" then
    error("show.policy: arn_or_name must not be empty", 2)
  end
  local p = gather.policy(arn_or_name)
  local version = iam.get_policy_version({ PolicyArn = p.Arn, VersionId = p.DefaultVersionId })
  local function used_as(filter)
    if filter == "PermissionsBoundary" and p.PermissionsBoundaryUsageCount == 0 then
      local array = aws.json.array
      return { PolicyGroups = array {}, PolicyUsers = array {}, PolicyRoles = array {} }
    end
    return iam.all("list_entities_for_policy", { PolicyArn = p.Arn, PolicyUsageFilter = filter })
  end
  return view.new("policy", {
    policy = p, document = version.PolicyVersion.Document, tags = p.Tags or aws.json.array {},
    attached_to = used_as("PermissionsPolicy"), boundary_of = used_as("PermissionsBoundary"),
  })
end

return M
