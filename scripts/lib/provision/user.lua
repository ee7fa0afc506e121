-- provision.user{...}: converge one IAM user: existence and path, permissions
-- boundary, groups, managed policies, inline policies, tags. Access keys are
-- separate (provision.access_key), because their secret needs a place to go.

local state = require("provision.state")
local calls = require("provision.calls")
local schema = require("provision.schema")
local entity = require("provision.entity")

local user = {}

user.SPEC = schema.define("provision.user", {
  { "name", "name", required = true, doc = "the user's name" },
  { "path", "path", default = "/", doc = "the user's path; a user on another path is moved (and its ARN changes)" },
  { "permissions_boundary", "boundary",
    doc = "a managed policy (name or ARN) capping the user's permissions; false removes it; not given: left as it is" },
  { "groups", "names", doc = "groups the user belongs to (they must exist, or be made earlier in the run)" },
  { "managed", "policies", doc = "managed policies to attach (names or ARNs)" },
  { "inline", "documents", doc = "inline policies, {PolicyName = document}" },
  { "tags", "tags", doc = "tags, {Key = \"value\"}" },
  { "exclusive", "flag", default = false,
    doc = "also remove groups, managed policies, inline policies and tags the definition does not list" },
})

local function create_params(def)
  return { UserName = def.name, Path = def.path }
end


local function current_groups(p)
  local set = {}
  if p.snap.absent then
    return set
  end
  for _, g in ipairs(calls.all("list_groups_for_user", { UserName = p.name }, entity.opts("user", p.name))) do
    set[g.GroupName] = true
  end
  return set
end

local function members(p)
  entity.memberships(p, {
    current = current_groups(p), want = p.def.groups, ref = "group", singular = "group", plural = "groups",
    key = function(g) return { "membership", g:lower(), p.name:lower() } end,
    text_add = function(g) return string.format("add user %s to group %s", p.name, g) end,
    text_remove = function(g) return string.format("remove user %s from group %s", p.name, g) end,
    add = function(g)
      calls.call("add_user_to_group", { UserName = p.name, GroupName = g },
        { fresh = state.is_fresh("user", p.name) or state.is_fresh("group", g) })
    end,
    remove = function(g) calls.call("remove_user_from_group", { UserName = p.name, GroupName = g }) end,
  })
end

-- Returns {arn=, created=, changes={lines}, extra_managed={arns}, extra_inline={names}}.
-- After a move the ARN is the one at the new path.
function user.converge(def)
  local d, where = schema.check(user.SPEC, def)
  return entity.converge("user", d, where, {
    create_params = create_params, members = members,
    update = function(p) entity.move(p, "update_user") end,
  })
end

return user
