-- iamsh.local.util: what the handlers share: times, ARNs, ids, tags, pages,
-- policy documents (checked by the policy engine, sized as IAM counts them).
local errors = require("iamsh.local.errors")

local M = {}

-- ISO 8601 in UTC, as IAM writes its dates. Every request asks for its own time's,
-- and a server answers thousands a second: the last one is kept.
local last_epoch, last_iso
function M.iso(epoch)
  if epoch == nil then
    return os.date("!%Y-%m-%dT%H:%M:%SZ")
  elseif epoch ~= last_epoch then
    last_iso = os.date("!%Y-%m-%dT%H:%M:%SZ", epoch)
    last_epoch = epoch
  end
  return last_iso
end

function M.arn(r, kind, path, name)
  return string.format("arn:%s:iam::%s:%s%s%s", r.partition, r.account, kind, path or "/", name)
end

-- An entity's unique id: its prefix (AROA, AIDA, ...) and 17 characters.
function M.id(r, prefix)
  return r.store.random_id(prefix, 17)
end

function M.copy(v)
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    out[k] = M.copy(x)
  end
  return out
end

function M.sorted(list, key)
  table.sort(list, key and function(a, b) return key(a) < key(b) end)
  return list
end

-- list without the items equal to v (the rest in order); whether it held v.
function M.without(list, v)
  local out, found = {}, false
  for _, x in ipairs(list or {}) do
    if x == v then
      found = true
    else
      out[#out + 1] = x
    end
  end
  return out, found
end

function M.contains(list, v)
  for _, x in ipairs(list or {}) do
    if x == v then
      return true
    end
  end
  return false
end

-- Tags --------------------------------------------------------------------------

local MAX_TAGS = 50

-- tags (an entity's list of {Key, Value}) with new ones added or replaced, keys
-- compared ignoring case as IAM does; raises as IAM for reserved keys, repeats
-- within one request and more than 50 tags.
function M.add_tags(tags, new)
  local seen = {}
  for _, t in ipairs(new or {}) do
    local lk = t.Key:lower()
    if lk:sub(1, 4) == "aws:" then
      errors.invalid("User is not authorized to perform tagging with the aws: prefix: %s", t.Key)
    end
    if seen[lk] then
      errors.invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    end
    seen[lk] = true
  end
  local out = {}
  for _, t in ipairs(tags or {}) do
    if not seen[t.Key:lower()] then
      out[#out + 1] = t
    end
  end
  for _, t in ipairs(new or {}) do
    out[#out + 1] = { Key = t.Key, Value = t.Value }
  end
  if #out > MAX_TAGS then
    errors.limit("The number of tags has reached the maximum limit.")
  end
  return out
end

function M.remove_tags(tags, keys)
  local gone = {}
  for _, k in ipairs(keys or {}) do
    gone[k:lower()] = true
  end
  local out = {}
  for _, t in ipairs(tags or {}) do
    if not gone[t.Key:lower()] then
      out[#out + 1] = t
    end
  end
  return out
end

-- A result's Tags: nil when there are none (IAM leaves the element out).
function M.tags_out(tags)
  if not tags or #tags == 0 then
    return nil
  end
  return M.copy(tags)
end

-- Pages --------------------------------------------------------------------------

-- One page of items (sorted by key(item), a string) after p.Marker, at most
-- p.MaxItems (default 100): the page, IsTruncated and the next Marker.
function M.page(items, p, key)
  local start = 1
  if p.Marker then
    local after = aws.base64.decode(p.Marker)
    start = #items + 1
    for i, it in ipairs(items) do
      if key(it) > after then
        start = i
        break
      end
    end
  end
  local n = p.MaxItems or 100
  local out = {}
  for i = start, math.min(#items, start + n - 1) do
    out[#out + 1] = items[i]
  end
  local last = start + n - 1
  if last < #items then
    return out, true, aws.base64.encode(key(items[last]))
  end
  return out, false, nil
end

-- A list result: {[name] = page, IsTruncated =, Marker =}.
function M.list_result(name, items, p, key)
  local page, truncated, marker = M.page(items, p, key)
  return { [name] = page, IsTruncated = truncated, Marker = marker }
end

-- A list result over a list kept in its own order (tags): the Marker is a place.
function M.list_in_order(name, list, p)
  local items = {}
  for i, x in ipairs(list or {}) do
    items[i] = { place = string.format("%06d", i), value = x }
  end
  local page, truncated, marker = M.page(items, p, function(it) return it.place end)
  for i, it in ipairs(page) do
    page[i] = it.value
  end
  return { [name] = page, IsTruncated = truncated, Marker = marker }
end

-- Whether a path starts with prefix (PathPrefix; nil: any).
function M.under(path, prefix)
  return not prefix or path:sub(1, #prefix) == prefix
end

-- Policy documents ----------------------------------------------------------------

-- JSON text of a document (the wire carries text; a decoder may give a table).
function M.doc_text(doc)
  if type(doc) == "table" then
    return aws.json.encode(doc)
  end
  return doc
end

-- Raises MalformedPolicyDocument (IAM's words, from the policy engine's check)
-- unless text is a document of kind IAM would take; sizes are checked apart.
-- Returns the decoded document.
function M.check_doc(text, kind)
  for _, p in ipairs(aws.policy.check(text, kind)) do
    if p.code ~= "LimitExceeded" then
      errors.raise("MalformedPolicyDocument", "%s", p.message)
    end
  end
  return aws.json.decode(text)
end

-- The size IAM counts: characters without white space.
function M.doc_size(text)
  local _, spaces = text:gsub("%s", "")
  return #text - spaces
end

-- An ARN split as arn:partition:service:region:account:resource, or nil.
function M.split_arn(a)
  if type(a) ~= "string" then
    return nil
  end
  local partition, service, region, account, resource = a:match("^arn:([%w%-]+):([%w%-]+):([%w%-]*):(%w*):(.+)$")
  if not partition then
    return nil
  end
  return { partition = partition, service = service, region = region, account = account, resource = resource }
end

-- path and name of an IAM resource ARN of kind (role, user, policy, ...) in
-- account, or nil.
function M.arn_name(a, kind, account)
  local s = M.split_arn(a)
  if not s or s.service ~= "iam" or (account and s.account ~= account) then
    return nil
  end
  local path, name = s.resource:match("^" .. kind:gsub("%-", "%%-") .. "(/.-)([^/]+)$")
  return name, path
end

return M
