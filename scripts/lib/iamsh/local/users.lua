-- iamsh.local.users: users and their tags. (Their keys and passwords:
-- iamsh.local.credentials; policies and boundaries: iamsh.local.attach; groups:
-- iamsh.local.groups.)
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local res = require("iamsh.local.resources")

local M = {}

-- The user a request names, or the caller's own user when it names none (an IAM
-- user's keys); ValidationError for other callers, as IAM says it.
function M.named_or_caller(r, p)
  if p.UserName then
    return entities.find(r, "user", p.UserName)
  end
  local c = r.caller
  if c and c.kind == "user" then
    return entities.find(r, "user", c.name)
  end
  if c and c.kind == "root" then
    return nil
  end
  errors.raise("ValidationError", "Must specify userName when calling with non-User credentials")
end

M.CreateUser = { resource = res.user, fn = function(r, p)
  local e = entities.new(r, "user", p.UserName, p.Path)
  e.groups, e.keys, e.mfa, e.ssh, e.certs, e.service_credentials = {}, {}, {}, {}, {}, {}
  e.tags = util.add_tags({}, p.Tags)
  if p.PermissionsBoundary then
    entities.set_boundary(r, e, p.PermissionsBoundary)
  end
  entities.save(r, "user", e)
  return { User = entities.user_out(r, e, true) }
end }

M.GetUser = { resource = res.user, fn = function(r, p)
  local e = M.named_or_caller(r, p)
  if not e then -- the account's root user
    local root = r.store.get("account", "root") or {}
    return { User = { UserId = r.account, Arn = string.format("arn:%s:iam::%s:root", r.partition, r.account),
      CreateDate = root.created or r.iso } }
  end
  return { User = entities.user_out(r, e, true) }
end }

M.ListUsers = { resource = res.listing("user"), fn = function(r, p)
  local out = {}
  for _, e in ipairs(entities.all(r, "user")) do
    if util.under(e.path, p.PathPrefix) then
      out[#out + 1] = entities.user_out(r, e, false)
    end
  end
  return util.list_result("Users", out, p, function(x) return x.UserName:lower() end)
end }

-- Renames the user: its key in the store, its groups' member lists, its keys.
local function rename(r, e, new)
  if new:lower() ~= e.name:lower() and entities.get(r, "user", new) then
    errors.exists("User with name %s already exists.", new)
  end
  local old = e.name:lower()
  entities.remove(r, "user", e)
  e.name = new
  for _, g in ipairs(e.groups) do
    local grp = r.store.get("group", g)
    grp.members = util.without(grp.members, old)
    grp.members[#grp.members + 1] = new:lower()
    r.store.put("group", g, grp)
  end
  for _, id in ipairs(e.keys) do
    local k = r.store.get("access_key", id)
    k.user = new:lower()
    r.store.put("access_key", id, k)
  end
end

M.UpdateUser = { resource = res.user, fn = function(r, p)
  local e = entities.find(r, "user", p.UserName)
  if p.NewUserName then
    rename(r, e, p.NewUserName)
  end
  e.path = p.NewPath or e.path
  entities.save(r, "user", e)
  return {}
end }

-- What a user still has, in IAM's words (DeleteUser's documented order).
local function user_conflict(e)
  local held = {
    { e.login, "must delete login profile first" }, { #e.keys > 0, "must delete access keys first" },
    { #e.certs > 0, "must delete signing certificates first" }, { #e.ssh > 0, "must delete SSH public keys first" },
    { #e.service_credentials > 0, "must delete service specific credentials first" },
    { #e.mfa > 0, "must delete MFA device first" }, { next(e.inline), "must delete policies first" },
    { #e.attached > 0, "must detach all policies first" }, { #e.groups > 0, "must remove users from group first" },
  }
  for _, h in ipairs(held) do
    if h[1] then
      errors.conflict("Cannot delete entity, %s.", h[2])
    end
  end
end

M.DeleteUser = { resource = res.user, fn = function(r, p)
  local e = entities.find(r, "user", p.UserName)
  user_conflict(e)
  entities.clear_boundary(r, e)
  entities.remove(r, "user", e)
  return {}
end }

M.TagUser = { resource = res.user, fn = function(r, p)
  local e = entities.find(r, "user", p.UserName)
  e.tags = util.add_tags(e.tags, p.Tags)
  entities.save(r, "user", e)
  return {}
end }

M.UntagUser = { resource = res.user, fn = function(r, p)
  local e = entities.find(r, "user", p.UserName)
  e.tags = util.remove_tags(e.tags, p.TagKeys)
  entities.save(r, "user", e)
  return {}
end }

M.ListUserTags = { resource = res.user, fn = function(r, p)
  return util.list_in_order("Tags", entities.find(r, "user", p.UserName).tags, p)
end }

return M
