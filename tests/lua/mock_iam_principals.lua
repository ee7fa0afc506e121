-- The mock IAM's roles, users and groups: their policies (managed, inline),
-- tags, permissions boundaries, memberships, access keys and credentials.
-- See mock_iam.lua for what it is strict about.

local M = {}

local INLINE_LIMIT = { role = 10240, user = 2048, group = 5120 }

function M.install(m, ops, h)
  local raise, need = h.raise, h.need

  -- The role, user or OIDC provider an AWS principal ARN of this account
  -- names, if visible.
  local function principal_known(a)
    local acct, kind, rest = a:match("^arn:[^:]+:iam::(%d+):([%a%-]+)(/.*)$")
    if acct ~= m.account then
      return true
    end
    if kind == "oidc-provider" then
      return m.oidc[a] ~= nil
    end
    if kind ~= "role" and kind ~= "user" then
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
    if h.size(doc) > m.quotas.AssumeRolePolicySizeMax then
      raise(op, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: " .. m.quotas.AssumeRolePolicySizeMax)
    end
    for _, s in ipairs(st[1] and st or { st }) do
      if s.Resource ~= nil then
        raise(op, "MalformedPolicyDocument", "Has prohibited field Resource")
      end
      if s.Principal == nil and s.NotPrincipal == nil then
        raise(op, "MalformedPolicyDocument", "AssumeRolepolicy contained an invalid principal")
      end
      for _, kind in ipairs({ "AWS", "Federated" }) do
        local v = type(s.Principal) == "table" and s.Principal[kind]
        for _, a in ipairs(v and h.list_of(v) or {}) do
          if not principal_known(a) then
            raise(op, "MalformedPolicyDocument", string.format("Invalid principal in policy: \"%s\":\"%s\"", kind, a))
          end
        end
      end
    end
  end

  local function role(op, p)
    need(op, p, "RoleName")
    return h.find(op, m.roles, p.RoleName, "role")
  end

  local function user(op, p)
    need(op, p, "UserName")
    return h.find(op, m.users, p.UserName, "user")
  end

  local function group(op, p)
    need(op, p, "GroupName")
    return h.find(op, m.groups, p.GroupName, "group")
  end

  local function owner(op, p)
    if p.RoleName then
      return role(op, p), "role"
    elseif p.GroupName then
      return group(op, p), "group"
    end
    return user(op, p), "user"
  end

  -- Permissions boundaries -------------------------------------------------------

  local function set_boundary(op, e, a)
    local pol = h.managed(op, a)
    if e.boundary and m.policies[e.boundary] then
      m.policies[e.boundary].boundary_uses = m.policies[e.boundary].boundary_uses - 1
    end
    e.boundary = a
    pol.boundary_uses = (pol.boundary_uses or 0) + 1
  end

  local function boundary_out(e)
    return e.boundary and { PermissionsBoundaryType = "PermissionsBoundaryPolicy", PermissionsBoundaryArn = e.boundary }
      or nil
  end

  local function put_boundary(op, p)
    need(op, p, "PermissionsBoundary")
    set_boundary(op, owner(op, p), p.PermissionsBoundary)
    return {}
  end

  local function delete_boundary(op, p)
    local e = owner(op, p)
    if e.boundary and m.policies[e.boundary] then
      m.policies[e.boundary].boundary_uses = m.policies[e.boundary].boundary_uses - 1
    end
    e.boundary = nil
    return {}
  end

  -- Roles ------------------------------------------------------------------

  local function role_out(r)
    return {
      RoleName = r.name, RoleId = r.id, Arn = r.arn, Path = r.path, CreateDate = r.created,
      Description = r.description, MaxSessionDuration = r.max_session, PermissionsBoundary = boundary_out(r),
      AssumeRolePolicyDocument = h.reform(r.trust), Tags = h.tag_list(r),
    }
  end
  m.role_out = role_out

  -- A new role, user or group named p[kind.param], stored (unless the name is
  -- taken, in any case), with its path, id, ARN, boundary and tags.
  local function new_entity(op, kind, p, fields)
    local store, name = m[kind.store], p[kind.param]
    h.valid_name(op, kind.member, name, kind.max)
    if store[name:lower()] then
      raise(op, "EntityAlreadyExists", string.format("%s with name %s already exists.", kind.what, name))
    end
    local seq = h.seq()
    local e = { name = name, path = p.Path or "/", attached = {}, inline = {}, tags = {}, created = h.date(seq),
      id = kind.prefix .. seq, hidden = m.lag, principal_hidden = m.principal_lag }
    e.arn = h.arn(kind.arn, e.path, name)
    for k, v in pairs(fields) do
      e[k] = v
    end
    if p.PermissionsBoundary then
      set_boundary(op, e, p.PermissionsBoundary)
    end
    h.set_tags(op, e, p.Tags)
    store[name:lower()] = e
    return e
  end

  local ROLE = { store = "roles", param = "RoleName", member = "roleName", what = "Role", prefix = "AROA", arn = "role" }
  local USER = { store = "users", param = "UserName", member = "userName", what = "User", prefix = "AIDA", arn = "user" }
  local GROUP = { store = "groups", param = "GroupName", member = "groupName", what = "Group", prefix = "AGPA",
    arn = "group", max = 128 }

  function ops.create_role(p)
    need("create_role", p, "RoleName", "AssumeRolePolicyDocument")
    local trust = h.document("create_role", p.AssumeRolePolicyDocument)
    check_trust("create_role", trust)
    local r = new_entity("create_role", ROLE, p, {
      description = p.Description, max_session = p.MaxSessionDuration or 3600, trust = trust, profiles = {},
    })
    return { Role = role_out(r) }
  end

  function ops.get_role(p)
    return { Role = role_out(role("get_role", p)) }
  end

  function ops.update_assume_role_policy(p)
    need("update_assume_role_policy", p, "PolicyDocument")
    local r = role("update_assume_role_policy", p)
    local trust = h.document("update_assume_role_policy", p.PolicyDocument)
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
    if next(r.attached) or next(r.inline) or next(r.profiles) or h.settle(r) then
      raise("delete_role", "DeleteConflict", "Cannot delete entity, must detach all policies first.")
    end
    delete_boundary("delete_role", p)
    m.roles[r.name:lower()] = nil
    return {}
  end

  -- Users ------------------------------------------------------------------

  local function user_out(u)
    return { UserName = u.name, UserId = u.id, Arn = u.arn, Path = u.path, CreateDate = u.created,
      PermissionsBoundary = boundary_out(u), Tags = h.tag_list(u) }
  end

  function ops.create_user(p)
    need("create_user", p, "UserName")
    return { User = user_out(new_entity("create_user", USER, p, { groups = {}, keys = {}, mfa = {} })) }
  end

  function ops.get_user(p)
    return { User = user_out(user("get_user", p)) }
  end

  -- UpdateUser/UpdateGroup NewPath: the entity moves, its ARN with it.
  local function move(e, arn_kind, p)
    if p.NewPath then
      e.path = p.NewPath
      e.arn = h.arn(arn_kind, e.path, e.name)
    end
    return {}
  end

  function ops.update_user(p)
    return move(user("update_user", p), "user", p)
  end

  function ops.delete_user(p)
    local u = user("delete_user", p)
    if next(u.attached) or next(u.inline) or next(u.keys) or next(u.groups) or u.login or next(u.mfa)
        or h.settle(u) then
      raise("delete_user", "DeleteConflict", "Cannot delete entity, must delete policies/keys/groups first.")
    end
    delete_boundary("delete_user", p)
    m.users[u.name:lower()] = nil
    return {}
  end

  -- Groups -----------------------------------------------------------------

  local function group_out(g)
    return { GroupName = g.name, GroupId = g.id, Arn = g.arn, Path = g.path, CreateDate = g.created }
  end

  function ops.create_group(p)
    need("create_group", p, "GroupName")
    return { Group = group_out(new_entity("create_group", GROUP, p, { members = {} })) }
  end

  function ops.get_group(p)
    local g = group("get_group", p)
    local users = {}
    for _, k in ipairs(h.keys_of(g.members)) do
      users[#users + 1] = { UserName = m.users[k].name, Arn = m.users[k].arn }
    end
    return { Group = group_out(g), Users = users, IsTruncated = false }
  end

  function ops.update_group(p)
    return move(group("update_group", p), "group", p)
  end

  function ops.delete_group(p)
    local g = group("delete_group", p)
    if next(g.attached) or next(g.inline) or next(g.members) or h.settle(g) then
      raise("delete_group", "DeleteConflict", "Cannot delete entity, must remove users from group first.")
    end
    m.groups[g.name:lower()] = nil
    return {}
  end

  function ops.add_user_to_group(p)
    local g, u = group("add_user_to_group", p), user("add_user_to_group", p)
    if not u.groups[g.name:lower()] and h.count(u.groups) >= m.quotas.GroupsPerUserQuota then
      raise("add_user_to_group", "LimitExceeded", "Cannot exceed quota for GroupsPerUser: " .. m.quotas.GroupsPerUserQuota)
    end
    u.groups[g.name:lower()], g.members[u.name:lower()] = true, true
    return {}
  end

  function ops.remove_user_from_group(p)
    local g, u = group("remove_user_from_group", p), user("remove_user_from_group", p)
    if not u.groups[g.name:lower()] then
      raise("remove_user_from_group", "NoSuchEntity", "User is not in group " .. g.name)
    end
    u.groups[g.name:lower()], g.members[u.name:lower()] = nil, nil
    return {}
  end

  function ops.list_groups_for_user(p)
    local out = {}
    for _, k in ipairs(h.keys_of(user("list_groups_for_user", p).groups)) do
      out[#out + 1] = group_out(m.groups[k])
    end
    return { Groups = out, IsTruncated = false }
  end

  -- Login profile, MFA, SSH keys, certificates, access keys ------------------------

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
    for _, s in ipairs(h.keys_of(user("list_mfa_devices", p).mfa)) do
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

  function ops.create_access_key(p)
    local u = user("create_access_key", p)
    if h.count(u.keys) >= 2 then
      raise("create_access_key", "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    end
    local seq = h.seq()
    local k = {
      UserName = u.name, AccessKeyId = string.format("AKIAMOCK%012d", seq), Status = "Active",
      SecretAccessKey = string.format("mocksecret/%d+%x", seq, math.random(1 << 30)), CreateDate = h.date(seq),
    }
    u.keys[k.AccessKeyId] = k
    return { AccessKey = h.copy(k) }
  end

  function ops.list_access_keys(p)
    local u = user("list_access_keys", p)
    local out = {}
    for _, id in ipairs(h.keys_of(u.keys)) do
      local k = u.keys[id]
      out[#out + 1] = { UserName = u.name, AccessKeyId = id, Status = k.Status, CreateDate = k.CreateDate }
    end
    return { AccessKeyMetadata = out, IsTruncated = false }
  end

  local function key_of(op, p)
    need(op, p, "AccessKeyId")
    local k = user(op, p).keys[p.AccessKeyId]
    if not k then
      raise(op, "NoSuchEntity", "The Access Key with id " .. p.AccessKeyId .. " cannot be found.")
    end
    return k
  end

  function ops.update_access_key(p)
    need("update_access_key", p, "Status")
    key_of("update_access_key", p).Status = p.Status
    return {}
  end

  function ops.delete_access_key(p)
    key_of("delete_access_key", p)
    user("delete_access_key", p).keys[p.AccessKeyId] = nil
    return {}
  end

  -- Attached and inline policies, tags (roles, users, groups) ----------------------

  local function attach(op, p)
    need(op, p, "PolicyArn")
    local e, kind = owner(op, p)
    local pol = h.managed(op, p.PolicyArn)
    if not e.attached[p.PolicyArn] then
      local quota = m.quotas[string.format("AttachedPoliciesPer%sQuota", kind:gsub("^%l", string.upper))]
      if h.count(e.attached) >= quota then
        raise(op, "LimitExceeded", string.format("Cannot exceed quota for PoliciesPer%s: %d",
          kind:gsub("^%l", string.upper), quota))
      end
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
    for _, a in ipairs(h.keys_of(owner(op, p).attached)) do
      out[#out + 1] = { PolicyArn = a, PolicyName = a:match("[^/]+$") }
    end
    return { AttachedPolicies = out, IsTruncated = false }
  end

  local function put_inline(op, p)
    need(op, p, "PolicyName", "PolicyDocument")
    h.valid_name(op, "policyName", p.PolicyName, 128)
    local e, kind = owner(op, p)
    local doc = h.document(op, p.PolicyDocument)
    local total = h.size(doc)
    for name, d in pairs(e.inline) do
      total = total + (name ~= p.PolicyName and h.size(d) or 0)
    end
    if total > INLINE_LIMIT[kind] then
      raise(op, "LimitExceeded", string.format("Maximum policy size of %d bytes exceeded for %s %s",
        INLINE_LIMIT[kind], kind, e.name))
    end
    e.inline[p.PolicyName] = doc
    return {}
  end

  local function get_inline(op, p)
    need(op, p, "PolicyName")
    local e = owner(op, p)
    local doc = e.inline[p.PolicyName]
    if not doc then
      raise(op, "NoSuchEntity", "The policy with name " .. p.PolicyName .. " cannot be found.")
    end
    return { PolicyName = p.PolicyName, PolicyDocument = h.reform(doc), RoleName = p.RoleName, UserName = p.UserName,
      GroupName = p.GroupName }
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
    return { PolicyNames = h.keys_of(owner(op, p).inline), IsTruncated = false }
  end

  local function tag(op, p)
    h.set_tags(op, owner(op, p), p.Tags)
    return {}
  end

  local function untag(op, p)
    h.untag(owner(op, p), p.TagKeys)
    return {}
  end

  local function list_tags(op, p)
    return { Tags = h.tag_list(owner(op, p)), IsTruncated = false }
  end

  local function bind(kind, name, fn)
    local op = name:format(kind)
    ops[op] = function(p) return fn(op, p) end
  end

  for _, kind in ipairs({ "role", "user", "group" }) do
    bind(kind, "attach_%s_policy", attach)
    bind(kind, "detach_%s_policy", detach)
    bind(kind, "list_attached_%s_policies", list_attached)
    bind(kind, "put_%s_policy", put_inline)
    bind(kind, "get_%s_policy", get_inline)
    bind(kind, "delete_%s_policy", delete_inline)
    bind(kind, "list_%s_policies", list_inline)
  end
  for _, kind in ipairs({ "role", "user" }) do
    bind(kind, "tag_%s", tag)
    bind(kind, "untag_%s", untag)
    bind(kind, "list_%s_tags", list_tags)
    bind(kind, "put_%s_permissions_boundary", put_boundary)
    bind(kind, "delete_%s_permissions_boundary", delete_boundary)
  end
end

return M
