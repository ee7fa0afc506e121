-- stale{days = 90, now = os.time(), kinds = {"key", "user", "role"}}: the
-- access keys, users and roles nobody has used for at least `days` days, as
-- a list of records sorted by DaysUnused, longest first.
--
-- "Used" is IAM's last-used data: a key's GetAccessKeyLastUsed, a role's
-- RoleLastUsed (only GetRole returns it, not ListRoles), a user's latest of
-- PasswordLastUsed and its keys' last use (a user who only works through a
-- key is not stale). Something never used counts from its creation.
--
-- Calls, for U users with K keys in all and R roles:
--   ceil(U/1000) ListUsers + U ListAccessKeys + K GetAccessKeyLastUsed
--   (left out when kinds has neither "key" nor "user"), and
--   ceil(R/1000) ListRoles + R GetRole (left out without "role").
local aws = require("aws")
local iam = require("iam")
local gather = require("iamsh.inspect.gather")

local KINDS = { key = true, user = true, role = true }
local OPTIONS = { days = true, now = true, kinds = true }

local function kinds_of(list)
  if list == nil then
    return KINDS
  elseif type(list) ~= "table" then
    error('stale: kinds must be a list of "key", "user", "role"', 4)
  end
  local set = {}
  for _, k in ipairs(list) do
    if not KINDS[k] then
      error(string.format('stale: kinds: unknown kind %q (key, user, role)', tostring(k)), 4)
    end
    set[k] = true
  end
  return set
end

local function options(opts)
  if opts == nil then
    opts = {}
  elseif type(opts) ~= "table" then
    error("stale: options must be a table {days =, now =, kinds =}", 3)
  end
  for k in pairs(opts) do
    if not OPTIONS[k] then
      error(string.format("stale: unknown option '%s' (days, now, kinds)", tostring(k)), 3)
    end
  end
  local days = opts.days == nil and 90 or opts.days
  if type(days) ~= "number" or days < 0 then
    error("stale: days must be a number >= 0", 3)
  end
  return days, gather.now("stale", opts, 3), kinds_of(opts.kinds)
end

-- The later of two ISO 8601 timestamps, either of which may be nil.
local function later(a, b)
  if not a or (b and aws.timestamp(b) > aws.timestamp(a)) then
    return b
  end
  return a
end

-- The record of something last used at last_used (nil: never) and made at created.
local function record(kind, name, last_used, created, now)
  return { Type = kind, Name = name, LastUsed = last_used or "never",
    DaysUnused = gather.days_since(last_used or created, now), Created = created }
end

local function user_records(u, now, kinds, add)
  local keys = gather.unless_missing(gather.access_keys, u.UserName, now) or {}
  local latest = u.PasswordLastUsed
  for _, k in ipairs(keys) do
    local used = k.LastUsed and k.LastUsed.LastUsedDate
    latest = later(latest, used)
    if kinds.key then
      local r = record("key", u.UserName, used, k.CreateDate, now)
      r.AccessKeyId, r.Status = k.AccessKeyId, k.Status
      add(r)
    end
  end
  if kinds.user then
    add(record("user", u.UserName, latest, u.CreateDate, now))
  end
end

local function role_record(name, now)
  local got = gather.unless_missing(iam.get_role, { RoleName = name })
  if got then
    local lu = got.Role.RoleLastUsed
    return record("role", name, lu and lu.LastUsedDate, got.Role.CreateDate, now)
  end
end

local function by_days_unused(a, b)
  if a.DaysUnused ~= b.DaysUnused then
    return a.DaysUnused > b.DaysUnused
  elseif a.Type ~= b.Type then
    return a.Type < b.Type
  elseif a.Name ~= b.Name then
    return a.Name < b.Name
  end
  return (a.AccessKeyId or "") < (b.AccessKeyId or "")
end

local COLUMNS = { __columns = { "Type", "Name", "AccessKeyId", "Status", "LastUsed", "DaysUnused",
  "Created" } }

return function(opts)
  local days, now, kinds = options(opts)
  local out = aws.json.array {}
  local function add(r)
    if r and r.DaysUnused >= days then
      out[#out + 1] = r
    end
  end
  if kinds.key or kinds.user then
    for _, u in ipairs(iam.all("list_users", { MaxItems = 1000 })) do
      user_records(u, now, kinds, add)
    end
  end
  if kinds.role then
    for _, r in ipairs(iam.all("list_roles", { MaxItems = 1000 })) do
      add(role_record(r.RoleName, now))
    end
  end
  table.sort(out, by_days_unused)
  -- The columns to show, in this order (pp honours __columns); an empty list
  -- keeps the array mark so it still encodes as [].
  if #out > 0 then setmetatable(out, COLUMNS) end
  return out
end
