-- provision.access_key{user=, file=, rotate=false}: one working access key
-- for a user, its secret kept only in `file`.
--
-- The file is JSON {"AccessKeyId": ..., "SecretAccessKey": ...}, the format
-- the handbook's boto3 program writes, so its file is adopted. A file in any
-- other shape was not written by us and is never overwritten.
-- Secrets are never printed: lines name the key id only.

local deps = require("provision.deps")
local state = require("provision.state")
local calls = require("provision.calls")
local step = require("provision.step")
local refs = require("provision.refs")
local schema = require("provision.schema")
local errors = require("provision.errors")
local files = require("provision.files")

local keys = {}

local SECRET_MODE = tonumber("600", 8)

keys.SPEC = schema.define("provision.access_key", {
  { "user", "name", required = true,
    doc = "the user the key belongs to (it must exist, or be made earlier in the run)" },
  { "file", "file", required = true,
    doc = "where the key and its secret are kept: JSON {AccessKeyId, SecretAccessKey}, mode 0600; its folder must " ..
    "exist" },
  { "rotate", "flag", default = false,
    doc = "with 2 keys already (IAM's limit, inactive ones count), delete the oldest to make room" },
})

keys.REMOVE = schema.define("provision.remove_credentials_file", {
  { "user", "name", required = true, doc = "the user the key belonged to" },
  { "file", "string", required = true,
    doc = "the credentials file; deleted only once its key no longer exists on the user" },
})

local function fs()
  return require("iamsh.fs")
end

-- The credentials a file's text records; raises for a foreign file.
local function parse(text, path)
  local ok, doc = pcall(deps.json().decode, text)
  if not ok or type(doc) ~= "table" or type(doc.AccessKeyId) ~= "string"
      or type(doc.SecretAccessKey) ~= "string" then
    errors.definition("provision.access_key", "%s exists but is not a credentials file written by iamsh "
      .. "(a JSON object with AccessKeyId and SecretAccessKey); move it away or choose another file", path)
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
  local json = deps.json()
  return string.format('{\n  "AccessKeyId": %s,\n  "SecretAccessKey": %s\n}\n',
    json.encode(id), json.encode(secret))
end

local function list(user, absent)
  if absent then
    return {}
  end
  return calls.all_or_empty("list_access_keys", { UserName = user }, { fresh = state.is_fresh("user", user) })
end

local function ids(list_)
  local set = {}
  for _, k in ipairs(list_) do
    set[k.AccessKeyId] = true
  end
  return set
end

-- The pending note: before CreateAccessKey, `<file>.iamsh-pending` records the
-- user, the keys it had and the time (no secret). A key made by that call
-- whose secret never reached the file (the answer lost and the call retried,
-- the process killed before the write) is one the note does not list; the
-- note goes once the new key is saved and no such key is left, so a note
-- found by a later run means an interrupted one: its strays are deleted then.
-- A key made more than an hour after the note is someone else's: left alone.
local PENDING_WINDOW = 3600

local function pending_path(file)
  return file .. ".iamsh-pending"
end

local function read_pending(def)
  local text = fs().read(pending_path(def.file))
  local ok, doc = pcall(deps.json().decode, text or "")
  if not ok or type(doc) ~= "table" or doc.user ~= def.user or type(doc.keys) ~= "table"
      or math.type(doc.time) ~= "integer" then
    return nil
  end
  local before = {}
  for _, id in ipairs(doc.keys) do
    before[id] = true
  end
  return { before = before, time = doc.time }
end

