-- iamsh.local.entities: roles, users, groups and instance profiles in the store
-- (keyed by their lower-cased names: IAM's names are unique ignoring case), the
-- managed policies they attach (the account's and AWS's), and their shapes in
-- results.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local catalogue = require("iamsh.local.catalogue")

local M = {}

-- coll: the store's collection; what: as IAM's messages name it; prefix: of ids.
M.KINDS = {
  role = { coll = "role", what = "role", title = "Role", prefix = "AROA", arn = "role" },
  user = { coll = "user", what = "user", title = "User", prefix = "AIDA", arn = "user" },
  group = { coll = "group", what = "group", title = "Group", prefix = "AGPA", arn = "group" },
  profile = { coll = "instance_profile", what = "Instance Profile", prefix = "AIPA", arn = "instance-profile" },
}

function M.get(r, kind, name)
  if type(name) ~= "string" then
    return nil
  end
  return r.store.get(M.KINDS[kind].coll, name:lower())
end

-- The entity, or NoSuchEntity in IAM's words.
function M.find(r, kind, name)
  local e = M.get(r, kind, name)
  if not e then
    if kind == "profile" then
      errors.no_such("Instance Profile %s cannot be found.", name)
    end
    errors.no_such("The %s with name %s cannot be found.", M.KINDS[kind].what, name)
  end
  return e
end

function M.save(r, kind, e)
  r.store.put(M.KINDS[kind].coll, e.name:lower(), e)
end

function M.remove(r, kind, e)
  r.store.delete(M.KINDS[kind].coll, e.name:lower())
end

function M.arn(r, kind, e)
  return util.arn(r, M.KINDS[kind].arn, e.path, e.name)
end

-- Every entity of kind, in name order.
function M.all(r, kind)
  local out = {}
  for _, kv in ipairs(r.store.list(M.KINDS[kind].coll)) do
    out[#out + 1] = kv.value
  end
  return out
end

-- A new entity record (not yet saved): name, path, id, creation date.
function M.new(r, kind, name, path)
  if M.get(r, kind, name) then
    if kind == "profile" then
      errors.exists("Instance Profile %s already exists.", name)
    end
    errors.exists("%s with name %s already exists.", M.KINDS[kind].title, name)
  end
  return { name = name, path = path or "/", id = util.id(r, M.KINDS[kind].prefix), created = r.iso, tags = {},
    inline = {}, attached = {} }
end

-- Managed policies ---------------------------------------------------------------

-- The managed policy an ARN names: {arn =, name =, path =, aws = true|nil,
-- record = the account's policy record, entry = the catalogue's}, or nil.
function M.managed(r, a)
  if type(a) ~= "string" then
    return nil
  end
  local e = catalogue.by_arn(a)
  if e and a:match("^arn:([%w%-]+):") == r.partition then
    return { arn = a, name = e.name, path = e.path, aws = true, entry = e }
  end
  local name, path = util.arn_name(a, "policy", r.account)
  local rec = name and r.store.get("policy", name:lower())
  if rec and rec.path == path and rec.name == name and a:match("^arn:([%w%-]+):") == r.partition then
    return { arn = a, name = rec.name, path = rec.path, record = rec }
  end
  return nil
end

-- Raises InvalidInput for text that is not an ARN ("ARN x is not valid.").
function M.check_arn(a)
  if not util.split_arn(a) then
    errors.invalid("ARN %s is not valid.", tostring(a))
  end
end

-- The policy to attach (or use as a boundary), or NoSuchEntity as IAM says it.
function M.attachable(r, a)
  M.check_arn(a)
  local pol = M.managed(r, a)
  if not pol then
    errors.no_such("Policy %s does not exist or is not attachable.", a)
  end
  return pol
end

-- The default version's document (JSON text) of a managed policy.
function M.document(pol)
  if pol.aws then
    return pol.entry.document
  end
  for _, v in ipairs(pol.record.versions) do
    if v.id == pol.record.default then
      return v.doc
    end
  end
end

-- Adds delta to a policy's count (attachments or boundary_uses): the account's
-- own policies keep it in their record, AWS's in the collection aws_policy.
function M.count_use(r, pol, field, delta)
  if pol.aws then
    local use = r.store.get("aws_policy", pol.arn) or { attachments = 0, boundary_uses = 0 }
    use[field] = use[field] + delta
    if use.attachments == 0 and use.boundary_uses == 0 then
      r.store.delete("aws_policy", pol.arn)
    else
      r.store.put("aws_policy", pol.arn, use)
    end
    return
  end
  local rec = r.store.get("policy", pol.name:lower())
  rec[field] = rec[field] + delta
  r.store.put("policy", pol.name:lower(), rec)
end

-- Permissions boundaries ------------------------------------------------------------

-- Sets e's boundary to the policy ARN a (counting its use), releasing the old one.
function M.set_boundary(r, e, a)
  if type(a) ~= "string" or not util.split_arn(a) then
    errors.invalid("Value (%s) for parameter PermissionsBoundary is invalid.", tostring(a))
  end
  local pol = M.managed(r, a)
  if not pol then
    errors.no_such("Policy %s does not exist or is not attachable.", a)
  end
  M.clear_boundary(r, e)
  M.count_use(r, pol, "boundary_uses", 1)
  e.boundary = a
end

function M.clear_boundary(r, e)
  local old = e.boundary and M.managed(r, e.boundary)
  if old then
    M.count_use(r, old, "boundary_uses", -1)
  end
  e.boundary = nil
end

function M.boundary_out(e)
  if not e.boundary then
    return nil
  end
  return { PermissionsBoundaryType = "PermissionsBoundaryPolicy", PermissionsBoundaryArn = e.boundary }
end

-- Shapes in results ------------------------------------------------------------------

-- A Role; full = what GetRole adds to the fields ListRoles gives.
function M.role_out(r, e, full)
  local out = {
    Path = e.path, RoleName = e.name, RoleId = e.id, Arn = M.arn(r, "role", e), CreateDate = e.created,
    AssumeRolePolicyDocument = e.trust, Description = e.description, MaxSessionDuration = e.max_session,
  }
  if full then
    out.PermissionsBoundary = M.boundary_out(e)
    out.Tags = util.tags_out(e.tags)
    out.RoleLastUsed = e.last_used and { LastUsedDate = e.last_used.date, Region = e.last_used.region } or {}
  end
  return out
end

function M.user_out(r, e, full)
  local out = { Path = e.path, UserName = e.name, UserId = e.id, Arn = M.arn(r, "user", e), CreateDate = e.created,
    PasswordLastUsed = e.password_last_used }
  if full then
    out.PermissionsBoundary = M.boundary_out(e)
    out.Tags = util.tags_out(e.tags)
  end
  return out
end

function M.group_out(r, e)
  return { Path = e.path, GroupName = e.name, GroupId = e.id, Arn = M.arn(r, "group", e), CreateDate = e.created }
end

function M.profile_out(r, e)
  local roles = {}
  for _, key in ipairs(e.roles) do
    local role = r.store.get("role", key)
    if role then
      roles[#roles + 1] = M.role_out(r, role, false)
    end
  end
  return { Path = e.path, InstanceProfileName = e.name, InstanceProfileId = e.id, Arn = M.arn(r, "profile", e),
    CreateDate = e.created, Roles = roles, Tags = util.tags_out(e.tags) }
end

return M
