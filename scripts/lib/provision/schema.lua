-- Definitions are checked before anything is read or written, in plan mode
-- as in apply mode: unknown keys (with a did-you-mean), types, flag values,
-- names and paths as IAM allows them, policy documents (policy.check), tags,
-- output folders. Each public function declares its keys once here, with
-- type, default and meaning; docs/provision.md shows the same tables (a test
-- keeps them equal).

local policy = require("policy")
local suggest = require("suggest")
local errors = require("provision.errors")

local schema = {}

local registry = {}

local function bad(where, key, fmt, ...)
  errors.definition(where, "%s " .. fmt, key, ...)
end

local is_list = require("iamsh.tables").is_list

local function show(v)
  if type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end

-- IAM's names: [\w+=,.@-], 1 to max characters.
local function iam_name(v, where, key, max)
  if type(v) ~= "string" or v == "" then
    bad(where, key, "must be a non-empty string, not %s", show(v))
  end
  if #v > max or v:find("[^%w_+=,.@-]") then
    bad(where, key, "%s is not a name IAM accepts (1-%d of letters, digits and _+=,.@-)", show(v), max)
  end
  return v
end

local function list_of(v, where, key, each)
  if not is_list(v) then
    bad(where, key, "must be a list, e.g. {\"a\", \"b\"}, not %s", type(v) == "table" and "a table with other keys"
      or show(v))
  end
  local out = {}
  for i, item in ipairs(v) do
    out[i] = each(item, where, string.format("%s[%d]", key, i))
  end
  return out
end

-- A document, decoded and checked as IAM would (policy.check); sizes are
-- checked later against the account's live quotas, not the defaults.
local function document(kind)
  return function(v, where, key)
    local doc, why = policy.check(v, kind, { max_size = false })
    if not doc then
      bad(where, key, "is not a valid policy document: %s", why)
    end
    return doc
  end
end

local function policy_ref(v, where, key)
  if type(v) ~= "string" or v == "" then
    bad(where, key, "must be a policy name or ARN (string), not %s", show(v))
  end
  if v:match("^arn:") and not v:match("^arn:[%w%-]+:iam::[%w]+:policy/.+") then
    bad(where, key, "%s is not a policy ARN (arn:PARTITION:iam::ACCOUNT:policy/NAME)", show(v))
  end
  return v
end

local function tag_text(s, where, key, max, empty)
  if type(s) == "number" then
    s = tostring(s)
  end
  if type(s) ~= "string" or #s > max or (#s == 0 and not empty) then
    bad(where, key, "must be a string of %s%d characters, not %s", empty and "0-" or "1-", max, show(s))
  end
  if s:find("[^%w%s_.:/=+@%-\128-\255]") then
    bad(where, key, "%s holds a character IAM does not allow in tags (letters, digits, spaces, _.:/=+-@)", show(s))
  end
  return s
end

local function tags(v, where, key)
  if type(v) ~= "table" then
    bad(where, key, "must be a table {Key = \"value\"}, not %s", show(v))
  end
  local map, n = {}, 0
  for k, val in pairs(v) do
    if type(val) == "table" then -- AWS's own list form {Key =, Value =}
      k, val = val.Key, val.Value or ""
    end
    local tk = tag_text(k, where, key .. " key", 128, false)
    if tk:lower():match("^aws:") then
      bad(where, key, "key %s: the aws: prefix is reserved for AWS", show(tk))
    end
    map[tk] = tag_text(val, where, string.format("%s[%q]", key, tk), 256, true)
    n = n + 1
  end
  if n > 50 then
    bad(where, key, "has %d tags; IAM allows 50", n)
  end
  return map
end

local function folder_of(path)
  return path:match("^(.*)/[^/]*$")
end

-- A file to write: its folder must exist (a plan that passes must not fail
-- on it later).
local function file(v, where, key)
  if type(v) ~= "string" or v == "" then
    bad(where, key, "must be a file path (string), not %s", show(v))
  end
  local fs = require("iamsh.fs")
  local here = fs.stat(v, true)
  if here and here.type == "link" then
    bad(where, key, "%s is a symbolic link: iamsh does not replace links (give the target's path)", show(v))
  end
  local dir = folder_of(v)
  if dir == nil or dir == "" then
    return v
  end
  local st = fs.stat(dir)
  if not st or st.type ~= "dir" then
    bad(where, key, "%s: folder %s does not exist", show(v), dir)
  end
  return v
