-- What roles, users and groups have in common, converged in three phases so
-- that a plan is a promise:
--   1. read: the entity and everything it has (no write);
--   2. compare: the list of changes, and the references they need;
--   3. check, then write: every reference exists (refs.lua) and every quota
--      holds, and only then the changes go through step.write.
-- A definition that would fail on something the reads could see therefore
-- fails before its first write, in plan mode as in apply mode.

local deps = require("provision.deps")
local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local refs = require("provision.refs")
local errors = require("provision.errors")
local tagset = require("provision.tags")
local policy = require("policy")
local sorted_keys = require("iamsh.tables").sorted_keys

local entity = {}

local function ops(kind, plural)
  return {
    list_attached = string.format("list_attached_%s_policies", kind),
    attach = string.format("attach_%s_policy", kind),
    detach = string.format("detach_%s_policy", kind),
    list_inline = string.format("list_%s_policies", kind),
    get_inline = string.format("get_%s_policy", kind),
    put_inline = string.format("put_%s_policy", kind),
    delete_inline = string.format("delete_%s_policy", kind),
    quota = string.format("AttachedPoliciesPer%sQuota", plural),
    inline_limit = kind .. "_inline",
  }
end

local function with(t, extra)
  for k, v in pairs(extra) do
    t[k] = v
  end
  return t
end

entity.KINDS = {
  role = with(ops("role", "Role"), {
    param = "RoleName", result = "Role", get = "get_role", create = "create_role",
    list_tags = "list_role_tags", tag = "tag_role", untag = "untag_role",
    put_boundary = "put_role_permissions_boundary", delete_boundary = "delete_role_permissions_boundary",
  }),
  user = with(ops("user", "User"), {
    param = "UserName", result = "User", get = "get_user", create = "create_user",
    list_tags = "list_user_tags", tag = "tag_user", untag = "untag_user",
    put_boundary = "put_user_permissions_boundary", delete_boundary = "delete_user_permissions_boundary",
  }),
  group = with(ops("group", "Group"), {
    param = "GroupName", result = "Group", get = "get_group", get_extra = { MaxItems = 1 }, create = "create_group",
  }),
}

function entity.params(kind, name, extra)
  return with({ [entity.KINDS[kind].param] = name }, extra or {})
end

function entity.opts(kind, name)
  return { fresh = state.is_fresh(kind, name) }
end

local function as_set(list)
  local set = {}
  for _, v in ipairs(list) do
    set[v] = true
  end
  return set
end

