-- An in-memory IAM + STS with the API surface of iamsh's bindings (issue 3):
-- snake_case operations taking one PascalCase table, results shaped like
-- AWS's <OpResult> (lists are arrays, policy documents decoded tables),
-- errors raised as tables {code, message, status, operation, retryable}.
-- As strict as AWS where the library's correctness depends on it (moto is
-- not): EntityAlreadyExists (names case-insensitive), NoSuchEntity,
-- DeleteConflict (role/user/policy still attached or owning things),
-- LimitExceeded (a third access key, active or not; a sixth policy version),
-- ValidationError for names IAM refuses, MalformedPolicyDocument for trust
-- policies without a principal, with a Resource, or naming a principal that
-- does not exist ("Invalid principal in policy").
--
-- Eventual consistency, as AWS shows it right after a create:
--   m.lag = n            the next n calls on a new role/user say NoSuchEntity;
--   m.principal_lag = n  a trust policy naming a new role/user is refused
--                        n times with "Invalid principal in policy";
--   m.conflict_lag = n   DeleteRole/DeleteUser say DeleteConflict n times
--                        after the entity's last attachment went away.
--
-- For tests: m.calls and m.writes log every call; m:fail(op, err, opts)
-- injects failures (opts.after = the call takes effect, then fails, like a
-- lost response); m.mangle = true returns policy documents reordered the way
-- IAM does.

local json = require("aws").json

local mock = {}

local Error = {}
Error.__index = Error
Error.__tostring = function(e)
  return string.format("%s: %s (%d): %s", e.operation or "?", e.code, e.status or 0, e.message or "")
end

function mock.is_error(v)
  return getmetatable(v) == Error
end

local STATUS = {
  NoSuchEntity = 404, EntityAlreadyExists = 409, DeleteConflict = 409, LimitExceeded = 409,
  MalformedPolicyDocument = 400, InvalidInput = 400, ValidationError = 400, ServiceFailure = 500,
}

local function raise(op, code, message, status)
  error(setmetatable({
    code = code, message = message, status = status or STATUS[code] or 400,
    operation = op, request_id = "mock-request", retryable = (status or 0) >= 500,
  }, Error), 0)
end
mock.raise = raise

local function copy(v)
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    out[k] = copy(x)
  end
  return out
end

-- Keys of t in order, as an array.
local keys_of = require("iamsh.tables").sorted_keys

local function count(t)
  local n = 0
  for _ in pairs(t) do
    n = n + 1
  end
  return n
end

