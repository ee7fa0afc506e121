-- provision.user{...}: converge one IAM user: existence and path, groups,
-- managed policies, inline policies, tags. Access keys are separate
-- (provision.access_key), because their secret needs a place to go.

local context = require("provision.context")
local calls = require("provision.calls")
local step = require("provision.step")
local entity = require("provision.entity")

local user = {}

local function check_def(def)
  if type(def) ~= "table" or type(def.name) ~= "string" or def.name == "" then
    error("provision.user: name (string) is required", 3)
  end
end

local function read(name)
  local res = calls.get("get_user", { UserName = name }, entity.opts("user", name))
  return res and res.User
end

local function create(def, d)
  local params = { UserName = def.name, Path = def.path }
  if def.tags then
    params.Tags = entity.tag_list(entity.tag_map(def.tags))
  end
  local res = step.write("add", "create user " .. def.name, d.report, function()
    return calls.call("create_user", params)
  end)
  if res then
    entity.mark_fresh("user", def.name)
    return res.User
  end
end

-- Unlike a role, a user can be moved to another path.
local function converge_path(def, current, d)
  if def.path == nil or current.Path == def.path then
    return
  end
  step.write("change", string.format("move user %s to path %s", def.name, def.path), d.report, function()
    calls.call("update_user", { UserName = def.name, NewPath = def.path })
  end)
end

local function current_groups(name, absent)
  if absent then
    return {}
  end
  local set = {}
  for _, g in ipairs(calls.all("list_groups_for_user", { UserName = name }, entity.opts("user", name))) do
    set[g.GroupName] = true
  end
  return set
end

local function converge_groups(def, d)
  local current = current_groups(def.name, d.absent)
  local want = {}
  for _, g in ipairs(def.groups or {}) do
    want[g] = true
    if not current[g] then
      step.write("add", string.format("add user %s to group %s", def.name, g), d.report, function()
        calls.call("add_user_to_group", { UserName = def.name, GroupName = g }, entity.opts("user", def.name))
      end)
    end
  end
  if not d.exclusive then
    return
  end
  for g in pairs(current) do
    if not want[g] then
      step.remove(string.format("remove user %s from group %s", def.name, g), d.report, function()
        calls.call("remove_user_from_group", { UserName = def.name, GroupName = g })
      end)
    end
  end
end

function user.predicted_arn(name, path)
  return string.format("arn:%s:iam::%s:user%s%s", context.partition(), context.account(), path or "/", name)
end

-- Returns {arn=, created=, changes={lines}}.
function user.converge(def)
  check_def(def)
  local d = { report = step.report(), exclusive = def.exclusive == true }
  local current = read(def.name)
  local created = false
  if current == nil then
    current = create(def, d)
    created = true
    if current == nil and not context.planning() then
      current = read(def.name)
    end
  else
    converge_path(def, current, d)
  end
  d.absent = current == nil
  converge_groups(def, d)
  local extra = entity.converge_managed("user", def.name, def.managed, d)
  entity.converge_inline("user", def.name, def.inline, d)
  entity.converge_tags("user", def.name, def.tags, d)
  local arn = current and current.Arn or user.predicted_arn(def.name, def.path)
  return { arn = arn, created = created, changes = d.report, extra_managed = extra }
end

return user