end

local TYPES = {}

TYPES.string = { label = "string", check = function(v, where, key)
  if type(v) ~= "string" then
    bad(where, key, "must be a string, not %s", show(v))
  end
  return v
end }

TYPES.name = { label = "string (IAM name)", check = function(v, where, key, f)
  return iam_name(v, where, key, f.max or 64)
end }

TYPES.path = { label = "string (IAM path)", check = function(v, where, key)
  if type(v) ~= "string" or not v:match("^/") or not v:match("/$") or #v > 512 or v:find("[^\33-\126]") then
    bad(where, key, "must be an IAM path: starts and ends with /, e.g. \"/ci/\" (not %s)", show(v))
  end
  return v
end }

TYPES.integer = { label = "integer", check = function(v, where, key, f)
  local n = math.tointeger(tonumber(v))
  if n == nil or (type(v) ~= "number" and type(v) ~= "string") then
    bad(where, key, "must be a whole number, not %s", show(v))
  end
  if (f.min and n < f.min) or (f.max and n > f.max) then
    bad(where, key, "must be between %d and %d, not %d", f.min, f.max, n)
  end
  return n
end }

-- key=value arguments arrive as strings, so "true" and "false" count too;
-- anything else ("ture", "yes", 1) is refused rather than guessed at.
TYPES.flag = { label = "boolean", check = function(v, where, key)
  if v == true or v == "true" then
    return true
  elseif v == false or v == "false" then
    return false
  end
  bad(where, key, "must be true or false (or the strings \"true\"/\"false\"), not %s", show(v))
end }

TYPES.trust = { label = "policy document (trust)", check = document("trust") }
TYPES.document = { label = "policy document", check = document("identity") }

TYPES.documents = { label = "table name -> policy document", check = function(v, where, key)
  if type(v) ~= "table" or (next(v) ~= nil and is_list(v)) then
    bad(where, key, "must be a table {PolicyName = document}, not %s", type(v) == "table" and "a list" or show(v))
  end
  local out = {}
  for name, doc in pairs(v) do
    local k = string.format("%s[%s]", key, show(name))
    iam_name(name, where, k, 128)
    out[name] = document("identity")(doc, where, k)
  end
  return out
end }

TYPES.policies = { label = "list of policy names or ARNs", check = function(v, where, key)
  return list_of(v, where, key, policy_ref)
end }

TYPES.boundary = { label = "policy name or ARN, or false", check = function(v, where, key)
  if v == false then
    return false
  end
  return policy_ref(v, where, key)
end }

TYPES.names = { label = "list of IAM names", check = function(v, where, key)
  return list_of(v, where, key, function(item, w, k) return iam_name(item, w, k, 128) end)
end }

TYPES.strings = { label = "list of strings", check = function(v, where, key)
  return list_of(v, where, key, function(item, w, k)
    if type(item) ~= "string" or item == "" or #item > 255 then
      bad(w, k, "must be a string of 1-255 characters, not %s", show(item))
    end
    return item
  end)
end }