local function minus(set, keep)
  local out = {}
  for _, v in ipairs(sorted_keys(set)) do
    if not keep[v] then
      out[#out + 1] = v
    end
  end
  return out
end

-- The ARN an entity will have once created (plan mode needs it for later steps).
function entity.predicted_arn(kind, name, path)
  return string.format("arn:%s:iam::%s:%s%s%s", state.partition(), state.account(), kind, path or "/", name)
end

-- The entity as IAM has it, or nil. IAM names are case-insensitive: one
-- found under another spelling is the same entity, and said so.
function entity.read(kind, name)
  local k = entity.KINDS[kind]
  local res = calls.get(k.get, entity.params(kind, name, k.get_extra), entity.opts(kind, name))
  local current = res and res[k.result]
  if current and current[k.param] and current[k.param] ~= name then
    step.warn(string.format("%s %s exists as %s (IAM names are case-insensitive); converging %s",
      kind, name, current[k.param], current[k.param]))
  end
  return current
end

-- Phase 1: the entity and what it has ({} for an entity still to be made).
local function snapshot(kind, name)
  local k = entity.KINDS[kind]
  local current = entity.read(kind, name)
  local snap = { current = current, absent = current == nil, attached = {}, inline = {}, tags = {} }
  if current == nil then
    return snap
  end
  state.known(kind, name)
  local p, o = entity.params(kind, name), entity.opts(kind, name)
  for _, a in ipairs(calls.all(k.list_attached, p, o)) do
    snap.attached[#snap.attached + 1] = a.PolicyArn
  end
  snap.inline = calls.all(k.list_inline, p, o)
  if k.list_tags then
    snap.tags = tagset.map(calls.all(k.list_tags, p, o))
  end
  return snap
end

-- Phase 2 helpers: a plan p = {kind, name, def, snap, changes, needs, extras}.

function entity.add(p, change)
  p.changes[#p.changes + 1] = change
end

function entity.need(p, kind, id)
  p.needs[#p.needs + 1] = { kind, id }
end

-- Things the entity has that the definition does not list: warned about
-- unless exclusive (then they are removed).
function entity.extra(p, singular, plural, items)
  if #items > 0 then
    p.extras[#p.extras + 1] = (#items == 1 and singular or plural) .. " " .. table.concat(items, ", ")
  end
end

function entity.what(p)
  return p.kind .. " " .. p.name
end

function entity.key(p, ...)
  return { p.kind, p.name:lower(), ... }
end

function entity.call(p, op, extra)
  return calls.call(op, entity.params(p.kind, p.name, extra), entity.opts(p.kind, p.name))
end

local function managed_changes(p)
  local k = entity.KINDS[p.kind]
  local current, want, order = as_set(p.snap.attached), {}, {}
  for _, ref in ipairs(p.def.managed or {}) do
    local arn = policy.arn(ref, state.partition())
    if not want[arn] then
      want[arn], order[#order + 1] = true, arn
    end
  end
  for _, arn in ipairs(order) do
    if current[arn] then
      step.ok(string.format("%s attached to %s", arn, entity.what(p)))
    else
      entity.need(p, "policy", arn)
      entity.add(p, { kind = "add", text = string.format("attach %s to %s", arn, entity.what(p)),
        key = entity.key(p, "attach", arn), run = function()
          calls.call(k.attach, entity.params(p.kind, p.name, { PolicyArn = arn }),
            { fresh = state.is_fresh(p.kind, p.name) or state.is_fresh("policy", arn) })
        end })
    end
  end
  local extra = minus(current, want)
  p.attached_count = #order + (p.def.exclusive and 0 or #extra)
  p.extra_managed = extra
  if p.def.exclusive then
    for _, arn in ipairs(extra) do
      entity.add(p, { kind = "destroy", text = string.format("detach %s from %s", arn, entity.what(p)),
        key = entity.key(p, "detach", arn), missing_ok = true,
        run = function() entity.call(p, k.detach, { PolicyArn = arn }) end })
    end
  end
  entity.extra(p, "managed policy", "managed policies", extra)
end

local function inline_doc(p, pname)
  local res = calls.get(entity.KINDS[p.kind].get_inline, entity.params(p.kind, p.name, { PolicyName = pname }),
    entity.opts(p.kind, p.name))
  return res and res.PolicyDocument
end

local function put_inline(p, pname, doc, kind, detail)
  entity.add(p, { kind = kind, text = string.format("put inline policy %s on %s", pname, entity.what(p)),
    key = entity.key(p, "put", pname), detail = detail, run = function()
      entity.call(p, entity.KINDS[p.kind].put_inline, { PolicyName = pname, PolicyDocument = doc })
    end })
end

-- Inline policies: put what is missing or differs (showing the diff); with
-- exclusive, delete the ones the definition does not name. Their total size
-- (the ones kept included) is checked against IAM's limit.
local function inline_changes(p)
  local k = entity.KINDS[p.kind]
  local current, want = as_set(p.snap.inline), p.def.inline or {}
  local size = 0
  for _, pname in ipairs(sorted_keys(want)) do
    local doc = want[pname]
    size = size + policy.size(doc)
    local old = current[pname] and inline_doc(p, pname)
    if not current[pname] then
      put_inline(p, pname, doc, "add")
    elseif not policy.equal(old, doc) then
      put_inline(p, pname, doc, "change", policy.diff(old, doc))
    else
      step.ok(string.format("inline policy %s on %s", pname, entity.what(p)))
    end
  end
  local extra = minus(current, want)
  p.extra_inline = extra
  for _, pname in ipairs(extra) do
    if p.def.exclusive then
      entity.add(p, { kind = "destroy", text = string.format("delete inline policy %s from %s", pname, entity.what(p)),
        key = entity.key(p, "delete", pname), missing_ok = true,
        run = function() entity.call(p, k.delete_inline, { PolicyName = pname }) end })
    else
      size = size + policy.size(inline_doc(p, pname) or {})
    end
  end
  p.inline_size = size
  entity.extra(p, "inline policy", "inline policies", extra)
end

local function tag_changes(p)
  local k = entity.KINDS[p.kind]
  if not k.list_tags or p.snap.absent then
    return
  end
  local changes, extra = tagset.changes({
    what = entity.what(p), key = entity.key(p), current = p.snap.tags, want = p.def.tags, exclusive = p.def.exclusive,
    tag = function(list) entity.call(p, k.tag, { Tags = list }) end,
    untag = function(keys) entity.call(p, k.untag, { TagKeys = keys }) end,
  })
  for _, c in ipairs(changes) do
    entity.add(p, c)
  end
  entity.extra(p, "tag", "tags", extra)
end

-- Users and groups (not roles) can be moved to another path with op
-- (update_user, update_group); the ARN changes with it.
function entity.move(p, op)
  local cur = p.snap.current
  if cur.Path == p.def.path then
    return
  end
  p.moved = true
  entity.add(p, { kind = "change", text = "move " .. entity.what(p),
    detail = { string.format("    ~ path: %s -> %s", policy.json(cur.Path), policy.json(p.def.path)) },
    key = entity.key(p, "path"), run = function() entity.call(p, op, { NewPath = p.def.path }) end })
end

-- permissions_boundary: nil leaves it alone, false removes it, a policy sets it.
local function boundary_changes(p)
  local k, want = entity.KINDS[p.kind], p.def.permissions_boundary
  if want == nil or not k.put_boundary then
    return
  end
  local pb = p.snap.current and p.snap.current.PermissionsBoundary
  local cur = pb and pb.PermissionsBoundaryArn
  if want == false then
    if cur then
      entity.add(p, { kind = "change", text = "remove the permissions boundary of " .. entity.what(p),
        detail = { "    - permissions_boundary: " .. policy.json(cur) }, key = entity.key(p, "boundary"),
        run = function() entity.call(p, k.delete_boundary) end })
    end
    return
  end
  local arn = policy.arn(want, state.partition())
  if cur == arn then
    return
  end
  entity.need(p, "policy", arn)
  if p.snap.absent then
    return -- given to the create call
  end
  entity.add(p, { kind = "change", text = "set the permissions boundary of " .. entity.what(p),
    detail = { cur and string.format("    ~ permissions_boundary: %s -> %s", policy.json(cur), policy.json(arn))
      or "    + permissions_boundary: " .. policy.json(arn) },
    key = entity.key(p, "boundary"),
    run = function() entity.call(p, k.put_boundary, { PermissionsBoundary = arn }) end })
end

-- Memberships (a user's groups, a group's users): add the missing ones (which
-- must exist), remove the others with exclusive. m: current (set), want
-- (list), ref (kind of the other side), text_add/text_remove(x), add/remove(x),
-- key(x) (the membership's identity, the same from either side), singular
-- and plural (words for the drift warning).
function entity.memberships(p, m)
  local want = {}
  for _, x in ipairs(m.want or {}) do
    if not want[x] then
      want[x] = true
      if m.current[x] then
        step.ok(m.text_add(x))
      else
        entity.need(p, m.ref, x)
        entity.add(p, { kind = "add", text = m.text_add(x), key = m.key(x),
          run = function() m.add(x) end })
      end
    end
  end
  local extra = minus(m.current, want)
  if p.def.exclusive then
    for _, x in ipairs(extra) do
      entity.add(p, { kind = "destroy", text = m.text_remove(x), key = m.key(x),
        missing_ok = true, run = function() m.remove(x) end })
    end
  end
  entity.extra(p, m.singular, m.plural, extra)
end

-- Phase 2: everything to change (how.update compares an existing entity's
-- own settings, how.members its memberships).
local function compare(kind, def, how)
  local p = { kind = kind, name = def.name, def = def, snap = snapshot(kind, def.name), changes = {}, needs = {},
    extras = {} }
  if not p.snap.absent then
    how.update(p)
  end
  boundary_changes(p)
  if how.members then
    how.members(p)
  end
  managed_changes(p)
  inline_changes(p)
  tag_changes(p)
  return p
end

-- Phase 3a: what the reads can tell about the apply failing, before it writes.
local function check(p, how)
  local by = entity.what(p)
  for _, n in ipairs(p.needs) do
    refs.need(n[1], n[2], by)
  end
  if how.check then
    how.check(p)
  end
  local k = entity.KINDS[p.kind]
  local quota = p.attached_count > 10 and refs.quota(k.quota, 10) or 10
  if p.attached_count > quota then
    errors.refusal("LimitExceeded", "%s would have %d managed policies attached; the account allows %d (%s)",
      by, p.attached_count, quota, k.quota)
  end
  local limit = policy.LIMITS[k.inline_limit]
  if p.inline_size > limit then
    errors.definition(p.where, "the inline policies of %s would be %d characters without white space; IAM "
      .. "allows %d for a %s", by, p.inline_size, limit, p.kind)
  end
end

-- CreateRole/CreateUser/CreateGroup said EntityAlreadyExists although the
-- read found nothing: made meanwhile by someone else (adopt it), or there
-- under a name differing in case that the read did not match.
local function adopt(kind, name)
  local current = entity.read(kind, name)
  if current == nil then
    errors.refusal("EntityAlreadyExists", "IAM says %s %s already exists but cannot find it by that name: a %s "
      .. "whose name differs only in case exists (IAM names are case-insensitive); use its exact name", kind, name,
      kind)
  end
  step.warn(string.format("%s %s appeared while this run created it; converging it", kind, name))
  return current
end

local function create_change(p, how)
  local k = entity.KINDS[p.kind]
  local params = how.create_params(p.def)
  if k.list_tags and p.def.tags and next(p.def.tags) then
    params.Tags = tagset.list(p.def.tags)
  end
  if p.def.permissions_boundary then
    params.PermissionsBoundary = policy.arn(p.def.permissions_boundary, state.partition())
  end
  return { kind = "add", text = "create " .. entity.what(p), key = entity.key(p, "create"), run = function()
    local ok, res = pcall(calls.call, k.create, params, how.create_opts and how.create_opts(p) or {})
    if ok then
      state.made(p.kind, p.name, true)
      return res[k.result]
    elseif calls.code(res) ~= "EntityAlreadyExists" then
      error(res, 0)
    end
    p.adopted = adopt(p.kind, p.name)
  end }
end

local function warn_extras(p)
  if not p.def.exclusive and #p.extras > 0 then
    step.warn(string.format("%s has what its definition does not list: %s; kept (exclusive=true removes them)",
      entity.what(p), table.concat(p.extras, "; ")))
  end
end

-- The converge skeleton shared by roles, users and groups. how:
--   create_params(def), create_opts(p) (optional): the Create call;
--   update(p): compare an existing entity's own settings, add changes;
--   members(p) (optional): memberships; check(p) (optional): more checks.
-- After a move (entity.move) the ARN returned is the one at the new path.
-- Returns {arn=, created=, changes={lines}, extra_managed={arns}, extra_inline={names}}.
function entity.converge(kind, def, where, how)
  local p = compare(kind, def, how)
  p.where = where
  check(p, how)
  local report, created = step.report(), false
  if p.snap.absent then
    local made = step.write(create_change(p, how), report)
    created = p.adopted == nil
    if deps.planning() then
      state.made(kind, def.name)
    elseif p.adopted then
      p = compare(kind, def, how)
    else
      p.snap.current = made
    end
  end
  step.apply(p.changes, report)
  warn_extras(p)
  local cur = p.snap.current
  local arn = (not p.moved and cur and cur.Arn) or entity.predicted_arn(kind, def.name, def.path)
  return { arn = arn, created = created, changes = report, extra_managed = p.extra_managed,
    extra_inline = p.extra_inline }
end

return entity
