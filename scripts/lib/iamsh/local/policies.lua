-- iamsh.local.policies: managed policies (the account's, with up to 5 versions,
-- and AWS's from the catalogue), their listing, tags and where they are used.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local catalogue = require("iamsh.local.catalogue")
local res = require("iamsh.local.resources")

local M = {}

local POLICY_QUOTA = 6144 -- PolicySize: a managed policy's characters, white space aside
local MAX_VERSIONS = 5

-- The managed policy p.PolicyArn names; NoSuchEntity unless it exists (and, with
-- own, is the account's: AWS's cannot be changed).
local function find(r, p, own)
  entities.check_arn(p.PolicyArn)
  local pol = entities.managed(r, p.PolicyArn)
  if not pol or (own and pol.aws) then
    errors.no_such("Policy %s was not found.", p.PolicyArn)
  end
  return pol
end

local function save(r, rec)
  r.store.put("policy", rec.name:lower(), rec)
end

-- A Policy; full adds what GetPolicy gives beyond ListPolicies.
local function policy_out(r, pol, full)
  local out = { PolicyName = pol.name, Arn = pol.arn, Path = pol.path, IsAttachable = true }
  if pol.aws then
    local use = r.store.get("aws_policy", pol.arn) or { attachments = 0, boundary_uses = 0 }
    local e = pol.entry
    out.PolicyId, out.DefaultVersionId, out.CreateDate, out.UpdateDate = e.id, e.version, e.created, e.updated
    out.AttachmentCount, out.PermissionsBoundaryUsageCount = use.attachments, use.boundary_uses
    return out
  end
  local rec = pol.record
  out.PolicyId, out.DefaultVersionId, out.CreateDate, out.UpdateDate = rec.id, rec.default, rec.created, rec.updated
  out.AttachmentCount, out.PermissionsBoundaryUsageCount = rec.attachments, rec.boundary_uses
  if full then
    out.Description = rec.description
    out.Tags = util.tags_out(rec.tags)
  end
  return out
end
M.policy_out = policy_out

-- A managed policy's document as IAM takes it: the grammar, then the quota.
local function document(p)
  local text = util.doc_text(p.PolicyDocument)
  util.check_doc(text, "managed")
  if util.doc_size(text) > POLICY_QUOTA then
    errors.limit("Cannot exceed quota for PolicySize: %d", POLICY_QUOTA)
  end
  return text
end

M.CreatePolicy = { resource = res.new_policy, fn = function(r, p)
  if r.store.get("policy", p.PolicyName:lower()) then
    errors.exists("A policy called %s already exists. Duplicate names are not allowed.", p.PolicyName)
  end
  local rec = { name = p.PolicyName, path = p.Path or "/", id = util.id(r, "ANPA"), created = r.iso, updated = r.iso,
    description = p.Description, default = "v1", next = 2, attachments = 0, boundary_uses = 0,
    versions = { { id = "v1", doc = document(p), created = r.iso } } }
  rec.tags = util.add_tags({}, p.Tags)
  save(r, rec)
  local out = policy_out(r, { arn = util.arn(r, "policy", rec.path, rec.name), name = rec.name, path = rec.path,
    record = rec }, true)
  out.Description = nil
  return { Policy = out }
end }

M.GetPolicy = { resource = res.policy, fn = function(r, p)
  return { Policy = policy_out(r, find(r, p), true) }
end }

-- The versions of a policy: {id =, doc =, created =} each, newest first.
local function versions(pol)
  if pol.aws then
    local e = pol.entry
    return { { id = e.version, doc = e.document, created = e.updated } }
  end
  local out = util.copy(pol.record.versions)
  table.sort(out, function(a, b) return tonumber(a.id:sub(2)) > tonumber(b.id:sub(2)) end)
  return out
end

local function version(pol, id, arn)
  for _, v in ipairs(versions(pol)) do
    if v.id == id then
      return v
    end
  end
  errors.no_such("Policy %s version %s does not exist or is not attachable.", arn, id)
end

local function default_id(pol)
  return pol.aws and pol.entry.version or pol.record.default
end

M.GetPolicyVersion = { resource = res.policy, fn = function(r, p)
  local pol = find(r, p)
  local v = version(pol, p.VersionId, p.PolicyArn)
  return { PolicyVersion = { Document = v.doc, VersionId = v.id, IsDefaultVersion = v.id == default_id(pol),
    CreateDate = v.created } }
end }

M.ListPolicyVersions = { resource = res.policy, fn = function(r, p)
  local pol = find(r, p)
  local out = {}
  for _, v in ipairs(versions(pol)) do
    out[#out + 1] = { VersionId = v.id, IsDefaultVersion = v.id == default_id(pol), CreateDate = v.created }
  end
  return util.list_in_order("Versions", out, p)
end }

M.CreatePolicyVersion = { resource = res.policy, fn = function(r, p)
  local rec = find(r, p, true).record
  local text = document(p)
  if #rec.versions >= MAX_VERSIONS then
    errors.limit("A managed policy can have up to %d versions. Before you create a new version, you must delete "
      .. "an existing version.", MAX_VERSIONS)
  end
  local v = { id = "v" .. rec.next, doc = text, created = r.iso }
  rec.next = rec.next + 1
  rec.versions[#rec.versions + 1] = v
  if p.SetAsDefault then
    rec.default, rec.updated = v.id, r.iso
  end
  save(r, rec)
  return { PolicyVersion = { VersionId = v.id, IsDefaultVersion = rec.default == v.id, CreateDate = v.created } }
end }

M.SetDefaultPolicyVersion = { resource = res.policy, fn = function(r, p)
  local pol = find(r, p, true)
  version(pol, p.VersionId, p.PolicyArn)
  pol.record.default, pol.record.updated = p.VersionId, r.iso
  save(r, pol.record)
  return {}
end }

M.DeletePolicyVersion = { resource = res.policy, fn = function(r, p)
  local pol = find(r, p, true)
  version(pol, p.VersionId, p.PolicyArn)
  if p.VersionId == pol.record.default then
    errors.conflict("Cannot delete the default version of a policy.")
  end
  local rec = pol.record
  for i, v in ipairs(rec.versions) do
    if v.id == p.VersionId then
      table.remove(rec.versions, i)
      break
    end
  end
  save(r, rec)
  return {}
end }

M.DeletePolicy = { resource = res.policy, fn = function(r, p)
  local rec = find(r, p, true).record
  if rec.attachments > 0 then
    errors.conflict("Cannot delete a policy attached to entities.")
  end
  if rec.boundary_uses > 0 then
    errors.conflict("Cannot delete a policy that is in use as a permissions boundary.")
  end
  if #rec.versions > 1 then
    errors.conflict("This policy has more than one version. Before you delete a policy, you must delete the "
      .. "policy's versions. The default version is deleted with the policy.")
  end
  r.store.delete("policy", rec.name:lower())
  return {}
end }

-- Listing ---------------------------------------------------------------------------

local function aws_policies(r)
  local out = {}
  for _, name in ipairs(catalogue.names()) do
    local e = catalogue.get(name)
    out[#out + 1] = { arn = catalogue.arn(e, r.partition), name = e.name, path = e.path, aws = true, entry = e }
  end
  return out
end

local function local_policies(r)
  local out = {}
  for _, kv in ipairs(r.store.list("policy")) do
    local rec = kv.value
    out[#out + 1] = { arn = util.arn(r, "policy", rec.path, rec.name), name = rec.name, path = rec.path, record = rec }
  end
  return out
end

-- Whether ListPolicies' filters keep a policy (o: its output): in use as the
-- usage filter says (attached, a boundary, or either) when OnlyAttached or a
-- filter asks for it, and under the path prefix.
local function kept(p, o)
  local used = o.AttachmentCount > 0 or o.PermissionsBoundaryUsageCount > 0
  if p.PolicyUsageFilter == "PermissionsPolicy" then
    used = o.AttachmentCount > 0
  elseif p.PolicyUsageFilter == "PermissionsBoundary" then
    used = o.PermissionsBoundaryUsageCount > 0
  end
  if (p.OnlyAttached or p.PolicyUsageFilter) and not used then
    return false
  end
  return util.under(o.Path, p.PathPrefix)
end

M.ListPolicies = { resource = res.listing("policy"), fn = function(r, p)
  local pols = {}
  if p.Scope ~= "Local" then
    pols = aws_policies(r)
  end
  if p.Scope ~= "AWS" then
    for _, x in ipairs(local_policies(r)) do
      pols[#pols + 1] = x
    end
  end
  local out = {}
  for _, pol in ipairs(pols) do
    local o = policy_out(r, pol, false)
    if kept(p, o) then
      out[#out + 1] = o
    end
  end
  util.sorted(out, function(o) return o.PolicyName:lower() .. "\0" .. o.Arn end)
  return util.list_result("Policies", out, p, function(o) return o.PolicyName:lower() .. "\0" .. o.Arn end)
end }

-- Where a policy is used: attached (PermissionsPolicy), as a boundary
-- (PermissionsBoundary), or either.
local function uses(e, a, filter)
  return (filter ~= "PermissionsBoundary" and util.contains(e.attached, a))
    or (filter ~= "PermissionsPolicy" and e.boundary == a)
end

local ENTITY_LISTS = {
  { kind = "group", list = "PolicyGroups", name = "GroupName", id = "GroupId", filter = "Group" },
  { kind = "user", list = "PolicyUsers", name = "UserName", id = "UserId", filter = "User" },
  { kind = "role", list = "PolicyRoles", name = "RoleName", id = "RoleId", filter = "Role" },
}

M.ListEntitiesForPolicy = { resource = res.policy, fn = function(r, p)
  local pol = find(r, p)
  local items = {}
  for _, k in ipairs(ENTITY_LISTS) do
    if not p.EntityFilter or p.EntityFilter == k.filter then
      for _, e in ipairs(entities.all(r, k.kind)) do
        if uses(e, pol.arn, p.PolicyUsageFilter) and util.under(e.path, p.PathPrefix) then
          items[#items + 1] = { key = k.kind .. "\0" .. e.name:lower(), list = k.list,
            value = { [k.name] = e.name, [k.id] = e.id } }
        end
      end
    end
  end
  local page, truncated, marker = util.page(items, p, function(it) return it.key end)
  local out = { PolicyGroups = {}, PolicyUsers = {}, PolicyRoles = {}, IsTruncated = truncated, Marker = marker }
  for _, it in ipairs(page) do
    table.insert(out[it.list], it.value)
  end
  return out
end }

-- Tags --------------------------------------------------------------------------------

M.TagPolicy = { resource = res.policy, fn = function(r, p)
  local rec = find(r, p, true).record
  rec.tags = util.add_tags(rec.tags, p.Tags)
  save(r, rec)
  return {}
end }

M.UntagPolicy = { resource = res.policy, fn = function(r, p)
  local rec = find(r, p, true).record
  rec.tags = util.remove_tags(rec.tags, p.TagKeys)
  save(r, rec)
  return {}
end }

M.ListPolicyTags = { resource = res.policy, fn = function(r, p)
  return util.list_in_order("Tags", find(r, p, true).record.tags, p)
end }

return M
