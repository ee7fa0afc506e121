-- iamsh.local.attach: the policies of roles, users and groups: managed policies
-- attached (10 each by default), inline policies (within the entity's size quota)
-- and permissions boundaries.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local res = require("iamsh.local.resources")

local M = {}

local ATTACHED_QUOTA = 10 -- PoliciesPerRole/User/Group
-- An entity's inline policies together, white space aside.
local INLINE_QUOTA = { role = 10240, user = 2048, group = 5120 }

local KINDS = {
  role = { title = "Role", param = "RoleName", resource = res.role },
  user = { title = "User", param = "UserName", resource = res.user },
  group = { title = "Group", param = "GroupName", resource = res.group },
}

local function entity(r, kind, p, change)
  local e = entities.find(r, kind, p[KINDS[kind].param])
  if change and e.linked_service then
    require("iamsh.local.roles").modifiable(e)
  end
  return e
end

local function attach(kind)
  return function(r, p)
    local e = entity(r, kind, p, true)
    local pol = entities.attachable(r, p.PolicyArn)
    if pol.aws and pol.path == "/aws-service-role/" then
      errors.raise("PolicyNotAttachable",
        "AWS service role policies can only be attached to the service-linked role for that service.")
    end
    if util.contains(e.attached, pol.arn) then
      return {}
    end
    if #e.attached >= ATTACHED_QUOTA then
      errors.limit("Cannot exceed quota for PoliciesPer%s: %d", KINDS[kind].title, ATTACHED_QUOTA)
    end
    e.attached[#e.attached + 1] = pol.arn
    entities.count_use(r, pol, "attachments", 1)
    entities.save(r, kind, e)
    return {}
  end
end

local function detach(kind)
  return function(r, p)
    local e = entity(r, kind, p, true)
    entities.check_arn(p.PolicyArn)
    local found
    e.attached, found = util.without(e.attached, p.PolicyArn)
    if not found then
      errors.no_such("Policy %s was not found.", p.PolicyArn)
    end
    local pol = entities.managed(r, p.PolicyArn)
    if pol then
      entities.count_use(r, pol, "attachments", -1)
    end
    entities.save(r, kind, e)
    return {}
  end
end

local function list_attached(kind)
  return function(r, p)
    local out = {}
    for _, a in ipairs(entity(r, kind, p).attached) do
      local path, name = a:match(":policy(/.-)([^/]+)$")
      if util.under(path, p.PathPrefix) then
        out[#out + 1] = { PolicyName = name, PolicyArn = a }
      end
    end
    return util.list_in_order("AttachedPolicies", out, p)
  end
end

-- Inline policies ---------------------------------------------------------------------

local function put_inline(kind)
  return function(r, p)
    local e = entity(r, kind, p, true)
    local text = util.doc_text(p.PolicyDocument)
    util.check_doc(text, "inline_" .. kind)
    local total = util.doc_size(text)
    for name, doc in pairs(e.inline) do
      if name ~= p.PolicyName then
        total = total + util.doc_size(doc)
      end
    end
    if total > INLINE_QUOTA[kind] then
      errors.limit("Maximum policy size of %d bytes exceeded for %s %s", INLINE_QUOTA[kind], kind, e.name)
    end
    e.inline[p.PolicyName] = text
    entities.save(r, kind, e)
    return {}
  end
end

local function inline_of(r, kind, p, change)
  local e = entity(r, kind, p, change)
  if not e.inline[p.PolicyName] then
    errors.no_such("The %s policy with name %s cannot be found.", kind, p.PolicyName)
  end
  return e
end

local function get_inline(kind)
  return function(r, p)
    local e = inline_of(r, kind, p)
    return { [KINDS[kind].param] = e.name, PolicyName = p.PolicyName, PolicyDocument = e.inline[p.PolicyName] }
  end
end

local function delete_inline(kind)
  return function(r, p)
    local e = inline_of(r, kind, p, true)
    e.inline[p.PolicyName] = nil
    entities.save(r, kind, e)
    return {}
  end
end

local function list_inline(kind)
  return function(r, p)
    local names = require("iamsh.tables").sorted_keys(entity(r, kind, p).inline)
    return util.list_result("PolicyNames", names, p, function(n) return n end)
  end
end

-- Permissions boundaries ------------------------------------------------------------------

local function put_boundary(kind)
  return function(r, p)
    local e = entity(r, kind, p, true)
    entities.set_boundary(r, e, p.PermissionsBoundary)
    entities.save(r, kind, e)
    return {}
  end
end

local function delete_boundary(kind)
  return function(r, p)
    local e = entity(r, kind, p, true)
    entities.clear_boundary(r, e)
    entities.save(r, kind, e)
    return {}
  end
end

-- The operations, for each kind: AttachRolePolicy, PutUserPolicy, ...
for kind, k in pairs(KINDS) do
  local t = k.title
  local function def(name, fn)
    M[name] = { resource = k.resource, fn = fn(kind) }
  end
  def("Attach" .. t .. "Policy", attach)
  def("Detach" .. t .. "Policy", detach)
  def("ListAttached" .. t .. "Policies", list_attached)
  def("Put" .. t .. "Policy", put_inline)
  def("Get" .. t .. "Policy", get_inline)
  def("Delete" .. t .. "Policy", delete_inline)
  def("List" .. t .. "Policies", list_inline)
  if kind ~= "group" then
    def("Put" .. t .. "PermissionsBoundary", put_boundary)
    def("Delete" .. t .. "PermissionsBoundary", delete_boundary)
  end
end

return M
