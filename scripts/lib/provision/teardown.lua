-- Teardown in the order IAM requires (aws-conventions 5.2, 5.3); each step
-- lists what is there and removes it, and anything already gone counts as done.
--   role:   instance profiles, managed policies, inline policies, the role
--   user:   groups, access keys, login profile, MFA devices, SSH keys, signing
--           certificates, service-specific credentials, managed, inline, the user
--   group:  members, managed policies, inline policies, the group

local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local schema = require("provision.schema")
local entity = require("provision.entity")

local teardown = {}

local function spec(kind)
  return schema.define("provision.teardown_" .. kind, {
    { "name", "name", max = kind == "group" and 128 or 64, required = true, doc = "the " .. kind .. "'s name" },
  })
end

teardown.SPECS = { role = spec("role"), user = spec("user"), group = spec("group") }

-- One removal: missing counts as done; key as the converge functions make it.
local function remove(report, text, key, run)
  step.write({ kind = "destroy", text = text, key = key, missing_ok = true, run = run }, report)
end

local function detach_all(kind, name, report)
  local k = entity.KINDS[kind]
  for _, a in ipairs(calls.all_or_empty(k.list_attached, entity.params(kind, name))) do
    local arn = a.PolicyArn
    remove(report, string.format("detach %s from %s %s", arn, kind, name), { kind, name:lower(), "detach", arn },
      function() calls.call(k.detach, entity.params(kind, name, { PolicyArn = arn })) end)
  end
  for _, pname in ipairs(calls.all_or_empty(k.list_inline, entity.params(kind, name))) do
    remove(report, string.format("delete inline policy %s from %s %s", pname, kind, name),
      { kind, name:lower(), "delete", pname },
      function() calls.call(k.delete_inline, entity.params(kind, name, { PolicyName = pname })) end)
  end
end

-- The skeleton: check the definition, find the entity, remove what it owns
-- (parts(name, report)), then the entity itself.
local function run(kind, def, parts)
  local d = schema.check(teardown.SPECS[kind], def)
  local name, report = d.name, step.report()
  if entity.read(kind, name) == nil then
    step.ok(kind .. " " .. name .. " is already gone")
    state.gone(kind, name)
    return { changes = report, existed = false }
  end
  local extra = parts(name, report)
  detach_all(kind, name, report)
  remove(report, string.format("delete %s %s", kind, name), { kind, name:lower(), "delete" }, function()
    calls.call("delete_" .. kind, entity.params(kind, name), { conflict = true })
  end)
  state.gone(kind, name)
  local res = { changes = report, existed = true }
  for k, v in pairs(extra or {}) do
    res[k] = v
  end
  return res
end

-- Returns {changes=, existed=}.
function teardown.role(def)
  return (run("role", def, function(name, report)
    for _, ip in ipairs(calls.all_or_empty("list_instance_profiles_for_role", { RoleName = name })) do
      local ipn = ip.InstanceProfileName
      remove(report, string.format("remove role %s from instance profile %s", name, ipn),
        { "instance_profile", ipn:lower(), "role", name:lower() },
        function() calls.call("remove_role_from_instance_profile", { RoleName = name, InstanceProfileName = ipn }) end)
    end
  end))
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
    remove(report, string.format("remove user %s from group %s", name, g.GroupName),
      { "membership", g.GroupName:lower(), name:lower() },
      function() calls.call("remove_user_from_group", { UserName = name, GroupName = g.GroupName }) end)
  end
end

local function remove_keys(name, report)
  local removed = {}
  for _, k in ipairs(calls.all_or_empty("list_access_keys", { UserName = name })) do
    remove(report, string.format("delete access key %s of user %s", k.AccessKeyId, name),
      { "user", name:lower(), "key", k.AccessKeyId },
      function() calls.call("delete_access_key", { UserName = name, AccessKeyId = k.AccessKeyId }) end)
    removed[#removed + 1] = k.AccessKeyId
  end
  return removed
end

local function remove_login_profile(name, report)
  if calls.get("get_login_profile", { UserName = name }) == nil then
    return
  end
  remove(report, "delete login profile of user " .. name, { "user", name:lower(), "login" }, function()
    calls.call("delete_login_profile", { UserName = name }, { unmodifiable = true })
  end)
end

-- Virtual MFA devices (serial is an ARN ...:mfa/...) are deleted too once
-- deactivated; hardware ones are only deactivated.
local function remove_mfa(name, report)
  for _, m in ipairs(calls.all_or_empty("list_mfa_devices", { UserName = name })) do
    remove(report, string.format("deactivate MFA device %s of user %s", m.SerialNumber, name),
      { "user", name:lower(), "mfa", m.SerialNumber }, function()
        calls.call("deactivate_mfa_device", { UserName = name, SerialNumber = m.SerialNumber })
        if m.SerialNumber:match("^arn:.*:mfa/") then
          calls.call("delete_virtual_mfa_device", { SerialNumber = m.SerialNumber })
        end
      end)
  end
end

-- SSH keys, signing certificates, service-specific credentials.
local CREDENTIALS = {
  { list = "list_ssh_public_keys", id = "SSHPublicKeyId", what = "SSH key", delete = "delete_ssh_public_key" },
  { list = "list_signing_certificates", id = "CertificateId", what = "signing certificate",
    delete = "delete_signing_certificate" },
  { list = "list_service_specific_credentials", id = "ServiceSpecificCredentialId", key = "ServiceSpecificCredentials",
    what = "service-specific credential", delete = "delete_service_specific_credential" },
}

local function remove_credentials(name, report)
  for _, c in ipairs(CREDENTIALS) do
    local items = c.key and list_optional(c.list, { UserName = name }, c.key)
      or calls.all_or_empty(c.list, { UserName = name })
    for _, item in ipairs(items) do
      local id = item[c.id]
      remove(report, string.format("delete %s %s of user %s", c.what, id, name), { "user", name:lower(), c.what, id },
        function() calls.call(c.delete, { UserName = name, [c.id] = id }) end)
    end
  end
end

-- Returns {changes=, existed=, removed_keys={ids}}.
function teardown.user(def)
  local res = run("user", def, function(name, report)
    remove_groups(name, report)
    local removed = remove_keys(name, report)
    remove_login_profile(name, report)
    remove_mfa(name, report)
    remove_credentials(name, report)
    return { removed_keys = removed }
  end)
  res.removed_keys = res.removed_keys or {}
  return res
end

-- Returns {changes=, existed=}.
function teardown.group(def)
  return (run("group", def, function(name, report)
    for _, u in ipairs(calls.all_or_empty("get_group", { GroupName = name })) do
      remove(report, string.format("remove user %s from group %s", u.UserName, name),
        { "membership", name:lower(), u.UserName:lower() },
        function() calls.call("remove_user_from_group", { UserName = u.UserName, GroupName = name }) end)
    end
  end))
end

return teardown
