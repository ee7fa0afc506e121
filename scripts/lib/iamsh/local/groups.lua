-- iamsh.local.groups: groups and their members. (Their policies:
-- iamsh.local.attach.)
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local res = require("iamsh.local.resources")

local M = {}

local GROUPS_PER_USER = 10

local function group(r, p)
  return entities.find(r, "group", p.GroupName)
end

M.CreateGroup = { resource = res.group, fn = function(r, p)
  local e = entities.new(r, "group", p.GroupName, p.Path)
  e.members, e.tags = {}, nil
  entities.save(r, "group", e)
  return { Group = entities.group_out(r, e) }
end }

M.GetGroup = { resource = res.group, fn = function(r, p)
  local e = group(r, p)
  local users = {}
  for _, key in ipairs(e.members) do
    users[#users + 1] = entities.user_out(r, r.store.get("user", key), false)
  end
  local out = util.list_result("Users", util.sorted(users, function(u) return u.UserName:lower() end), p,
    function(u) return u.UserName:lower() end)
  out.Group = entities.group_out(r, e)
  return out
end }

M.ListGroups = { resource = res.listing("group"), fn = function(r, p)
  local out = {}
  for _, e in ipairs(entities.all(r, "group")) do
    if util.under(e.path, p.PathPrefix) then
      out[#out + 1] = entities.group_out(r, e)
    end
  end
  return util.list_result("Groups", out, p, function(x) return x.GroupName:lower() end)
end }

-- Renames the group: its key in the store and its members' lists.
local function rename(r, e, new)
  if new:lower() ~= e.name:lower() and entities.get(r, "group", new) then
    errors.exists("Group with name %s already exists.", new)
  end
  local old = e.name:lower()
  entities.remove(r, "group", e)
  e.name = new
  for _, key in ipairs(e.members) do
    local u = r.store.get("user", key)
    u.groups = util.without(u.groups, old)
    u.groups[#u.groups + 1] = new:lower()
    r.store.put("user", key, u)
  end
end

M.UpdateGroup = { resource = res.group, fn = function(r, p)
  local e = group(r, p)
  if p.NewGroupName then
    rename(r, e, p.NewGroupName)
  end
  e.path = p.NewPath or e.path
  entities.save(r, "group", e)
  return {}
end }

M.DeleteGroup = { resource = res.group, fn = function(r, p)
  local e = group(r, p)
  if #e.members > 0 then
    errors.conflict("Cannot delete entity, must remove users from group first.")
  end
  if next(e.inline) then
    errors.conflict("Cannot delete entity, must delete policies first.")
  end
  if #e.attached > 0 then
    errors.conflict("Cannot delete entity, must detach all policies first.")
  end
  entities.remove(r, "group", e)
  return {}
end }

M.AddUserToGroup = { resource = res.group, fn = function(r, p)
  local g, u = group(r, p), entities.find(r, "user", p.UserName)
  if util.contains(u.groups, g.name:lower()) then
    return {}
  end
  if #u.groups >= GROUPS_PER_USER then
    errors.limit("Cannot exceed quota for GroupsPerUser: %d", GROUPS_PER_USER)
  end
  u.groups[#u.groups + 1] = g.name:lower()
  g.members[#g.members + 1] = u.name:lower()
  entities.save(r, "user", u)
  entities.save(r, "group", g)
  return {}
end }

M.RemoveUserFromGroup = { resource = res.group, fn = function(r, p)
  local g, u = group(r, p), entities.find(r, "user", p.UserName)
  local found
  u.groups, found = util.without(u.groups, g.name:lower())
  if not found then
    errors.no_such("The user with name %s cannot be found.", p.UserName)
  end
  g.members = util.without(g.members, u.name:lower())
  entities.save(r, "user", u)
  entities.save(r, "group", g)
  return {}
end }

M.ListGroupsForUser = { resource = res.user, fn = function(r, p)
  local out = {}
  for _, key in ipairs(entities.find(r, "user", p.UserName).groups) do
    out[#out + 1] = entities.group_out(r, r.store.get("group", key))
  end
  util.sorted(out, function(x) return x.GroupName:lower() end)
  return util.list_result("Groups", out, p, function(x) return x.GroupName:lower() end)
end }

return M
