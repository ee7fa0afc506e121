-- iamsh.local.profiles: instance profiles (one role each) and their tags.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local res = require("iamsh.local.resources")

local M = {}

local function profile(r, p)
  return entities.find(r, "profile", p.InstanceProfileName)
end

M.CreateInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e = entities.new(r, "profile", p.InstanceProfileName, p.Path)
  e.roles, e.inline, e.attached = {}, nil, nil
  e.tags = util.add_tags({}, p.Tags)
  entities.save(r, "profile", e)
  return { InstanceProfile = entities.profile_out(r, e) }
end }

M.GetInstanceProfile = { resource = res.profile, fn = function(r, p)
  return { InstanceProfile = entities.profile_out(r, profile(r, p)) }
end }

M.ListInstanceProfiles = { resource = res.listing("instance-profile"), fn = function(r, p)
  local out = {}
  for _, e in ipairs(entities.all(r, "profile")) do
    if util.under(e.path, p.PathPrefix) then
      local o = entities.profile_out(r, e)
      o.Tags = nil
      out[#out + 1] = o
    end
  end
  return util.list_result("InstanceProfiles", out, p, function(x) return x.InstanceProfileName:lower() end)
end }

M.ListInstanceProfilesForRole = { resource = res.role, fn = function(r, p)
  local out = {}
  for _, key in ipairs(entities.find(r, "role", p.RoleName).profiles) do
    local o = entities.profile_out(r, r.store.get("instance_profile", key))
    o.Tags = nil
    out[#out + 1] = o
  end
  util.sorted(out, function(x) return x.InstanceProfileName:lower() end)
  return util.list_result("InstanceProfiles", out, p, function(x) return x.InstanceProfileName:lower() end)
end }

M.DeleteInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e = profile(r, p)
  if #e.roles > 0 then
    errors.conflict("Cannot delete entity, must remove roles from instance profile first.")
  end
  entities.remove(r, "profile", e)
  return {}
end }

M.AddRoleToInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e, role = profile(r, p), entities.find(r, "role", p.RoleName)
  if #e.roles >= 1 then
    errors.limit("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
  end
  e.roles[1] = role.name:lower()
  role.profiles[#role.profiles + 1] = e.name:lower()
  entities.save(r, "profile", e)
  entities.save(r, "role", role)
  return {}
end }

M.RemoveRoleFromInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e, role = profile(r, p), entities.find(r, "role", p.RoleName)
  local found
  e.roles, found = util.without(e.roles, role.name:lower())
  if not found then
    errors.no_such("The role with name %s cannot be found.", p.RoleName)
  end
  role.profiles = util.without(role.profiles, e.name:lower())
  entities.save(r, "profile", e)
  entities.save(r, "role", role)
  return {}
end }

M.TagInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e = profile(r, p)
  e.tags = util.add_tags(e.tags, p.Tags)
  entities.save(r, "profile", e)
  return {}
end }

M.UntagInstanceProfile = { resource = res.profile, fn = function(r, p)
  local e = profile(r, p)
  e.tags = util.remove_tags(e.tags, p.TagKeys)
  entities.save(r, "profile", e)
  return {}
end }

M.ListInstanceProfileTags = { resource = res.profile, fn = function(r, p)
  return util.list_in_order("Tags", profile(r, p).tags, p)
end }

return M
