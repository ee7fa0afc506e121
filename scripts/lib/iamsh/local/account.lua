-- iamsh.local.account: the account as a whole: GetAccountSummary (counts and
-- IAM's default quotas), GetAccountAuthorizationDetails, aliases and the password
-- policy.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local policies = require("iamsh.local.policies")
local catalogue = require("iamsh.local.catalogue")
local res = require("iamsh.local.resources")

local M = {}

-- IAM's default quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
M.QUOTAS = {
  UsersQuota = 5000, GroupsQuota = 300, RolesQuota = 1000, PoliciesQuota = 1500, InstanceProfilesQuota = 1000,
  ServerCertificatesQuota = 20, AttachedPoliciesPerGroupQuota = 10, AttachedPoliciesPerRoleQuota = 10,
  AttachedPoliciesPerUserQuota = 10, GroupsPerUserQuota = 10, GroupPolicySizeQuota = 5120, UserPolicySizeQuota = 2048,
  RolePolicySizeQuota = 10240, PolicySizeQuota = 6144, PolicyVersionsInUseQuota = 10000, VersionsPerPolicyQuota = 5,
  AccessKeysPerUserQuota = 2, AssumeRolePolicySizeMax = 2048, SigningCertificatesPerUserQuota = 2,
  GlobalEndpointTokenVersion = 1,
}

M.GetAccountSummary = { resource = res.star, fn = function(r)
  local map = util.copy(M.QUOTAS)
  local s = r.store
  map.Users, map.Groups, map.Roles = s.count("user"), s.count("group"), s.count("role")
  map.Policies, map.InstanceProfiles = s.count("policy"), s.count("instance_profile")
  map.Providers = s.count("oidc") + s.count("saml")
  map.ServerCertificates, map.MFADevices, map.MFADevicesInUse, map.AccountMFAEnabled = 0, 0, 0, 0
  map.AccountSigningCertificatesPresent = 0
  local root = s.get("account", "root") or {}
  map.AccountAccessKeysPresent = (root.keys and #root.keys > 0) and 1 or 0
  local versions = 0
  for _, kv in ipairs(s.list("policy")) do
    versions = versions + #kv.value.versions
  end
  map.PolicyVersionsInUse = versions
  return { SummaryMap = map }
end }

-- GetAccountAuthorizationDetails -----------------------------------------------------------

local function inline_list(e)
  local out = {}
  for _, name in ipairs(require("iamsh.tables").sorted_keys(e.inline or {})) do
    out[#out + 1] = { PolicyName = name, PolicyDocument = e.inline[name] }
  end
  return out
end

local function attached_list(e)
  local out = {}
  for _, a in ipairs(e.attached or {}) do
    out[#out + 1] = { PolicyName = a:match("[^/]+$"), PolicyArn = a }
  end
  return out
end

local function user_detail(r, e)
  local groups = {}
  for _, key in ipairs(e.groups) do
    groups[#groups + 1] = r.store.get("group", key).name
  end
  return { Path = e.path, UserName = e.name, UserId = e.id, Arn = entities.arn(r, "user", e), CreateDate = e.created,
    UserPolicyList = inline_list(e), GroupList = groups, AttachedManagedPolicies = attached_list(e),
    PermissionsBoundary = entities.boundary_out(e), Tags = util.tags_out(e.tags) }
end

local function group_detail(r, e)
  return { Path = e.path, GroupName = e.name, GroupId = e.id, Arn = entities.arn(r, "group", e), CreateDate = e.created,
    GroupPolicyList = inline_list(e), AttachedManagedPolicies = attached_list(e) }
end

local function role_detail(r, e)
  local profiles = {}
  for _, key in ipairs(e.profiles) do
    profiles[#profiles + 1] = entities.profile_out(r, r.store.get("instance_profile", key))
  end
  local out = entities.role_out(r, e, true)
  out.Description, out.MaxSessionDuration = nil, nil
  out.InstanceProfileList, out.RolePolicyList, out.AttachedManagedPolicies = profiles, inline_list(e), attached_list(e)
  return out
end

-- A ManagedPolicyDetail: the policy with every version and its document.
local function policy_detail(r, pol)
  local out = policies.policy_out(r, pol, true)
  out.Tags = nil
  local versions = {}
  if pol.aws then
    versions[1] = { Document = pol.entry.document, VersionId = pol.entry.version, IsDefaultVersion = true,
      CreateDate = pol.entry.updated }
  else
    for _, v in ipairs(pol.record.versions) do
      versions[#versions + 1] = { Document = v.doc, VersionId = v.id, IsDefaultVersion = v.id == pol.record.default,
        CreateDate = v.created }
    end
  end
  out.PolicyVersionList = versions
  return out
end

-- The account's managed policies, and AWS's it uses (attached or a boundary):
-- what GetAccountAuthorizationDetails lists.
local function detail_policies(r, filter)
  local out = {}
  if filter.AWSManagedPolicy then
    for _, kv in ipairs(r.store.list("aws_policy")) do
      local e = catalogue.by_arn(kv.key)
      out[#out + 1] = { key = "p\0" .. e.name:lower(), list = "Policies", value = policy_detail(r, { arn = kv.key,
        name = e.name, path = e.path, aws = true, entry = e }) }
    end
  end
  if filter.LocalManagedPolicy then
    for _, kv in ipairs(r.store.list("policy")) do
      local rec = kv.value
      out[#out + 1] = { key = "p\0" .. kv.key, list = "Policies", value = policy_detail(r, {
        arn = util.arn(r, "policy", rec.path, rec.name), name = rec.name, path = rec.path, record = rec }) }
    end
  end
  return out
end

local DETAILS = {
  { filter = "User", kind = "user", list = "UserDetailList", detail = user_detail },
  { filter = "Group", kind = "group", list = "GroupDetailList", detail = group_detail },
  { filter = "Role", kind = "role", list = "RoleDetailList", detail = role_detail },
}

M.GetAccountAuthorizationDetails = { resource = res.star, fn = function(r, p)
  local filter = {}
  for _, f in ipairs(p.Filter or { "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy" }) do
    filter[f] = true
  end
  local items = {}
  for i, d in ipairs(DETAILS) do
    if filter[d.filter] then
      for _, e in ipairs(entities.all(r, d.kind)) do
        items[#items + 1] = { key = i .. "\0" .. e.name:lower(), list = d.list, value = d.detail(r, e) }
      end
    end
  end
  for _, it in ipairs(detail_policies(r, filter)) do
    items[#items + 1] = it
  end
  util.sorted(items, function(it) return it.key end)
  local page, truncated, marker = util.page(items, p, function(it) return it.key end)
  local out = { UserDetailList = {}, GroupDetailList = {}, RoleDetailList = {}, Policies = {}, IsTruncated = truncated,
    Marker = marker }
  for _, it in ipairs(page) do
    table.insert(out[it.list], it.value)
  end
  return out
end }

-- Aliases and the password policy ----------------------------------------------------------

M.ListAccountAliases = { resource = res.star, fn = function(r)
  local a = r.store.get("account", "alias")
  return { AccountAliases = { a and a.alias }, IsTruncated = false }
end }

M.CreateAccountAlias = { resource = res.star, fn = function(r, p)
  local a = r.store.get("account", "alias")
  if a and a.alias ~= p.AccountAlias then
    errors.exists("The account alias %s already exists.", a.alias)
  end
  r.store.put("account", "alias", { alias = p.AccountAlias })
  return {}
end }

M.DeleteAccountAlias = { resource = res.star, fn = function(r, p)
  local a = r.store.get("account", "alias")
  if not a or a.alias ~= p.AccountAlias then
    errors.no_such("The account alias %s cannot be found.", p.AccountAlias)
  end
  r.store.delete("account", "alias")
  return {}
end }

local PASSWORD_FIELDS = { "MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
  "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge", "PasswordReusePrevention",
  "HardExpiry" }

M.UpdateAccountPasswordPolicy = { resource = res.star, fn = function(r, p)
  local pol = { MinimumPasswordLength = 6, RequireSymbols = false, RequireNumbers = false,
    RequireUppercaseCharacters = false, RequireLowercaseCharacters = false, AllowUsersToChangePassword = false }
  for _, k in ipairs(PASSWORD_FIELDS) do
    if p[k] ~= nil then
      pol[k] = p[k]
    end
  end
  r.store.put("account", "password_policy", pol)
  return {}
end }

M.GetAccountPasswordPolicy = { resource = res.star, fn = function(r)
  local pol = r.store.get("account", "password_policy")
  if not pol then
    errors.no_such("The Password Policy with domain name %s cannot be found.", r.account)
  end
  pol.ExpirePasswords = (pol.MaxPasswordAge or 0) > 0
  return { PasswordPolicy = pol }
end }

M.DeleteAccountPasswordPolicy = { resource = res.star, fn = function(r)
  if not r.store.delete("account", "password_policy") then
    errors.no_such("The account policy with name PasswordPolicy cannot be found.")
  end
  return {}
end }

return M
