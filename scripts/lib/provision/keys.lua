-- provision.access_key{user=, file=, rotate=false}: one working access key
-- for a user, its secret kept only in `file`.
--
-- The file is JSON {"AccessKeyId": ..., "SecretAccessKey": ...}, the format
-- the handbook's boto3 program writes, so its file is adopted. A file in any
-- other shape was not written by us and is never overwritten.
-- Secrets are never printed: lines name the key id only.

local context = require("provision.context")
local calls = require("provision.calls")
local step = require("provision.step")
local entity = require("provision.entity")
local files = require("provision.files")

local keys = {}

local function fs()
  return require("iamsh.fs")
end

-- The credentials a file's text records; raises for a foreign file.
local function parse(text, path)
  local ok, doc = pcall(context.json().decode, text)
  if not ok or type(doc) ~= "table" or type(doc.AccessKeyId) ~= "string"
      or type(doc.SecretAccessKey) ~= "string" then
    error(string.format("%s exists but is not a credentials file written by iamsh "
      .. "(a JSON object with AccessKeyId and SecretAccessKey); move it away or choose another file", path), 0)
  end
  return doc
end

-- The recorded credentials, nil when there is no file; raises for a foreign file.
function keys.read_file(path)
  local text = fs().read(path)
  return text and parse(text, path)
end

-- Field order fixed, as the handbook writes it; json.encode quotes each value.
local function file_text(id, secret)
  local json = context.json()
  return string.format('{\n  "AccessKeyId": %s,\n  "SecretAccessKey": %s\n}\n',
    json.encode(id), json.encode(secret))
end

local function list(user, absent)
  if absent then
    return {}
  end
  return calls.all_or_empty("list_access_keys", { UserName = user }, entity.opts("user", user))
end

local function ids(list_)
  local set = {}
  for _, k in ipairs(list_) do
    set[k.AccessKeyId] = true
  end
  return set
end

local function delete_key(user, id, why, report)
  step.remove(string.format("delete access key %s of user %s%s", id, user, why or ""), report, function()
    calls.call("delete_access_key", { UserName = user, AccessKeyId = id })
  end)
end

-- With 2 keys (active or not, both count), CreateAccessKey would fail.
local function make_room(def, current, report)
  if #current < 2 then
    return
  end
  if not def.rotate then
    error(string.format("user %s already has 2 access keys (%s %s, %s %s; inactive keys count too), "
      .. "none of them recorded in %s; delete one by hand or run again with rotate=true to delete the oldest",
      def.user, current[1].AccessKeyId, tostring(current[1].Status), current[2].AccessKeyId,
      tostring(current[2].Status), def.file), 0)
  end
  local sorted = { table.unpack(current) }
  table.sort(sorted, function(a, b) return tostring(a.CreateDate) < tostring(b.CreateDate) end)
  delete_key(def.user, sorted[1].AccessKeyId, " (oldest, rotate=true)", report)
end

-- A CreateAccessKey failure may leave a key whose secret never arrived: a
-- timeout, a lost connection, a 5xx, an unreadable answer. The client
-- retries those by itself, so an attempt before the last may have made a key
-- even when the last one failed cleanly (e.g. LimitExceeded, the quota used
-- up by the earlier attempts). So after any failed CreateAccessKey the keys
-- are listed again and the strays (keys that appeared during the call, not
-- the recorded one) deleted.
local function remove_orphans(def, before, recorded, report)
  local ok, after = pcall(list, def.user)
  if not ok then
    step.warn(string.format("could not list the access keys of user %s after a failed CreateAccessKey; "
      .. "check for an orphaned key by hand", def.user))
    return
  end
  for _, k in ipairs(after) do
    if not before[k.AccessKeyId] and k.AccessKeyId ~= recorded then
      delete_key(def.user, k.AccessKeyId, " (created, but its secret never arrived)", report)
    end
  end
end

local function create_key(def, current, recorded, report)
  local before = ids(current)
  return step.write("add", "create access key for user " .. def.user, report, function()
    local ok, res = pcall(calls.call, "create_access_key", { UserName = def.user }, entity.opts("user", def.user))
    if not ok then
      remove_orphans(def, before, recorded, report)
      error(res, 0)
    end
    return res.AccessKey
  end)
end

-- The secret goes to disk, 0600, atomically. If that fails the key is useless
-- (nobody has its secret): delete it before raising.
local function save(def, key, report)
  local what = key.AccessKeyId and ("access key " .. key.AccessKeyId) or "the new access key"
  step.write("add", string.format("write %s (%s)", def.file, what), report, function()
    local ok, err = pcall(fs().write_atomic, def.file, file_text(key.AccessKeyId, key.SecretAccessKey),
      tonumber("600", 8))
    if not ok then
      delete_key(def.user, key.AccessKeyId, " (its file could not be written)", report)
      error(err, 0)
    end
  end)
end

-- Returns {id=, created=, changes=}. `absent` tells that the user is still
-- to be created (plan mode).
function keys.converge(def)
  if type(def) ~= "table" or type(def.user) ~= "string" or type(def.file) ~= "string" then
    error("provision.access_key: user and file (strings) are required", 3)
  end
  local report = step.report()
  local recorded = keys.read_file(def.file)
  local recorded_id = recorded and recorded.AccessKeyId
  local absent = def.absent
  if absent == nil then
    absent = context.planning() and calls.get("get_user", { UserName = def.user }) == nil
  end
  local current = list(def.user, absent)
  if recorded_id and ids(current)[recorded_id] then
    step.ok(string.format("access key %s of user %s (in %s)", recorded_id, def.user, def.file))
    return { id = recorded_id, created = false, changes = report, secret = recorded.SecretAccessKey }
  end
  make_room(def, current, report)
  local key = create_key(def, current, recorded_id, report)
  if key == nil then
    save(def, {}, report)
    return { id = nil, created = true, changes = report }
  end
  save(def, key, report)
  return { id = key.AccessKeyId, created = true, changes = report, secret = key.SecretAccessKey }
end

-- Delete the credentials file once its key is gone (after teardown_user).
-- A foreign file, or one whose key still exists on the user, is left alone.
function keys.remove_file(def)
  return files.remove({ path = def.file, accept = function(text)
    local ok, recorded = pcall(parse, text, def.file)
    if not ok then
      return false, tostring(recorded) .. "; leaving it"
    end
    if not context.planning() and ids(list(def.user))[recorded.AccessKeyId] then
      return false, string.format("access key %s still exists on user %s; keeping %s",
        recorded.AccessKeyId, def.user, def.file)
    end
    return true
  end })
end

return keys
