-- provision.instance_profile{...}: an instance profile (what EC2 instances
-- assume a role through) holding one role; provision.teardown_instance_profile
-- removes it. A profile holds at most one role: a different one is replaced.
-- IAM cannot move a profile to another path: a different path is warned about.

local deps = require("provision.deps")
local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local refs = require("provision.refs")
local schema = require("provision.schema")
local tagset = require("provision.tags")

local profile = {}

profile.SPEC = schema.define("provision.instance_profile", {
  { "name", "name", max = 128, required = true, doc = "the instance profile's name" },
  { "path", "path", default = "/", doc = "its path (fixed once made)" },
  { "role", "name",
    doc = "the role it holds (which must exist, or be made earlier in the run); not given: left as it is" },
  { "tags", "tags", doc = "tags, {Key = \"value\"}" },
  { "exclusive", "flag", default = false,
    doc = "also remove tags the definition does not list, and the role when none is given" },
})

profile.TEARDOWN = schema.define("provision.teardown_instance_profile", {
  { "name", "name", max = 128, required = true, doc = "the instance profile's name" },
})

local function read(name)
  local res = calls.get("get_instance_profile", { InstanceProfileName = name },
    { fresh = state.is_fresh("instance_profile", name) })
  return res and res.InstanceProfile
end

local function role_change(kind, name, role, verb)
  local op = kind == "add" and "add_role_to_instance_profile" or "remove_role_from_instance_profile"
  return { kind = kind, text = string.format(verb, role, name), missing_ok = kind == "destroy",
    key = { "instance_profile", name:lower(), "role", role:lower() }, run = function()
      calls.call(op, { InstanceProfileName = name, RoleName = role },
        { fresh = state.is_fresh("instance_profile", name) or state.is_fresh("role", role) })
    end }
end

local function role_changes(def, current, changes)
  local roles = {}
  for _, r in ipairs(current and current.Roles or {}) do
    roles[#roles + 1] = r.RoleName
  end
  local have = false
  for _, r in ipairs(roles) do
    if def.role and r:lower() == def.role:lower() then
      have = true
    elseif def.role or def.exclusive then
      changes[#changes + 1] = role_change("destroy", def.name, r, "remove role %s from instance profile %s")
    else
      step.warn(string.format("instance profile %s holds role %s, which its definition does not name; kept "
        .. "(exclusive=true removes it)", def.name, r))
    end
  end
  if def.role and not have then
    changes[#changes + 1] = role_change("add", def.name, def.role, "add role %s to instance profile %s")
    return true
  end
end

local function create_change(def)
  return { kind = "add", text = "create instance profile " .. def.name,
    key = { "instance_profile", def.name:lower(), "create" }, run = function()
      calls.call("create_instance_profile", { InstanceProfileName = def.name, Path = def.path,
        Tags = def.tags and next(def.tags) and tagset.list(def.tags) or nil })
      state.made("instance_profile", def.name, true)
    end }
end

local function compare(def, current)
  local changes = {}
  if current == nil then
    changes[1] = create_change(def)
  else
    if current.Path ~= def.path then
      step.warn(string.format("instance profile %s has path %s, not %s; IAM cannot move it, leaving it",
        def.name, current.Path, def.path))
    end
    local list = tagset.changes({
      what = "instance profile " .. def.name, key = { "instance_profile", def.name:lower() },
      current = tagset.map(current.Tags), want = def.tags, exclusive = def.exclusive,
      tag = function(t) calls.call("tag_instance_profile", { InstanceProfileName = def.name, Tags = t }) end,
      untag = function(k) calls.call("untag_instance_profile", { InstanceProfileName = def.name, TagKeys = k }) end,
    })
    table.move(list, 1, #list, #changes + 1, changes)
  end
  return changes, role_changes(def, current, changes)
end

-- Returns {arn=, created=, changes=}.
function profile.converge(def)
  local d = schema.check(profile.SPEC, def)
  local current = read(d.name)
  local changes, adds_role = compare(d, current)
  if adds_role then
    refs.need("role", d.role, "instance profile " .. d.name)
  end
  local report = step.report()
  step.apply(changes, report)
  if current == nil and deps.planning() then
    state.made("instance_profile", d.name)
  end
  local arn = current and current.Arn or string.format("arn:%s:iam::%s:instance-profile%s%s", state.partition(),
    state.account(), d.path, d.name)
  return { arn = arn, created = current == nil, changes = report }
end

-- Returns {changes=, existed=}.
function profile.teardown(def)
  local d = schema.check(profile.TEARDOWN, def)
  local report, current = step.report(), read(d.name)
  if current == nil then
    step.ok("instance profile " .. d.name .. " is already gone")
    return { changes = report, existed = false }
  end
  local changes = {}
  for _, r in ipairs(current.Roles or {}) do
    changes[#changes + 1] = role_change("destroy", d.name, r.RoleName, "remove role %s from instance profile %s")
  end
  changes[#changes + 1] = { kind = "destroy", text = "delete instance profile " .. d.name, missing_ok = true,
    key = { "instance_profile", d.name:lower(), "delete" }, run = function()
      calls.call("delete_instance_profile", { InstanceProfileName = d.name }, { conflict = true })
    end }
  step.apply(changes, report)
  state.gone("instance_profile", d.name)
  return { changes = report, existed = true }
end

return profile
