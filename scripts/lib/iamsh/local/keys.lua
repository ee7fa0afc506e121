-- iamsh.local.keys: a user's credentials: access keys (2 each, with their last
-- use), the console password (login profile; the password itself is checked
-- against the account's password policy and not kept), service-specific
-- credentials, and the lists of MFA devices, SSH keys and signing certificates
-- (which this endpoint cannot create: it checks no TOTP code, fingerprints no
-- SSH key and parses no certificate, so they stay empty).
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local users = require("iamsh.local.users")
local res = require("iamsh.local.resources")

local M = {}

local KEYS_PER_USER = 2

-- The user a key request is about, or nil for the account's root user (root
-- calling without UserName).
local function owner(r, p)
  return users.named_or_caller(r, p)
end

local function owner_keys(r, u)
  if u then
    return u.keys
  end
  return (r.store.get("account", "root") or {}).keys or {}
end

local function set_owner_keys(r, u, keys)
  if u then
    u.keys = keys
    entities.save(r, "user", u)
    return
  end
  local root = r.store.get("account", "root") or {}
  root.keys = keys
  r.store.put("account", "root", root)
end

local function key_meta(k, u)
  return { UserName = u and u.name, AccessKeyId = k.id, Status = k.status, CreateDate = k.created }
end

M.CreateAccessKey = { resource = res.user, fn = function(r, p)
  local u = owner(r, p)
  local keys = owner_keys(r, u)
  if #keys >= KEYS_PER_USER then
    errors.limit("Cannot exceed quota for AccessKeysPerUser: %d", KEYS_PER_USER)
  end
  local k = { id = r.store.random_id("AKIA", 16), secret = r.store.random_secret(40), status = "Active",
    created = r.iso, user = u and u.name:lower() }
  r.store.put("access_key", k.id, k)
  keys[#keys + 1] = k.id
  set_owner_keys(r, u, keys)
  local out = key_meta(k, u)
  out.SecretAccessKey = k.secret
  return { AccessKey = out }
end }

-- The key p.AccessKeyId of the user the request names (or the caller).
local function key_of(r, p)
  local u = owner(r, p)
  local k = r.store.get("access_key", p.AccessKeyId)
  if not k or not util.contains(owner_keys(r, u), p.AccessKeyId) then
    errors.no_such("The Access Key with id %s cannot be found.", p.AccessKeyId)
  end
  return k, u
end

M.ListAccessKeys = { resource = res.user, fn = function(r, p)
  local u = owner(r, p)
  local out = {}
  for _, id in ipairs(owner_keys(r, u)) do
    out[#out + 1] = key_meta(r.store.get("access_key", id), u)
  end
  return util.list_in_order("AccessKeyMetadata", out, p)
end }

M.UpdateAccessKey = { resource = res.user, fn = function(r, p)
  local k = key_of(r, p)
  k.status = p.Status
  r.store.put("access_key", k.id, k)
  return {}
end }

M.DeleteAccessKey = { resource = res.user, fn = function(r, p)
  local k, u = key_of(r, p)
  r.store.delete("access_key", k.id)
  set_owner_keys(r, u, (util.without(owner_keys(r, u), k.id)))
  return {}
end }

-- GetAccessKeyLastUsed is authorized on the key's user.
local function key_user(r, p)
  local k = r.store.get("access_key", p.AccessKeyId or "")
  return res.user(r, { UserName = k and k.user and r.store.get("user", k.user).name })
end

M.GetAccessKeyLastUsed = { resource = key_user, fn = function(r, p)
  local k = r.store.get("access_key", p.AccessKeyId)
  if not k then
    errors.no_such("The Access Key with id %s cannot be found.", p.AccessKeyId)
  end
  local used = k.last_used or {}
  return { UserName = k.user and r.store.get("user", k.user).name,
    AccessKeyLastUsed = { LastUsedDate = used.date, ServiceName = used.service or "N/A",
      Region = used.region or "N/A" } }
end }

-- Login profiles -------------------------------------------------------------------------

-- IAM's default password policy when the account has set none: 8 characters, three
-- of upper case, lower case, digits and other characters.
local function check_password(r, pw)
  local pol = r.store.get("account", "password_policy") or { MinimumPasswordLength = 8, three_of_four = true }
  local kinds = { upper = pw:find("%u"), lower = pw:find("%l"), digit = pw:find("%d"), symbol = pw:find("[^%w]") }
  local n = 0
  for _, v in pairs(kinds) do
    n = n + (v and 1 or 0)
  end
  local bad = #pw < (pol.MinimumPasswordLength or 6) or (pol.three_of_four and n < 3)
    or (pol.RequireUppercaseCharacters and not kinds.upper) or (pol.RequireLowercaseCharacters and not kinds.lower)
    or (pol.RequireNumbers and not kinds.digit) or (pol.RequireSymbols and not kinds.symbol)
  if bad then
    errors.raise("PasswordPolicyViolation", "Password does not conform to the account password policy.")
  end
end

local function login_user(r, p)
  local u = owner(r, p)
  if not u then
    errors.raise("ValidationError", "Must specify userName when calling with non-User credentials")
  end
  return u
end

local function login_out(u)
  return { LoginProfile = { UserName = u.name, CreateDate = u.login.created,
    PasswordResetRequired = u.login.reset } }
end

local function with_login(r, p)
  local u = login_user(r, p)
  if not u.login then
    errors.no_such("Login Profile for User %s cannot be found.", u.name)
  end
  return u
end

M.CreateLoginProfile = { resource = res.user, fn = function(r, p)
  local u = login_user(r, p)
  if u.login then
    errors.exists("Login Profile for user %s already exists.", u.name)
  end
  if p.Password then
    check_password(r, p.Password)
  end
  u.login = { created = r.iso, reset = p.PasswordResetRequired or false }
  entities.save(r, "user", u)
  return login_out(u)
end }

M.GetLoginProfile = { resource = res.user, fn = function(r, p)
  return login_out(with_login(r, p))
end }

M.UpdateLoginProfile = { resource = res.user, fn = function(r, p)
  local u = with_login(r, p)
  if p.Password then
    check_password(r, p.Password)
  end
  if p.PasswordResetRequired ~= nil then
    u.login.reset = p.PasswordResetRequired
  end
  entities.save(r, "user", u)
  return {}
end }

M.DeleteLoginProfile = { resource = res.user, fn = function(r, p)
  local u = with_login(r, p)
  u.login = nil
  entities.save(r, "user", u)
  return {}
end }

-- Service-specific credentials -------------------------------------------------------------

local SSC_SERVICES = { ["codecommit.amazonaws.com"] = true, ["cassandra.amazonaws.com"] = true }
local SSC_PER_SERVICE = 2

local function ssc_out(c, u, secret)
  return { CreateDate = c.created, ServiceName = c.service, ServiceUserName = c.user_name,
    ServicePassword = secret and c.password, ServiceSpecificCredentialId = c.id, UserName = u.name, Status = c.status }
end

M.CreateServiceSpecificCredential = { resource = res.user, fn = function(r, p)
  local u = entities.find(r, "user", p.UserName)
  if not SSC_SERVICES[p.ServiceName] then
    errors.raise("NotSupportedService", "Service %s is not supported for service specific credentials", p.ServiceName)
  end
  local n = 0
  for _, c in ipairs(u.service_credentials) do
    n = n + (c.service == p.ServiceName and 1 or 0)
  end
  if n >= SSC_PER_SERVICE then
    errors.limit("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", SSC_PER_SERVICE)
  end
  local c = { id = util.id(r, "ACCA"), service = p.ServiceName, status = "Active", created = r.iso,
    user_name = u.name .. "-at-" .. r.account, password = r.store.random_secret(44) }
  u.service_credentials[#u.service_credentials + 1] = c
  entities.save(r, "user", u)
  return { ServiceSpecificCredential = ssc_out(c, u, true) }
end }

local function ssc_of(r, p)
  local u = users.named_or_caller(r, p)
  for _, c in ipairs(u and u.service_credentials or {}) do
    if c.id == p.ServiceSpecificCredentialId then
      return c, u
    end
  end
  errors.no_such("No such credential %s exists", p.ServiceSpecificCredentialId)
end

M.ListServiceSpecificCredentials = { resource = res.user, fn = function(r, p)
  local u = users.named_or_caller(r, p)
  local out = {}
  for _, c in ipairs(u and u.service_credentials or {}) do
    if not p.ServiceName or c.service == p.ServiceName then
      out[#out + 1] = ssc_out(c, u, false)
    end
  end
  return { ServiceSpecificCredentials = out }
end }

M.UpdateServiceSpecificCredential = { resource = res.user, fn = function(r, p)
  local c, u = ssc_of(r, p)
  c.status = p.Status
  entities.save(r, "user", u)
  return {}
end }

M.ResetServiceSpecificCredential = { resource = res.user, fn = function(r, p)
  local c, u = ssc_of(r, p)
  c.password = r.store.random_secret(44)
  entities.save(r, "user", u)
  return { ServiceSpecificCredential = ssc_out(c, u, true) }
end }

M.DeleteServiceSpecificCredential = { resource = res.user, fn = function(r, p)
  local c, u = ssc_of(r, p)
  local keep = {}
  for _, x in ipairs(u.service_credentials) do
    if x.id ~= c.id then
      keep[#keep + 1] = x
    end
  end
  u.service_credentials = keep
  entities.save(r, "user", u)
  return {}
end }

-- What this endpoint cannot create: the lists are empty, the rest NoSuchEntity ----------

local function empty_list(name)
  return { resource = res.user, fn = function(r, p)
    users.named_or_caller(r, p)
    return { [name] = {}, IsTruncated = false }
  end }
end

M.ListMFADevices = empty_list("MFADevices")
M.ListSSHPublicKeys = empty_list("SSHPublicKeys")
M.ListSigningCertificates = empty_list("Certificates")

local function none(fmt, param)
  return { resource = res.user, fn = function(r, p)
    users.named_or_caller(r, p)
    errors.no_such(fmt, p[param])
  end }
end

M.DeactivateMFADevice = none("MFA Device with serial number %s does not exist.", "SerialNumber")
M.GetSSHPublicKey = none("The Public Key with id %s cannot be found.", "SSHPublicKeyId")
M.UpdateSSHPublicKey = none("The Public Key with id %s cannot be found.", "SSHPublicKeyId")
M.DeleteSSHPublicKey = none("The Public Key with id %s cannot be found.", "SSHPublicKeyId")
M.UpdateSigningCertificate = none("The Certificate with id %s cannot be found.", "CertificateId")
M.DeleteSigningCertificate = none("The Certificate with id %s cannot be found.", "CertificateId")

return M