local function write_pending(def, current)
  local list_ = {}
  for _, k in ipairs(current) do
    list_[#list_ + 1] = k.AccessKeyId
  end
  local text = deps.json().encode({ user = def.user, keys = list_, time = os.time() })
  fs().write_atomic(pending_path(def.file), text, SECRET_MODE)
end

local function drop_pending(def)
  if not deps.planning() then
    os.remove(pending_path(def.file))
  end
end

-- Was key k made within the window after `since` (seconds since the epoch)?
local function made_soon_after(k, since)
  local ok, made = pcall(function() return aws.timestamp(tostring(k.CreateDate)) end)
  return ok and made <= since + PENDING_WINDOW
end

-- Keys that appeared since `before` (a set of ids), are neither `keep` id, and
-- (with `since`) were made within the window after it.
local function strays(list_, before, keep1, keep2, since)
  local out = {}
  for _, k in ipairs(list_) do
    local id = k.AccessKeyId
    if not before[id] and id ~= keep1 and id ~= keep2 and (not since or made_soon_after(k, since)) then
      out[#out + 1] = id
    end
  end
  return out
end

local function delete_key(user, id, why, report)
  step.write({ kind = "destroy", text = string.format("delete access key %s of user %s%s", id, user, why or ""),
    key = { "user", user:lower(), "key", id }, missing_ok = true, run = function()
      calls.call("delete_access_key", { UserName = user, AccessKeyId = id })
    end }, report)
end

-- With 2 keys (active or not, both count), CreateAccessKey would fail.
local function make_room(def, current, report)
  if #current < 2 then
    return
  end
  if not def.rotate then
    errors.refusal("LimitExceeded", "user %s already has 2 access keys (%s %s, %s %s; inactive keys count too), "
      .. "none of them recorded in %s; delete one by hand or run again with rotate=true to delete the oldest",
      def.user, current[1].AccessKeyId, tostring(current[1].Status), current[2].AccessKeyId,
      tostring(current[2].Status), def.file)
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
  local ok, after = pcall(calls.with_retry, function() return list(def.user) end, { transient = true })
  if not ok then
    step.warn(string.format("could not list the access keys of user %s after a failed CreateAccessKey; "
      .. "the next run deletes a key it made, if any", def.user))
    return
  end
  for _, id in ipairs(strays(after, before, recorded)) do
    delete_key(def.user, id, " (created, but its secret never arrived)", report)
  end
  drop_pending(def)
end

-- After a successful CreateAccessKey: the client may have retried it after an
-- attempt that made a key and lost the answer (a 500, a dropped connection),
-- so the keys are listed again (until IAM shows the new one) and the strays
-- deleted, waiting out throttling and the like. If IAM still cannot be asked,
-- the note stays and the run fails: it cannot say it left no stray key, and
-- the next run deletes one.
local function sweep(def, before, recorded, key, report)
  local ok, err = pcall(calls.with_retry, function()
    local after = list(def.user)
    if not ids(after)[key.AccessKeyId] then
      error({ code = "NoSuchEntity", message = "the new key is not listed yet" }, 0)
    end
    for _, id in ipairs(strays(after, before, recorded, key.AccessKeyId)) do
      delete_key(def.user, id, " (made by a retried CreateAccessKey whose answer was lost)", report)
    end
  end, { fresh = true, transient = true })
  if not ok then
    local why = string.format("could not check user %s for a second key made by a retried CreateAccessKey "
      .. "(%s); the key in %s is saved; run again: the next run deletes the other key, if any", def.user,
      type(err) == "table" and tostring(err.code) or tostring(err), def.file)
    if type(err) == "table" then
      err.message = why .. ": " .. tostring(err.message or "")
      error(err, 0)
    end
    error(why, 0)
  end
  drop_pending(def)
end

-- A note left by an interrupted run: its keys, made after the note and
-- recorded nowhere, are deleted (or shown under --plan); returns the keys left.
local function clean_interrupted(def, current, recorded, report)
  local pending = read_pending(def)
  if not pending then
    return current
  end
  local gone = {}
  for _, id in ipairs(strays(current, pending.before, recorded, nil, pending.time)) do
    delete_key(def.user, id, " (made by an interrupted run; its secret was never saved)", report)
    gone[id] = true
  end
  local left = {}
  for _, k in ipairs(current) do
    if not gone[k.AccessKeyId] then
      left[#left + 1] = k
    end
  end
  return left
end

local function create_key(def, current, recorded, report)
  local before = ids(current)
  return step.write({ kind = "add", text = "create access key for user " .. def.user,
    key = { "user", def.user:lower(), "new key" }, run = function()
      write_pending(def, current)
      local ok, res = pcall(calls.call, "create_access_key", { UserName = def.user },
        { fresh = state.is_fresh("user", def.user) })
      if not ok then
        remove_orphans(def, before, recorded, report)
        error(res, 0)
      end
      return res.AccessKey
    end }, report)
end

-- The secret goes to disk, 0600, atomically. If that fails the key is useless
-- (nobody has its secret): delete it before raising.
local function save(def, key, report)
  local what = key.AccessKeyId and ("access key " .. key.AccessKeyId) or "the new access key"
  step.write({ kind = "add", text = string.format("write %s (%s)", def.file, what), key = { "file", def.file },
    run = function()
      local ok, err = pcall(fs().write_atomic, def.file, file_text(key.AccessKeyId, key.SecretAccessKey), SECRET_MODE)
      if not ok then
        delete_key(def.user, key.AccessKeyId, " (its file could not be written)", report)
        error(err, 0)
      end
    end }, report)
end

-- A file the handbook's program wrote with the default umask holds a secret
-- readable by others: made 0600 (rewritten atomically, same content).
local function tighten(def, text, report)
  local st = fs().stat(def.file)
  if st and st.mode ~= SECRET_MODE then
    step.write({ kind = "change", text = string.format("set mode 0600 on %s (it holds a secret; it was %o)",
      def.file, st.mode), key = { "file", def.file, "mode" }, run = function()
        fs().write_atomic(def.file, text, SECRET_MODE)
      end }, report)
  end
end

-- Keys of the user that the file does not record: if the file was lost with
-- their secret, nobody can use them, and they stay valid until deleted.
local function warn_unrecorded(def, current, recorded_id)
  for _, k in ipairs(current) do
    if k.AccessKeyId ~= recorded_id then
      step.warn(string.format("access key %s of user %s is not recorded in %s (was the file lost?); a new key is "
        .. "made, and %s stays valid: once nothing uses it, finish rotating it with: "
        .. "iamsh -e 'iam.delete_access_key{UserName = \"%s\", AccessKeyId = \"%s\"}'",
        k.AccessKeyId, def.user, def.file, k.AccessKeyId, def.user, k.AccessKeyId))
    end
  end
end

-- Is the user there (or made by this run)? true when it is still to be made.
local function user_absent(def)
  local status = state.status("user", def.user)
  if status == "made" then
    return deps.planning()
  end
  if status ~= "exists" then
    refs.need("user", def.user, "access key file " .. def.file)
  end
  return false
end

-- Returns {id=, created=, changes=, secret=}.
function keys.converge(def)
  local d = schema.check(keys.SPEC, def)
  local report = step.report()
  local text = fs().read(d.file)
  local recorded = text and parse(text, d.file)
  local recorded_id = recorded and recorded.AccessKeyId
  local current = clean_interrupted(d, list(d.user, user_absent(d)), recorded_id, report)
  if recorded_id and ids(current)[recorded_id] then
    step.ok(string.format("access key %s of user %s (in %s)", recorded_id, d.user, d.file))
    tighten(d, text, report)
    drop_pending(d)
    return { id = recorded_id, created = false, changes = report, secret = recorded.SecretAccessKey }
  end
  make_room(d, current, report)
  warn_unrecorded(d, current, recorded_id)
  local key = create_key(d, current, recorded_id, report)
  if key == nil then
    save(d, {}, report)
    return { id = nil, created = true, changes = report }
  end
  save(d, key, report)
  sweep(d, ids(current), recorded_id, key, report)
  return { id = key.AccessKeyId, created = true, changes = report, secret = key.SecretAccessKey }
end

-- Delete the credentials file once its key is gone (after teardown_user).
-- A foreign file, or one whose key still exists on the user, is left alone.
function keys.remove_file(def)
  local d = schema.check(keys.REMOVE, def)
  local r = files.remove({ path = d.file, accept = function(text)
    local ok, recorded = pcall(parse, text, d.file)
    if not ok then
      return false, d.file .. " is not a credentials file written by iamsh; leaving it"
    end
    local gone = state.status("user", d.user) == "gone"
    if not gone and ids(list(d.user))[recorded.AccessKeyId] then
      return false, string.format("access key %s still exists on user %s; keeping %s",
        recorded.AccessKeyId, d.user, d.file)
    end
    return true
  end })
  -- The user's keys are gone with it (teardown_user ran first): a pending note
  -- has nothing left to clean up.
  if fs().read(d.file) == nil then
    drop_pending(d)
  end
  return r
end

return keys
