-- Teardown in the order IAM requires (aws-conventions 5.2, 5.3); each step
-- lists what is there and removes it, and anything already gone counts as done.
--   role:  instance profiles, managed policies, inline policies, the role
--   user:  groups, access keys, login profile, MFA devices, SSH keys, signing
--          certificates, service-specific credentials, managed, inline, the user

local calls = require("provision.calls")
local step = require("provision.step")
local entity = require("provision.entity")

local teardown = {}

local function detach_all(kind, name, report)
  local k = entity.KINDS[kind]
  for _, arn in ipairs(entity.attached(kind, name)) do
    step.remove(string.format("detach %s from %s %s", arn, kind, name), report, function()
      calls.call(k.detach, { [k.param] = name, PolicyArn = arn })
    end)
  end
  for _, pname in ipairs(entity.inline_names(kind, name)) do
    step.remove(string.format("delete inline policy %s from %s %s", pname, kind, name), report, function()
      calls.call(k.delete_inline, { [k.param] = name, PolicyName = pname })
    end)
  end
end

-- Returns {changes=, existed=}.
function teardown.role(def)
  local name = def.name
  local report = step.report()
  if calls.get("get_role", { RoleName = name }) == nil then
    step.ok("role " .. name .. " is already gone")
    return { changes = report, existed = false }
  end
  for _, ip in ipairs(calls.all_or_empty("list_instance_profiles_for_role", { RoleName = name })) do
    step.remove(string.format("remove role %s from instance profile %s", name, ip.InstanceProfileName), report,
      function()
        calls.call("remove_role_from_instance_profile",
          { RoleName = name, InstanceProfileName = ip.InstanceProfileName })
      end)
  end
  detach_all("role", name, report)
  step.remove("delete role " .. name, report, function()
    calls.call("delete_role", { RoleName = name }, { conflict = true })
  end)
  return { changes = report, existed = true }
end

-- Service-specific credentials are rare and some IAM implementations lack
-- the call (moto answers 500). If the list cannot be read, say so and go on:
-- should such credentials exist, DeleteUser fails with DeleteConflict anyway.
local function list_optional(op, params, key)
  local ok, res = pcall(calls.call, op, params)
  if ok then
    return res[key] or {}
  end
  if not calls.is_absent(res) then
    step.warn(string.format("could not list %s for %s (%s); continuing", key, params.UserName,
      calls.code(res) or tostring(res)))
  end
  return {}
end

local function remove_groups(name, report)
  for _, g in ipairs(calls.all_or_empty("list_groups_for_user", { UserName = name })) do
    step.remove(string.format("remove user %s from group %s", name, g.GroupName), report, function()
      calls.call("remove_user_from_group", { UserName = name, GroupName = g.GroupName })
    end)
  end
end

local function remove_keys(name, report)
  local removed = {}
  for _, k in ipairs(calls.all_or_empty("list_access_keys", { UserName = name })) do
    step.remove(string.format("delete access key %s of user %s", k.AccessKeyId, name), report, function()
      calls.call("delete_access_key", { UserName = name, AccessKeyId = k.AccessKeyId })
    end)
    removed[#removed + 1] = k.AccessKeyId
  end
  return removed
end

local function remove_login_profile(name, report)
  if calls.get("get_login_profile", { UserName = name }) == nil then
    return
  end
  step.remove("delete login profile of user " .. name, report, function()
    calls.call("delete_login_profile", { UserName = name }, { unmodifiable = true })
  end)
end

-- Virtual MFA devices (serial is an ARN ...:mfa/...) are deleted too once
-- deactivated; hardware ones are only deactivated.
local function remove_mfa(name, report)
  for _, m in ipairs(calls.all_or_empty("list_mfa_devices", { UserName = name })) do
    step.remove(string.format("deactivate MFA device %s of user %s", m.SerialNumber, name), report, function()
      calls.call("deactivate_mfa_device", { UserName = name, SerialNumber = m.SerialNumber })
      if m.SerialNumber:match("^arn:.*:mfa/") then
        calls.call("delete_virtual_mfa_device", { SerialNumber = m.SerialNumber })
      end
    end)
  end
end

local function remove_credentials(name, report)
  for _, k in ipairs(calls.all_or_empty("list_ssh_public_keys", { UserName = name })) do
    step.remove(string.format("delete SSH key %s of user %s", k.SSHPublicKeyId, name), report, function()
      calls.call("delete_ssh_public_key", { UserName = name, SSHPublicKeyId = k.SSHPublicKeyId })
    end)
  end
  for _, c in ipairs(calls.all_or_empty("list_signing_certificates", { UserName = name })) do
    step.remove(string.format("delete signing certificate %s of user %s", c.CertificateId, name), report,
      function()
        calls.call("delete_signing_certificate", { UserName = name, CertificateId = c.CertificateId })
      end)
  end
  local creds = list_optional("list_service_specific_credentials", { UserName = name }, "ServiceSpecificCredentials")
  for _, c in ipairs(creds) do
    local id = c.ServiceSpecificCredentialId
    step.remove(string.format("delete service-specific credential %s of user %s", id, name), report, function()
      calls.call("delete_service_specific_credential", { UserName = name, ServiceSpecificCredentialId = id })
    end)
  end
end

-- Returns {changes=, existed=, removed_keys={ids}}.
function teardown.user(def)
  local name = def.name
  local report = step.report()
  if calls.get("get_user", { UserName = name }) == nil then
    step.ok("user " .. name .. " is already gone")
    return { changes = report, existed = false, removed_keys = {} }
  end
  remove_groups(name, report)
  local removed = remove_keys(name, report)
  remove_login_profile(name, report)
  remove_mfa(name, report)
  remove_credentials(name, report)
  detach_all("user", name, report)
  step.remove("delete user " .. name, report, function()
    calls.call("delete_user", { UserName = name }, { conflict = true })
  end)
  return { changes = report, existed = true, removed_keys = removed }
end

return teardown
