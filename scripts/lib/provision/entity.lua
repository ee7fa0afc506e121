-- What roles and users have in common: the converge skeleton (read, create
-- or update, then managed policies, inline policies and tags), and the
-- converge_* steps. Each reads the current state, compares, and hands every
-- difference to step.write. `absent` means the entity does not exist yet
-- (plan mode): there is nothing to read, everything is to be added.

local context = require("provision.context")
local calls = require("provision.calls")
local step = require("provision.step")
local policy = require("policy")
local sorted_keys = require("iamsh.tables").sorted_keys

local entity = {}

entity.KINDS = {
  role = {
    param = "RoleName",
    result = "Role",
    get = "get_role",
    create = "create_role",
    -- a trust policy may name a principal IAM does not know yet
    create_opts = { principal = true },
    list_attached = "list_attached_role_policies",
    attach = "attach_role_policy",
    detach = "detach_role_policy",
    list_inline = "list_role_policies",
    get_inline = "get_role_policy",
    put_inline = "put_role_policy",
    delete_inline = "delete_role_policy",
    list_tags = "list_role_tags",
    tag = "tag_role",
    untag = "untag_role",
  },
  user = {
    param = "UserName",
    result = "User",
    get = "get_user",
    create = "create_user",
    create_opts = {},
    list_attached = "list_attached_user_policies",
    attach = "attach_user_policy",
    detach = "detach_user_policy",
    list_inline = "list_user_policies",
    get_inline = "get_user_policy",
    put_inline = "put_user_policy",
    delete_inline = "delete_user_policy",
    list_tags = "list_user_tags",
    tag = "tag_user",
    untag = "untag_user",
  },
}

local function key(kind, name)
  return kind .. ":" .. name
end

-- Remember that this run created the entity: reads of it may say NoSuchEntity
-- for a while (eventual consistency) and are retried.
function entity.mark_fresh(kind, name)
  context.fresh[key(kind, name)] = true
end

function entity.opts(kind, name)
  return { fresh = context.fresh[key(kind, name)] == true }
end

local function params(kind, name, extra)
  local p = { [entity.KINDS[kind].param] = name }
  for k, v in pairs(extra or {}) do
    p[k] = v
  end
  return p
end

-- Current state readers (empty when the entity is absent).