TYPES.thumbprints = { label = "list of SHA-1 fingerprints (40 hex digits)", check = function(v, where, key)
  local list = list_of(v, where, key, function(item, w, k)
    if type(item) ~= "string" or not item:match("^%x+$") or #item ~= 40 then
      bad(w, k, "must be 40 hexadecimal digits (a SHA-1 fingerprint), not %s", show(item))
    end
    return item:lower()
  end)
  if #list > 5 then
    bad(where, key, "has %d thumbprints; IAM allows 5", #list)
  end
  return list
end }

TYPES.url = { label = "string (https URL)", check = function(v, where, key)
  if type(v) ~= "string" or not v:match("^https://[^/?#%s]+[^?#%s]*$") or #v > 255 then
    bad(where, key, "must be an https:// URL without query or fragment, e.g. "
      .. "\"https://token.actions.githubusercontent.com\" (not %s)", show(v))
  end
  return (v:gsub("/$", ""))
end }

TYPES.tags = { label = "table key -> value", check = tags }

TYPES.env = { label = "table KEY -> value", check = function(v, where, key)
  if type(v) ~= "table" then
    bad(where, key, "must be a table {KEY = \"value\"}, not %s", show(v))
  end
  for k, val in pairs(v) do
    if type(k) ~= "string" or not k:match("^[%a_][%w_]*$") then
      bad(where, key, "key %s is not a variable name ([A-Za-z_][A-Za-z0-9_]*)", show(k))
    end
    if type(val) ~= "string" or val:find("[\r\n]") then
      bad(where, key, "%s must be a string on one line", k)
    end
  end
  return v
end }
TYPES.file = { label = "string (file path)", check = file }

TYPES.choice = { label = "string", check = function(v, where, key, f)
  for _, c in ipairs(f.choices) do
    if v == c then
      return v
    end
  end
  bad(where, key, "must be one of %s, not %s", table.concat(f.choices, ", "), show(v))
end }

TYPES["function"] = { label = "function", check = function(v, where, key)
  if type(v) ~= "function" then
    bad(where, key, "must be a function, not %s", show(v))
  end
  return v
end }

TYPES.lines = { label = "list of strings", check = function(v, where, key)
  return list_of(v, where, key, function(item, w, k)
    if type(item) ~= "string" then
      bad(w, k, "must be a string, not %s", show(item))
    end
    return item
  end)
end }

TYPES.creates = { label = "table kind -> name or list of names", check = function(v, where, key, f)
  if type(v) ~= "table" or is_list(v) then
    bad(where, key, "must be a table such as {group = \"devs\"}, not %s", show(v))
  end
  local out = {}
  for kind, names in pairs(v) do
    if not f.kinds[kind] then
      local known = {}
      for k in pairs(f.kinds) do
        known[#known + 1] = k
      end
      bad(where, key, "has an unknown kind '%s'%s", tostring(kind), suggest.hint(tostring(kind), known))
    end
    out[kind] = type(names) == "table" and list_of(names, where, key .. "." .. kind, TYPES.string.check)
      or { TYPES.string.check(names, where, key .. "." .. kind) }
  end
  return out
end }

-- "provision.role{name = \"X\"}": which definition an error is about.
function schema.where(fn, def)
  local id = type(def) == "table" and (def.name or def.url or def.user or def.path or def.what)
  if type(id) == "string" then
    return string.format("%s{%s = %q}", fn, def.name and "name" or def.url and "url" or def.user and "user"
      or def.path and "path" or "what", id)
  end
  return fn
end

-- Declare the keys of a public function: fields = { {key, type, required=,
-- default=, doc=, (type options: max, min, choices, kinds)} }.
function schema.define(fn, fields)
  local spec = { fn = fn, fields = fields, by_key = {}, keys = {} }
  for _, f in ipairs(fields) do
    assert(TYPES[f[2]], f[2])
    spec.by_key[f[1]] = f
    spec.keys[#spec.keys + 1] = f[1]
  end
  registry[fn] = spec
  return spec
end

-- The definition checked and normalized (flags as booleans, documents
-- decoded, tags as a map), defaults filled; raises for the first problem.
function schema.check(spec, def)
  if type(def) ~= "table" then
    errors.definition(spec.fn, "a definition table is required, e.g. %s{name = \"...\"}, not %s", spec.fn, show(def))
  end
  local where = schema.where(spec.fn, def)
  for k in pairs(def) do
    if spec.by_key[k] == nil then
      errors.definition(where, "unknown key '%s'%s", tostring(k), suggest.hint(tostring(k), spec.keys))
    end
  end
  local out = {}
  for _, f in ipairs(spec.fields) do
    local v = def[f[1]]
    if v == nil and f.required then
      errors.definition(where, "%s (%s) is required", f[1], TYPES[f[2]].label)
    end
    if v ~= nil then
      out[f[1]] = TYPES[f[2]].check(v, where, f[1], f)
    else
      out[f[1]] = f.default
    end
  end
  return out, where
end

-- A field as a row of the documentation's key table:
-- | `key` | type | default | meaning |
function schema.row(f)
  local default
  if f.default_doc then
    default = f.default_doc
  elseif f.default == nil then
    default = f.required and "required" or "—"
  else
    default = "`" .. (type(f.default) == "string" and string.format("%q", f.default) or tostring(f.default)) .. "`"
  end
  return string.format("| `%s` | %s | %s | %s |", f[1], TYPES[f[2]].label, default, f.doc or "")
end

-- Every declared function's spec, by name (for the documentation test).
function schema.registry()
  return registry
end

return schema