-- What IAM does to a document: decode, and (with mangle) reorder statements
-- and turn one-element lists into strings and back.
local function reform(doc, mangle)
  doc = copy(doc)
  if not mangle or type(doc.Statement) ~= "table" then
    return doc
  end
  local st = doc.Statement
  if st[1] == nil then
    st = { st }
  end
  local rev = {}
  for i = #st, 1, -1 do
    local s = st[i]
    if type(s.Action) == "string" then
      s.Action = { s.Action }
    elseif type(s.Action) == "table" and #s.Action == 1 then
      s.Action = s.Action[1]
    elseif type(s.Action) == "table" then
      local a = {}
      for j = #s.Action, 1, -1 do
        a[#a + 1] = s.Action[j]
      end
      s.Action = a
    end
    rev[#rev + 1] = s
  end
  doc.Statement = rev
  return doc
end

local RESULT_KEYS = {
  list_attached_role_policies = "AttachedPolicies", list_attached_user_policies = "AttachedPolicies",
  list_role_policies = "PolicyNames", list_user_policies = "PolicyNames",
  list_groups_for_user = "Groups", list_access_keys = "AccessKeyMetadata",
  list_instance_profiles_for_role = "InstanceProfiles", list_mfa_devices = "MFADevices",
  list_ssh_public_keys = "SSHPublicKeys", list_signing_certificates = "Certificates",
  list_policy_versions = "Versions", list_role_tags = "Tags", list_user_tags = "Tags",
  list_policy_tags = "Tags", list_roles = "Roles", list_users = "Users", list_policies = "Policies",
}

function mock.new(opts)
  opts = opts or {}
  local m = {
    account = opts.account or "123456789012",
    partition = opts.partition or "aws",
    roles = {}, users = {}, groups = {}, policies = {}, profiles = {},
    calls = {}, writes = {}, faults = {}, lag = 0, principal_lag = 0, conflict_lag = 0, mangle = false, seq = 0,
    json = json,
  }
  local ops = {}
  m.ops = ops

  local function arn(kind, path, name)
    return string.format("arn:%s:iam::%s:%s%s%s", m.partition, m.account, kind, path or "/", name)
  end

  local function next_seq()
    m.seq = m.seq + 1
    return m.seq
  end

  local function date(seq)
    return os.date("!%Y-%m-%dT%H:%M:%SZ", 1700000000 + seq)
  end

  local function need(op, p, ...)
    for _, k in ipairs({ ... }) do
      if p[k] == nil then
        error(op .. ": " .. k .. ": missing", 0)
      end
    end
  end

  local function document(op, d)
    if type(d) == "string" then
      local okd, v = pcall(json.decode, d)
      if not okd or type(v) ~= "table" then
        raise(op, "MalformedPolicyDocument", "Syntax errors in policy.")
      end
      return v
    end
    if type(d) ~= "table" then
      error(op .. ": PolicyDocument: table or JSON string expected", 0)
    end
    return copy(d)
  end

  local function find(op, store, name, what)
    local e = store[name and name:lower()]
    if not e then
      raise(op, "NoSuchEntity", string.format("The %s with name %s cannot be found.", what, tostring(name)))
    end
    if e.hidden and e.hidden > 0 and not op:match("^create") then
      e.hidden = e.hidden - 1
      raise(op, "NoSuchEntity", string.format("The %s with name %s cannot be found.", what, name))
    end
    return e
  end

  -- IAM's name rules (CreateRole/CreateUser: [\w+=,.@-]{1,64}).
  local function valid_name(op, member, name)
    if type(name) ~= "string" or #name < 1 or #name > 64 or name:find("[^%w_+=,.@-]") then
      raise(op, "ValidationError", string.format("1 validation error detected: Value '%s' at '%s' "
        .. "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        tostring(name), member))
    end
  end

  local function list_of(v)
    if type(v) == "table" then
      return v
    end
    return { v }
  end

  -- The role or user an AWS principal ARN of this account names, if visible.
  local function principal_entity(a)
    local acct, kind, rest = a:match("^arn:[^:]+:iam::(%d+):(%a+)(/.*)$")
    if acct ~= m.account or (kind ~= "role" and kind ~= "user") then
      return true
    end
    local e = (kind == "role" and m.roles or m.users)[rest:match("[^/]+$"):lower()]
    if not e or (e.principal_hidden or 0) > 0 then
      if e then
        e.principal_hidden = e.principal_hidden - 1
      end
      return false
    end
    return true
  end

  -- What IAM checks in a trust policy before storing it.
  local function check_trust(op, doc)
    local st = doc.Statement
    if type(st) ~= "table" then
      raise(op, "MalformedPolicyDocument", "Syntax errors in policy.")
    end
    for _, s in ipairs(st[1] and st or { st }) do
      if s.Resource ~= nil then
        raise(op, "MalformedPolicyDocument", "Has prohibited field Resource")
      end
      if s.Principal == nil and s.NotPrincipal == nil then
        raise(op, "MalformedPolicyDocument", "AssumeRolepolicy contained an invalid principal")
      end
      local aws_ = type(s.Principal) == "table" and s.Principal.AWS
      for _, a in ipairs(aws_ and list_of(aws_) or {}) do
        if not principal_entity(a) then
          raise(op, "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"" .. a .. "\"")
        end
      end
    end
  end

  local function role(op, p)
    need(op, p, "RoleName")
    return find(op, m.roles, p.RoleName, "role")
  end

  local function user(op, p)
    need(op, p, "UserName")
    return find(op, m.users, p.UserName, "user")
  end

  local function owner(op, p)
    if p.RoleName then
      return role(op, p), "role"
    end
    return user(op, p), "user"
  end

  local function managed(op, a)
    if a:match("^arn:[^:]+:iam::aws:policy/") then
      return m.policies[a] or { aws = true, arn = a, attachments = 0 }
    end
    local pol = m.policies[a]
    if not pol then
      raise(op, "NoSuchEntity", "Policy " .. a .. " does not exist or is not attachable.")
    end
    return pol
  end

  local function set_tags(e, tags)
    for _, t in ipairs(tags or {}) do
      e.tags[t.Key] = t.Value
    end
  end

  local function tag_list(e)
    local out = {}
    for _, k in ipairs(keys_of(e.tags)) do
      out[#out + 1] = { Key = k, Value = e.tags[k] }
    end
    return out
  end

  -- After its last detach an entity still looks attached for a while: the
  -- first m.conflict_lag deletes conflict.
  local function settle(e)
    e.conflicts = e.conflicts or m.conflict_lag
    if e.conflicts > 0 then
      e.conflicts = e.conflicts - 1
      return true
    end
    return false
  end

  -- Roles ------------------------------------------------------------------

  local function role_out(r)
    return {
      RoleName = r.name, RoleId = r.id, Arn = r.arn, Path = r.path, CreateDate = r.created,
      Description = r.description, MaxSessionDuration = r.max_session,
      AssumeRolePolicyDocument = reform(r.trust, m.mangle), Tags = tag_list(r),
    }
  end

  function ops.create_role(p)
    need("create_role", p, "RoleName", "AssumeRolePolicyDocument")
    valid_name("create_role", "roleName", p.RoleName)
    local trust = document("create_role", p.AssumeRolePolicyDocument)
    check_trust("create_role", trust)
    if m.roles[p.RoleName:lower()] then
      raise("create_role", "EntityAlreadyExists", "Role with name " .. p.RoleName .. " already exists.")
    end
    local seq = next_seq()
    local r = {
      name = p.RoleName, path = p.Path or "/", description = p.Description, max_session = p.MaxSessionDuration or 3600,
      trust = trust, attached = {}, inline = {}, tags = {},
      profiles = {}, id = "AROA" .. seq, created = date(seq), hidden = m.lag, principal_hidden = m.principal_lag,
    }
    r.arn = arn("role", r.path, r.name)
    set_tags(r, p.Tags)
    m.roles[r.name:lower()] = r
    return { Role = role_out(r) }
  end

  function ops.get_role(p)
    return { Role = role_out(role("get_role", p)) }
  end

  function ops.update_assume_role_policy(p)
    need("update_assume_role_policy", p, "PolicyDocument")
    local r = role("update_assume_role_policy", p)
    local trust = document("update_assume_role_policy", p.PolicyDocument)
    check_trust("update_assume_role_policy", trust)
    r.trust = trust
    return {}
  end

  function ops.update_role(p)
    local r = role("update_role", p)
    if p.Description ~= nil then
      r.description = p.Description
    end
    r.max_session = p.MaxSessionDuration or r.max_session
    return {}
  end

  function ops.delete_role(p)
    local r = role("delete_role", p)
    if next(r.attached) or next(r.inline) or next(r.profiles) or settle(r) then
      raise("delete_role", "DeleteConflict", "Cannot delete entity, must detach all policies first.")
    end
    m.roles[r.name:lower()] = nil
    return {}
  end

  -- Users ------------------------------------------------------------------

  local function user_out(u)
    return { UserName = u.name, UserId = u.id, Arn = u.arn, Path = u.path, CreateDate = u.created, Tags = tag_list(u) }
  end

  function ops.create_user(p)
    need("create_user", p, "UserName")
    valid_name("create_user", "userName", p.UserName)
    if m.users[p.UserName:lower()] then
      raise("create_user", "EntityAlreadyExists", "User with name " .. p.UserName .. " already exists.")
    end
    local seq = next_seq()
    local u = {
      name = p.UserName, path = p.Path or "/", attached = {}, inline = {}, tags = {}, groups = {},
      keys = {}, mfa = {}, id = "AIDA" .. seq, created = date(seq), hidden = m.lag,
      principal_hidden = m.principal_lag,
    }
    u.arn = arn("user", u.path, u.name)
    set_tags(u, p.Tags)
    m.users[u.name:lower()] = u
    return { User = user_out(u) }
  end

  function ops.get_user(p)
    return { User = user_out(user("get_user", p)) }
  end

  function ops.update_user(p)
    local u = user("update_user", p)
    if p.NewPath then
      u.path = p.NewPath
      u.arn = arn("user", u.path, u.name)
    end
    return {}
  end

  function ops.delete_user(p)
    local u = user("delete_user", p)
    if next(u.attached) or next(u.inline) or next(u.keys) or next(u.groups) or u.login or next(u.mfa)
        or settle(u) then
      raise("delete_user", "DeleteConflict", "Cannot delete entity, must delete policies/keys/groups first.")
    end
    m.users[u.name:lower()] = nil
    return {}
  end

  function ops.create_group(p)
    need("create_group", p, "GroupName")
    m.groups[p.GroupName] = { name = p.GroupName, attached = {} }
    return { Group = { GroupName = p.GroupName } }
  end

  function ops.add_user_to_group(p)
    need("add_user_to_group", p, "GroupName")
    if not m.groups[p.GroupName] then
      raise("add_user_to_group", "NoSuchEntity", "The group with name " .. p.GroupName .. " cannot be found.")
    end
    user("add_user_to_group", p).groups[p.GroupName] = true
    return {}
  end

  function ops.remove_user_from_group(p)
    local u = user("remove_user_from_group", p)
    if not u.groups[p.GroupName] then
      raise("remove_user_from_group", "NoSuchEntity", "User is not in group " .. tostring(p.GroupName))
    end
    u.groups[p.GroupName] = nil
    return {}
  end

  function ops.list_groups_for_user(p)
    local out = {}
    for _, g in ipairs(keys_of(user("list_groups_for_user", p).groups)) do
      out[#out + 1] = { GroupName = g, Arn = arn("group", "/", g) }
    end
    return { Groups = out, IsTruncated = false }
  end

  function ops.create_login_profile(p)
    user("create_login_profile", p).login = true
    return { LoginProfile = { UserName = p.UserName } }
  end

  function ops.get_login_profile(p)
    local u = user("get_login_profile", p)
    if not u.login then
      raise("get_login_profile", "NoSuchEntity", "Login Profile for User " .. u.name .. " cannot be found.")
    end
    return { LoginProfile = { UserName = u.name } }
  end

  function ops.delete_login_profile(p)
    local u = user("delete_login_profile", p)
    if not u.login then
      raise("delete_login_profile", "NoSuchEntity", "Login Profile for User " .. u.name .. " cannot be found.")
    end
    u.login = nil
    return {}
  end

  function ops.enable_mfa_device(p)
    user("enable_mfa_device", p).mfa[p.SerialNumber] = true
    return {}
  end

  function ops.list_mfa_devices(p)
    local out = {}
    for _, s in ipairs(keys_of(user("list_mfa_devices", p).mfa)) do
      out[#out + 1] = { UserName = p.UserName, SerialNumber = s }
    end
    return { MFADevices = out, IsTruncated = false }
  end

  function ops.deactivate_mfa_device(p)
    user("deactivate_mfa_device", p).mfa[p.SerialNumber] = nil
    return {}
  end

  function ops.delete_virtual_mfa_device()
    return {}
  end

  function ops.list_ssh_public_keys(p)
    user("list_ssh_public_keys", p)
    return { SSHPublicKeys = {}, IsTruncated = false }
  end

  function ops.list_signing_certificates(p)
    user("list_signing_certificates", p)
    return { Certificates = {}, IsTruncated = false }
  end

  function ops.list_service_specific_credentials(p)
    user("list_service_specific_credentials", p)
    return { ServiceSpecificCredentials = {} }
  end

  -- Access keys --------------------------------------------------------------

  function ops.create_access_key(p)
    local u = user("create_access_key", p)
    if count(u.keys) >= 2 then
      raise("create_access_key", "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    end
    local seq = next_seq()
    local k = {
      UserName = u.name, AccessKeyId = string.format("AKIAMOCK%012d", seq), Status = "Active",
      SecretAccessKey = string.format("mocksecret/%d+%x", seq, math.random(1 << 30)), CreateDate = date(seq),
    }
    u.keys[k.AccessKeyId] = k
    return { AccessKey = copy(k) }
  end

  function ops.list_access_keys(p)
    local u = user("list_access_keys", p)
    local out = {}
    for _, id in ipairs(keys_of(u.keys)) do
      local k = u.keys[id]
      out[#out + 1] = { UserName = u.name, AccessKeyId = id, Status = k.Status, CreateDate = k.CreateDate }
    end
    return { AccessKeyMetadata = out, IsTruncated = false }
  end

  function ops.update_access_key(p)
    need("update_access_key", p, "AccessKeyId", "Status")
    local k = user("update_access_key", p).keys[p.AccessKeyId]
    if not k then
      raise("update_access_key", "NoSuchEntity", "The Access Key with id " .. p.AccessKeyId .. " cannot be found.")
    end
    k.Status = p.Status
    return {}
  end

  function ops.delete_access_key(p)
    need("delete_access_key", p, "AccessKeyId")
    local u = user("delete_access_key", p)
    if not u.keys[p.AccessKeyId] then
      raise("delete_access_key", "NoSuchEntity", "The Access Key with id " .. p.AccessKeyId .. " cannot be found.")
    end
    u.keys[p.AccessKeyId] = nil
    return {}
  end

  -- Attached and inline policies (roles and users) ------------------------------

  local function attach(op, p)
    need(op, p, "PolicyArn")
    local e = owner(op, p)
    local pol = managed(op, p.PolicyArn)
    if not e.attached[p.PolicyArn] then
      e.attached[p.PolicyArn] = true
      pol.attachments = (pol.attachments or 0) + 1
    end
    return {}
  end

  local function detach(op, p)
    need(op, p, "PolicyArn")
    local e = owner(op, p)
    if not e.attached[p.PolicyArn] then
      raise(op, "NoSuchEntity", "Policy " .. p.PolicyArn .. " was not found.")
    end
    e.attached[p.PolicyArn] = nil
    local pol = m.policies[p.PolicyArn]
    if pol then
      pol.attachments = pol.attachments - 1
    end
    return {}
  end

  local function list_attached(op, p)
    local out = {}
    for _, a in ipairs(keys_of(owner(op, p).attached)) do
      out[#out + 1] = { PolicyArn = a, PolicyName = a:match("[^/]+$") }
    end
    return { AttachedPolicies = out, IsTruncated = false }
  end

  local function put_inline(op, p)
    need(op, p, "PolicyName", "PolicyDocument")
    owner(op, p).inline[p.PolicyName] = document(op, p.PolicyDocument)
    return {}
  end

  local function get_inline(op, p)
    need(op, p, "PolicyName")
    local e = owner(op, p)
    local doc = e.inline[p.PolicyName]
    if not doc then
      raise(op, "NoSuchEntity", "The policy with name " .. p.PolicyName .. " cannot be found.")
    end
    return { PolicyName = p.PolicyName, PolicyDocument = reform(doc, m.mangle), RoleName = p.RoleName, UserName = p.UserName }
  end

  local function delete_inline(op, p)
    need(op, p, "PolicyName")
    local e = owner(op, p)
    if not e.inline[p.PolicyName] then
      raise(op, "NoSuchEntity", "The policy with name " .. p.PolicyName .. " cannot be found.")
    end
    e.inline[p.PolicyName] = nil
    return {}
  end

  local function list_inline(op, p)
    return { PolicyNames = keys_of(owner(op, p).inline), IsTruncated = false }
  end

  local function tag(op, p)
    set_tags(owner(op, p), p.Tags)
    return {}
  end

  local function untag(op, p)
    local e = owner(op, p)
    for _, k in ipairs(p.TagKeys or {}) do
      e.tags[k] = nil
    end
    return {}
  end

  local function list_tags(op, p)
    return { Tags = tag_list(owner(op, p)), IsTruncated = false }
  end

  for _, kind in ipairs({ "role", "user" }) do
    local function bind(name, fn)
      local op = name:format(kind)
      ops[op] = function(p) return fn(op, p) end
    end
    bind("attach_%s_policy", attach)
    bind("detach_%s_policy", detach)
    bind("list_attached_%s_policies", list_attached)
    bind("put_%s_policy", put_inline)
    bind("get_%s_policy", get_inline)
    bind("delete_%s_policy", delete_inline)
    bind("list_%s_policies", list_inline)
    bind("tag_%s", tag)
    bind("untag_%s", untag)
    bind("list_%s_tags", list_tags)
  end

  -- Instance profiles -----------------------------------------------------------

  function ops.create_instance_profile(p)
    m.profiles[p.InstanceProfileName] = { name = p.InstanceProfileName, roles = {} }
    return { InstanceProfile = { InstanceProfileName = p.InstanceProfileName } }
  end

  function ops.add_role_to_instance_profile(p)
    local r = role("add_role_to_instance_profile", p)
    m.profiles[p.InstanceProfileName].roles[r.name] = true
    r.profiles[p.InstanceProfileName] = true
    return {}
  end

  function ops.list_instance_profiles_for_role(p)
    local out = {}
    for _, n in ipairs(keys_of(role("list_instance_profiles_for_role", p).profiles)) do
      out[#out + 1] = { InstanceProfileName = n, Arn = arn("instance-profile", "/", n) }
    end
    return { InstanceProfiles = out, IsTruncated = false }
  end

  function ops.remove_role_from_instance_profile(p)
    local r = role("remove_role_from_instance_profile", p)
    if not r.profiles[p.InstanceProfileName] then
      raise("remove_role_from_instance_profile", "NoSuchEntity", "Role is not in the instance profile.")
    end
    r.profiles[p.InstanceProfileName] = nil
    m.profiles[p.InstanceProfileName].roles[r.name] = nil
    return {}
  end

  -- Customer-managed policies ------------------------------------------------------

  local function policy_of(op, p)
    need(op, p, "PolicyArn")
    local pol = m.policies[p.PolicyArn]
    if not pol or pol.aws then
      raise(op, "NoSuchEntity", "Policy " .. p.PolicyArn .. " was not found.")
    end
    return pol
  end

  local function policy_out(pol)
    return {
      PolicyName = pol.name, Arn = pol.arn, Path = pol.path, DefaultVersionId = pol.default,
      AttachmentCount = pol.attachments, Description = pol.description, Tags = tag_list(pol),
    }
  end

  function ops.create_policy(p)
    need("create_policy", p, "PolicyName", "PolicyDocument")
    local a = arn("policy", p.Path, p.PolicyName)
    if m.policies[a] then
      raise("create_policy", "EntityAlreadyExists", "A policy called " .. p.PolicyName .. " already exists.")
    end
    local seq = next_seq()
    local pol = {
      name = p.PolicyName, arn = a, path = p.Path or "/", description = p.Description, tags = {},
      attachments = 0, default = "v1", next_version = 2,
      versions = { v1 = { doc = document("create_policy", p.PolicyDocument), created = date(seq) } },
    }
    set_tags(pol, p.Tags)
    m.policies[a] = pol
    return { Policy = policy_out(pol) }
  end

  function ops.get_policy(p)
    return { Policy = policy_out(policy_of("get_policy", p)) }
  end

  function ops.list_policy_tags(p)
    return { Tags = tag_list(policy_of("list_policy_tags", p)), IsTruncated = false }
  end

  function ops.get_policy_version(p)
    local pol = policy_of("get_policy_version", p)
    local v = pol.versions[p.VersionId]
    if not v then
      raise("get_policy_version", "NoSuchEntity", "Policy version " .. tostring(p.VersionId) .. " not found.")
    end
    return { PolicyVersion = { Document = reform(v.doc, m.mangle), VersionId = p.VersionId,
      IsDefaultVersion = p.VersionId == pol.default, CreateDate = v.created } }
  end

  function ops.create_policy_version(p)
    local pol = policy_of("create_policy_version", p)
    if count(pol.versions) >= 5 then
      raise("create_policy_version", "LimitExceeded", "A managed policy can have up to 5 versions.")
    end
    local id = "v" .. pol.next_version
    pol.next_version = pol.next_version + 1
    pol.versions[id] = { doc = document("create_policy_version", p.PolicyDocument), created = date(next_seq()) }
    if p.SetAsDefault then
      pol.default = id
    end
    return { PolicyVersion = { VersionId = id } }
  end

  function ops.list_policy_versions(p)
    local pol = policy_of("list_policy_versions", p)
    local out = {}
    for _, id in ipairs(keys_of(pol.versions)) do
      out[#out + 1] = { VersionId = id, IsDefaultVersion = id == pol.default, CreateDate = pol.versions[id].created }
    end
    return { Versions = out, IsTruncated = false }
  end

  function ops.delete_policy_version(p)
    local pol = policy_of("delete_policy_version", p)
    if p.VersionId == pol.default then
      raise("delete_policy_version", "DeleteConflict", "Cannot delete the default version of a policy.")
    end
    if not pol.versions[p.VersionId] then
      raise("delete_policy_version", "NoSuchEntity", "Policy version not found.")
    end
    pol.versions[p.VersionId] = nil
    return {}
  end

  function ops.list_entities_for_policy(p)
    local pol = policy_of("list_entities_for_policy", p)
    local res = { PolicyRoles = {}, PolicyUsers = {}, PolicyGroups = {}, IsTruncated = false }
    for _, r in pairs(m.roles) do
      if r.attached[pol.arn] then
        table.insert(res.PolicyRoles, { RoleName = r.name })
      end
    end
    for _, u in pairs(m.users) do
      if u.attached[pol.arn] then
        table.insert(res.PolicyUsers, { UserName = u.name })
      end
    end
    return res
  end

  function ops.delete_policy(p)
    local pol = policy_of("delete_policy", p)
    if pol.attachments > 0 or count(pol.versions) > 1 then
      raise("delete_policy", "DeleteConflict", "Cannot delete a policy attached to entities or with versions.")
    end
    m.policies[pol.arn] = nil
    return {}
  end

  -- The client tables --------------------------------------------------------------

  local function is_read(op)
    return op:match("^get_") or op:match("^list_")
  end

  local function take_fault(op)
    local f = m.faults[op]
    if not f then
      return nil
    end
    f.times = f.times - 1
    if f.times <= 0 then
      m.faults[op] = nil
    end
    return f
  end

  local function invoke(op, p)
    p = p or {}
    m.calls[#m.calls + 1] = { op = op, params = copy(p) }
    if not is_read(op) then
      m.writes[#m.writes + 1] = { op = op, params = copy(p) }
    end
    local f = take_fault(op)
    if f and not f.after then
      raise(op, f.code, f.message, f.status)
    end
    local res = ops[op](p)
    if f then
      raise(op, f.code, f.message, f.status)
    end
    return copy(res), "mock-request"
  end

  m.iam = setmetatable({}, {
    __index = function(_, op)
      if ops[op] then
        return function(p) return invoke(op, p) end
      end
    end,
  })

  function m.iam.all(op, p)
    local res = invoke(op, p)
    return res[RESULT_KEYS[op]] or {}
  end

  function m.iam.pages(op, p)
    local done = false
    return function()
      if done then
        return nil
      end
      done = true
      return (invoke(op, p))
    end
  end

  m.sts = {
    get_caller_identity = function()
      m.calls[#m.calls + 1] = { op = "get_caller_identity" }
      return { Account = m.account, Arn = string.format("arn:%s:iam::%s:user/admin", m.partition, m.account),
        UserId = "AIDAADMIN" }
    end,
  }

  function m:fail(op, err, o)
    o = o or {}
    self.faults[op] = {
      code = err.code, message = err.message or err.code, status = err.status or STATUS[err.code],
      after = o.after, times = o.times or 1,
    }
  end

  function m:clear_log()
    self.calls, self.writes = {}, {}
  end

  -- What provision.configure needs to use this IAM.
  function m:clients()
    return { iam = self.iam, sts = self.sts, json = json }
  end

  function m:role(name)
    return self.roles[name:lower()]
  end

  function m:user(name)
    return self.users[name:lower()]
  end

  return m
end

mock.json = json

return mock