function entity.attached(kind, name, absent)
  if absent then
    return {}
  end
  local list = calls.all(entity.KINDS[kind].list_attached, params(kind, name), entity.opts(kind, name))
  local arns = {}
  for _, p in ipairs(list) do
    arns[#arns + 1] = p.PolicyArn
  end
  return arns
end

function entity.inline_names(kind, name, absent)
  if absent then
    return {}
  end
  return calls.all(entity.KINDS[kind].list_inline, params(kind, name), entity.opts(kind, name))
end

local function as_set(list)
  local set = {}
  for _, v in ipairs(list) do
    set[v] = true
  end
  return set
end

-- Managed policies: attach what is missing; with exclusive, detach the rest.
-- Returns the attached ARNs the definition does not list (before detaching).
function entity.converge_managed(kind, name, wanted, d)
  local k = entity.KINDS[kind]
  local current = as_set(entity.attached(kind, name, d.absent))
  local want = {}
  for _, p in ipairs(wanted or {}) do
    local arn = policy.arn(p)
    want[arn] = true
    if current[arn] then
      step.ok(string.format("%s attached to %s %s", arn, kind, name))
    else
      step.write("add", string.format("attach %s to %s %s", arn, kind, name), d.report, function()
        calls.call(k.attach, params(kind, name, { PolicyArn = arn }), entity.opts(kind, name))
      end)
    end
  end
  local extra = {}
  for _, arn in ipairs(sorted_keys(current)) do
    if not want[arn] then
      extra[#extra + 1] = arn
    end
  end
  if not d.exclusive then
    return extra
  end
  for _, arn in ipairs(extra) do
    step.remove(string.format("detach %s from %s %s", arn, kind, name), d.report, function()
      calls.call(k.detach, params(kind, name, { PolicyArn = arn }))
    end)
  end
  return extra
end

local function current_inline(kind, name, pname)
  local res = calls.get(entity.KINDS[kind].get_inline, params(kind, name, { PolicyName = pname }),
    entity.opts(kind, name))
  return res and res.PolicyDocument
end

local function put_inline(kind, name, pname, doc, how, d)
  step.write(how, string.format("put inline policy %s on %s %s", pname, kind, name), d.report,
    function()
      calls.call(entity.KINDS[kind].put_inline,
        params(kind, name, { PolicyName = pname, PolicyDocument = doc }), entity.opts(kind, name))
    end)
end

-- Inline policies: put what is missing or differs; with exclusive, delete
-- the ones the definition does not name.
function entity.converge_inline(kind, name, wanted, d)
  wanted = wanted or {}
  local current = as_set(entity.inline_names(kind, name, d.absent))
  for _, pname in ipairs(sorted_keys(wanted)) do
    local doc = wanted[pname]
    if not current[pname] then
      put_inline(kind, name, pname, doc, "add", d)
    elseif not policy.equal(current_inline(kind, name, pname), doc) then
      put_inline(kind, name, pname, doc, "change", d)
    else
      step.ok(string.format("inline policy %s on %s %s", pname, kind, name))
    end
  end
  if not d.exclusive then
    return
  end
  for _, pname in ipairs(sorted_keys(current)) do
    if wanted[pname] == nil then
      step.remove(string.format("delete inline policy %s from %s %s", pname, kind, name), d.report,
        function()
          calls.call(entity.KINDS[kind].delete_inline, params(kind, name, { PolicyName = pname }))
        end)
    end
  end
end

-- Tags given as {Key=value} or as AWS's list of {Key=, Value=}.
function entity.tag_map(tags)
  local map = {}
  for k, v in pairs(tags or {}) do
    if type(v) == "table" then
      map[v.Key] = v.Value or ""
    else
      map[k] = tostring(v)
    end
  end
  return map
end

function entity.tag_list(map)
  local list = {}
  for _, k in ipairs(sorted_keys(map)) do
    list[#list + 1] = { Key = k, Value = map[k] }
  end
  return list
end

-- Tags: set those missing or different; with exclusive, remove the others.
function entity.converge_tags(kind, name, wanted, d)
  local want = entity.tag_map(wanted)
  if next(want) == nil and not d.exclusive or d.absent then
    return
  end
  local k = entity.KINDS[kind]
  local current = entity.tag_map(calls.all(k.list_tags, params(kind, name), entity.opts(kind, name)))
  local set = {}
  for tk, tv in pairs(want) do
    if current[tk] ~= tv then
      set[tk] = tv
    end
  end
  if next(set) then
    step.write("change", string.format("tag %s %s (%s)", kind, name, table.concat(sorted_keys(set), ", ")),
      d.report, function()
        calls.call(k.tag, params(kind, name, { Tags = entity.tag_list(set) }))
      end)
  end
  local extra = {}
  for tk in pairs(current) do
    if want[tk] == nil then
      extra[#extra + 1] = tk
    end
  end
  if d.exclusive and #extra > 0 then
    table.sort(extra)
    step.write("change", string.format("untag %s %s (%s)", kind, name, table.concat(extra, ", ")),
      d.report, function()
        calls.call(k.untag, params(kind, name, { TagKeys = extra }))
      end)
  end
end

-- The ARN an entity will have once created (plan mode needs it for later steps).
function entity.predicted_arn(kind, name, path)
  return string.format("arn:%s:iam::%s:%s%s%s", context.partition(), context.account(), kind, path or "/", name)
end

-- The entity as IAM has it, or nil. IAM names are case-insensitive: one
-- found under another spelling is the same entity, and said so.
function entity.read(kind, name)
  local k = entity.KINDS[kind]
  local res = calls.get(k.get, params(kind, name), entity.opts(kind, name))
  local current = res and res[k.result]
  if current and current[k.param] and current[k.param] ~= name then
    step.warn(string.format("%s %s exists as %s (IAM names are case-insensitive); converging %s",
      kind, name, current[k.param], current[k.param]))
  end
  return current
end

-- CreateRole/CreateUser said EntityAlreadyExists although the read found
-- nothing: made meanwhile by someone else (adopt it), or there under a name
-- differing in case that the read did not match.
local function adopt(kind, name)
  local current = entity.read(kind, name)
  if current == nil then
    error(string.format("IAM says %s %s already exists but cannot find it by that name: a %s whose name "
      .. "differs only in case exists (IAM names are case-insensitive); use its exact name", kind, name, kind), 0)
  end
  step.warn(string.format("%s %s appeared while this run created it; converging it", kind, name))
  return current
end

-- Returns the new entity (nil in plan mode) and whether this run created it.
local function create(kind, def, create_params, d)
  local k = entity.KINDS[kind]
  local p = create_params(def)
  if def.tags then
    p.Tags = entity.tag_list(entity.tag_map(def.tags))
  end
  local current, created = nil, true
  step.write("add", string.format("create %s %s", kind, def.name), d.report, function()
    local ok, res = pcall(calls.call, k.create, p, k.create_opts)
    if ok then
      current = res[k.result]
      entity.mark_fresh(kind, def.name)
    elseif calls.code(res) == "EntityAlreadyExists" then
      current, created = adopt(kind, def.name), false
    else
      error(res, 0)
    end
  end)
  return current, created
end

-- The converge skeleton shared by roles and users. how.create_params(def)
-- gives the Create call's parameters; how.update(def, current, d) repairs an
-- existing entity's own settings; how.members(def, d) (optional) converges
-- what comes before the policies (a user's groups).
-- Returns {arn=, created=, changes={lines}, extra_managed={arns}}.
function entity.converge(kind, def, how)
  local d = { report = step.report(), exclusive = def.exclusive == true }
  local current, created = entity.read(kind, def.name), false
  if current == nil then
    current, created = create(kind, def, how.create_params, d)
  end
  if current and not created then
    how.update(def, current, d)
  end
  d.absent = current == nil
  if how.members then
    how.members(def, d)
  end
  local extra = entity.converge_managed(kind, def.name, def.managed, d)
  entity.converge_inline(kind, def.name, def.inline, d)
  entity.converge_tags(kind, def.name, def.tags, d)
  local arn = current and current.Arn or entity.predicted_arn(kind, def.name, def.path)
  return { arn = arn, created = created, changes = d.report, extra_managed = extra }
end

return entity
