-- provision.group{...}: converge one IAM group: existence and path, members,
-- managed policies, inline policies. (IAM groups have no tags and no
-- permissions boundary.)

local state = require("provision.state")
local calls = require("provision.calls")
local schema = require("provision.schema")
local entity = require("provision.entity")

local group = {}

group.SPEC = schema.define("provision.group", {
  { "name", "name", max = 128, required = true, doc = "the group's name" },
  { "path", "path", default = "/", doc = "the group's path; a group on another path is moved (and its ARN changes)" },
  { "members", "names", doc = "users in the group (they must exist, or be made earlier in the run)" },
  { "managed", "policies", doc = "managed policies to attach (names or ARNs)" },
  { "inline", "documents", doc = "inline policies, {PolicyName = document}" },
  { "exclusive", "flag", default = false,
    doc = "also remove members, managed and inline policies the definition does not list" },
})

local function create_params(def)
  return { GroupName = def.name, Path = def.path }
end


local function current_members(p)
  local set = {}
  if p.snap.absent then
    return set
  end
  for _, u in ipairs(calls.all("get_group", { GroupName = p.name }, entity.opts("group", p.name))) do
    set[u.UserName] = true
  end
  return set
end

local function members(p)
  entity.memberships(p, {
    current = current_members(p), want = p.def.members, ref = "user", singular = "member", plural = "members",
    key = function(u) return { "membership", p.name:lower(), u:lower() } end,
    text_add = function(u) return string.format("add user %s to group %s", u, p.name) end,
    text_remove = function(u) return string.format("remove user %s from group %s", u, p.name) end,
    add = function(u)
      calls.call("add_user_to_group", { UserName = u, GroupName = p.name },
        { fresh = state.is_fresh("user", u) or state.is_fresh("group", p.name) })
    end,
    remove = function(u) calls.call("remove_user_from_group", { UserName = u, GroupName = p.name }) end,
  })
end

-- Returns {arn=, created=, changes={lines}, extra_managed={arns}, extra_inline={names}}.
function group.converge(def)
  local d, where = schema.check(group.SPEC, def)
  return entity.converge("group", d, where, {
    create_params = create_params, members = members,
    update = function(p) entity.move(p, "update_group") end,
  })
end

return group
