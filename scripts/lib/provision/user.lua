-- provision.user{...}: converge one IAM user: existence and path, groups,
-- managed policies, inline policies, tags. Access keys are separate
-- (provision.access_key), because their secret needs a place to go.

local calls = require("provision.calls")
local step = require("provision.step")
local entity = require("provision.entity")

local user = {}

local function check_def(def)
  if type(def) ~= "table" or type(def.name) ~= "string" or def.name == "" then
    error("provision.user: name (string) is required", 3)
  end
end

local function create_params(def)
  return { UserName = def.name, Path = def.path }
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
  local names = {}
  for g in pairs(current) do
    names[#names + 1] = g
  end
  table.sort(names) -- a plan lists the same lines in the same order every time
  for _, g in ipairs(names) do
    if not want[g] then
      step.remove(string.format("remove user %s from group %s", def.name, g), d.report, function()
        calls.call("remove_user_from_group", { UserName = def.name, GroupName = g })
      end)
    end
  end
end

-- Returns {arn=, created=, changes={lines}, extra_managed={arns}}.
function user.converge(def)
  check_def(def)
  return entity.converge("user", def, {
    create_params = create_params, update = converge_path, members = converge_groups,
  })
end

return user
