-- The mock IAM's managed policies (AWS's and the account's), instance
-- profiles, OIDC providers and the account summary. See mock_iam.lua for
-- what it is strict about.

local M = {}

function M.install(m, ops, h)
  local raise, need = h.raise, h.need

  -- Customer managed policies --------------------------------------------------------

  local function policy_of(op, p, any)
    need(op, p, "PolicyArn")
    local pol = m.policies[p.PolicyArn]
    if not pol or (pol.aws and not any) then
      raise(op, "NoSuchEntity", "Policy " .. p.PolicyArn .. " was not found.")
    end
    return pol
  end

  local function policy_out(pol)
    return {
      PolicyName = pol.name, Arn = pol.arn, Path = pol.path, DefaultVersionId = pol.default,
      AttachmentCount = pol.attachments, PermissionsBoundaryUsageCount = pol.boundary_uses, IsAttachable = true,
      Description = pol.description, Tags = h.tag_list(pol),
    }
  end

  local function document(op, d)
    local doc = h.document(op, d)
    if h.size(doc) > m.quotas.PolicySizeQuota then
      raise(op, "LimitExceeded", "Cannot exceed quota for PolicySize: " .. m.quotas.PolicySizeQuota)
    end
    return doc
  end

  function ops.create_policy(p)
    need("create_policy", p, "PolicyName", "PolicyDocument")
    h.valid_name("create_policy", "policyName", p.PolicyName, 128)
    local a = h.arn("policy", p.Path, p.PolicyName)
    if m.policies[a] then
      raise("create_policy", "EntityAlreadyExists", "A policy called " .. p.PolicyName .. " already exists.")
    end
    local seq = h.seq()
    local pol = {
      name = p.PolicyName, arn = a, path = p.Path or "/", description = p.Description, tags = {},
      attachments = 0, boundary_uses = 0, default = "v1", next_version = 2,
      versions = { v1 = { doc = document("create_policy", p.PolicyDocument), created = h.date(seq) } },
    }
    h.set_tags("create_policy", pol, p.Tags)
    m.policies[a] = pol
    return { Policy = policy_out(pol) }
  end

  function ops.get_policy(p)
    return { Policy = policy_out(policy_of("get_policy", p, true)) }
  end

  function ops.list_policy_tags(p)
    return { Tags = h.tag_list(policy_of("list_policy_tags", p)), IsTruncated = false }
  end

  function ops.tag_policy(p)
    h.set_tags("tag_policy", policy_of("tag_policy", p), p.Tags)
    return {}
  end

  function ops.untag_policy(p)
    h.untag(policy_of("untag_policy", p), p.TagKeys)
    return {}
  end

  function ops.get_policy_version(p)
    local pol = policy_of("get_policy_version", p, true)
    local v = pol.versions[p.VersionId]
    if not v then
      raise("get_policy_version", "NoSuchEntity", "Policy version " .. tostring(p.VersionId) .. " not found.")
    end
    return { PolicyVersion = { Document = h.reform(v.doc), VersionId = p.VersionId,
      IsDefaultVersion = p.VersionId == pol.default, CreateDate = v.created } }
  end

  function ops.create_policy_version(p)
    local pol = policy_of("create_policy_version", p)
    if h.count(pol.versions) >= 5 then
      raise("create_policy_version", "LimitExceeded", "A managed policy can have up to 5 versions.")
    end
    local id = "v" .. pol.next_version
    pol.next_version = pol.next_version + 1
    pol.versions[id] = { doc = document("create_policy_version", p.PolicyDocument), created = h.date(h.seq()) }
    if p.SetAsDefault then
      pol.default = id
    end
    return { PolicyVersion = { VersionId = id } }
  end

  function ops.list_policy_versions(p)
    local pol = policy_of("list_policy_versions", p, true)
    local out = {}
    for _, id in ipairs(h.keys_of(pol.versions)) do
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

  -- Where a policy is attached (PermissionsPolicy) or a boundary
  -- (PermissionsBoundary); both without a filter.
  function ops.list_entities_for_policy(p)
    local pol = policy_of("list_entities_for_policy", p, true)
    local filter = p.PolicyUsageFilter
    local res = { PolicyRoles = {}, PolicyUsers = {}, PolicyGroups = {}, IsTruncated = false }
    local function uses(e)
      return (filter ~= "PermissionsBoundary" and e.attached[pol.arn])
        or (filter ~= "PermissionsPolicy" and e.boundary == pol.arn)
    end
    for _, kind in ipairs({ { m.roles, "PolicyRoles", "RoleName" }, { m.users, "PolicyUsers", "UserName" },
      { m.groups, "PolicyGroups", "GroupName" } }) do
      for _, key in ipairs(h.keys_of(kind[1])) do
        local e = kind[1][key]
        if uses(e) then
          table.insert(res[kind[2]], { [kind[3]] = e.name })
        end
      end
    end
    return res
  end

  function ops.delete_policy(p)
    local pol = policy_of("delete_policy", p)
    if pol.attachments > 0 or pol.boundary_uses > 0 or h.count(pol.versions) > 1 then
      raise("delete_policy", "DeleteConflict",
        "Cannot delete a policy attached to entities, used as a permissions boundary, or with versions.")
    end
    m.policies[pol.arn] = nil
    return {}
  end

  -- Instance profiles -----------------------------------------------------------

  local function profile(op, p)
    need(op, p, "InstanceProfileName")
    return h.find(op, m.profiles, p.InstanceProfileName, "instance profile")
  end

  local function profile_out(ip)
    local roles = {}
    for _, k in ipairs(h.keys_of(ip.roles)) do
      roles[#roles + 1] = m.role_out(m.roles[k])
    end
    return { InstanceProfileName = ip.name, InstanceProfileId = ip.id, Arn = ip.arn, Path = ip.path,
      CreateDate = ip.created, Roles = roles, Tags = h.tag_list(ip) }
  end

  function ops.create_instance_profile(p)
    need("create_instance_profile", p, "InstanceProfileName")
    h.valid_name("create_instance_profile", "instanceProfileName", p.InstanceProfileName, 128)
    if m.profiles[p.InstanceProfileName:lower()] then
      raise("create_instance_profile", "EntityAlreadyExists",
        "Instance Profile " .. p.InstanceProfileName .. " already exists.")
    end
    local seq = h.seq()
    local ip = { name = p.InstanceProfileName, path = p.Path or "/", roles = {}, tags = {}, id = "AIPA" .. seq,
      created = h.date(seq) }
    ip.arn = h.arn("instance-profile", ip.path, ip.name)
    h.set_tags("create_instance_profile", ip, p.Tags)
    m.profiles[ip.name:lower()] = ip
    return { InstanceProfile = profile_out(ip) }
  end

  function ops.get_instance_profile(p)
    return { InstanceProfile = profile_out(profile("get_instance_profile", p)) }
  end

  function ops.add_role_to_instance_profile(p)
    local ip = profile("add_role_to_instance_profile", p)
    need("add_role_to_instance_profile", p, "RoleName")
    local r = h.find("add_role_to_instance_profile", m.roles, p.RoleName, "role")
    if next(ip.roles) then
      raise("add_role_to_instance_profile", "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    end
    ip.roles[r.name:lower()] = true
    r.profiles[ip.name:lower()] = true
    return {}
  end

  function ops.remove_role_from_instance_profile(p)
    local ip = profile("remove_role_from_instance_profile", p)
    local r = h.find("remove_role_from_instance_profile", m.roles, p.RoleName, "role")
    if not ip.roles[r.name:lower()] then
      raise("remove_role_from_instance_profile", "NoSuchEntity", "Role is not in the instance profile.")
    end
    ip.roles[r.name:lower()], r.profiles[ip.name:lower()] = nil, nil
    return {}
  end

  function ops.list_instance_profiles_for_role(p)
    need("list_instance_profiles_for_role", p, "RoleName")
    local r = h.find("list_instance_profiles_for_role", m.roles, p.RoleName, "role")
    local out = {}
    for _, k in ipairs(h.keys_of(r.profiles)) do
      out[#out + 1] = profile_out(m.profiles[k])
    end
    return { InstanceProfiles = out, IsTruncated = false }
  end

  function ops.tag_instance_profile(p)
    h.set_tags("tag_instance_profile", profile("tag_instance_profile", p), p.Tags)
    return {}
  end

  function ops.untag_instance_profile(p)
    h.untag(profile("untag_instance_profile", p), p.TagKeys)
    return {}
  end

  function ops.delete_instance_profile(p)
    local ip = profile("delete_instance_profile", p)
    if next(ip.roles) then
      raise("delete_instance_profile", "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    end
    m.profiles[ip.name:lower()] = nil
    return {}
  end

  -- OIDC providers ------------------------------------------------------------------

  local function provider(op, p)
    need(op, p, "OpenIDConnectProviderArn")
    local o = m.oidc[p.OpenIDConnectProviderArn]
    if not o then
      raise(op, "NoSuchEntity", "OpenIDConnect Provider not found for arn " .. p.OpenIDConnectProviderArn)
    end
    return o
  end

  function ops.create_open_id_connect_provider(p)
    need("create_open_id_connect_provider", p, "Url")
    local host = p.Url:match("^https://(.+)$")
    if not host then
      raise("create_open_id_connect_provider", "ValidationError", "Invalid Open ID Connect Provider URL")
    end
    local a = string.format("arn:%s:iam::%s:oidc-provider/%s", m.partition, m.account, host)
    if m.oidc[a] then
      raise("create_open_id_connect_provider", "EntityAlreadyExists", "Provider with url " .. p.Url .. " already exists.")
    end
    local o = { url = host, arn = a, clients = h.copy(p.ClientIDList or {}), thumbprints = h.copy(p.ThumbprintList or {}),
      tags = {}, created = h.date(h.seq()) }
    h.set_tags("create_open_id_connect_provider", o, p.Tags)
    m.oidc[a] = o
    return { OpenIDConnectProviderArn = a, Tags = h.tag_list(o) }
  end

  function ops.get_open_id_connect_provider(p)
    local o = provider("get_open_id_connect_provider", p)
    return { Url = o.url, ClientIDList = h.copy(o.clients), ThumbprintList = h.copy(o.thumbprints),
      CreateDate = o.created, Tags = h.tag_list(o) }
  end

  function ops.list_open_id_connect_providers()
    local out = {}
    for _, a in ipairs(h.keys_of(m.oidc)) do
      out[#out + 1] = { Arn = a }
    end
    return { OpenIDConnectProviderList = out }
  end

  function ops.add_client_id_to_open_id_connect_provider(p)
    local o = provider("add_client_id_to_open_id_connect_provider", p)
    for _, c in ipairs(o.clients) do
      if c == p.ClientID then
        return {}
      end
    end
    o.clients[#o.clients + 1] = p.ClientID
    return {}
  end

  function ops.remove_client_id_from_open_id_connect_provider(p)
    local o = provider("remove_client_id_from_open_id_connect_provider", p)
    for i, c in ipairs(o.clients) do
      if c == p.ClientID then
        table.remove(o.clients, i)
        break
      end
    end
    return {}
  end

  function ops.update_open_id_connect_provider_thumbprint(p)
    provider("update_open_id_connect_provider_thumbprint", p).thumbprints = h.copy(p.ThumbprintList or {})
    return {}
  end

  function ops.tag_open_id_connect_provider(p)
    h.set_tags("tag_open_id_connect_provider", provider("tag_open_id_connect_provider", p), p.Tags)
    return {}
  end

  function ops.untag_open_id_connect_provider(p)
    h.untag(provider("untag_open_id_connect_provider", p), p.TagKeys)
    return {}
  end

  function ops.list_open_id_connect_provider_tags(p)
    return { Tags = h.tag_list(provider("list_open_id_connect_provider_tags", p)), IsTruncated = false }
  end

  function ops.delete_open_id_connect_provider(p)
    local o = provider("delete_open_id_connect_provider", p)
    m.oidc[o.arn] = nil
    return {}
  end

  -- The account -------------------------------------------------------------------

  function ops.get_account_summary()
    return { SummaryMap = h.copy(m.quotas) }
  end
end

return M
