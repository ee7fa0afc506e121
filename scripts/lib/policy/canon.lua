-- The canonical form of IAM policy documents (private to `policy`).
--
-- IAM hands documents back reordered and reformatted, so comparing text gives
-- a perpetual diff (aws-conventions 5.3). Documents are compared in a
-- canonical form instead: object keys sorted; a string equals a one-element
-- array; Action/NotAction/Resource/NotResource, Principal values and
-- Condition values are sets; statement order is ignored; Version and
-- everything else are kept as they are. Action names are case-insensitive in
-- IAM: with `fold` they are lower-cased, for comparing; without, they keep
-- the spelling a person wrote, for showing.

local canon = {}

canon.SET_KEYS = { Action = "lower", NotAction = "lower", Resource = true, NotResource = true }
canon.PRINCIPAL_KEYS = { Principal = true, NotPrincipal = true }

function canon.is_array(t)
  if next(t) == nil then
    return true
  end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then
      return false
    end
    n = n + 1
  end
  return n == #t
end

local function scalar(v)
  if type(v) == "string" then
    return v
  end
  return tostring(v)
end

-- Case-insensitive order (ties by bytes), as a person reads a sorted list.
function canon.before(x, y)
  local lx, ly = x:lower(), y:lower()
  if lx == ly then
    return x < y
  end
  return lx < ly
end

-- A string or a list of strings as a sorted list without duplicates; with
-- lower, duplicates are found case-insensitively (and lower-cased if fold).
local function as_set(v, lower, fold)
  local list = type(v) == "table" and v or { v }
  local seen, out = {}, {}
  for _, item in ipairs(list) do
    local s = scalar(item)
    local id = lower and s:lower() or s
    if fold then
      s = id
    end
    if not seen[id] then
      seen[id] = true
      out[#out + 1] = s
    end
  end
  table.sort(out, canon.before)
  return out
end
canon.as_set = as_set

-- "123456789012" and "arn:aws:iam::123456789012:root" name the same
-- principal; IAM stores the second form.
local function aws_principal(s)
  return s:match("^arn:[^:]+:iam::(%d+):root$") or s
end

local function principal(v)
  if type(v) ~= "table" then
    return scalar(v)
  end
  local out = {}
  for k, vals in pairs(v) do
    local set = as_set(vals)
    if k == "AWS" then
      for i, s in ipairs(set) do
        set[i] = aws_principal(s)
      end
      set = as_set(set)
    end
    out[k] = set
  end
  return out
end

local function condition(v)
  if type(v) ~= "table" then
    return scalar(v)
  end
  local out = {}
  for op, keys in pairs(v) do
    out[op] = {}
    for key, vals in pairs(type(keys) == "table" and keys or {}) do
      out[op][key] = as_set(vals)
    end
  end
  return out
end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

-- Compact JSON with sorted keys: deterministic, so it serves for equality,
-- sorting, sizes (IAM counts a policy without white space) and display.
function canon.json(v)
  local t = type(v)
  if t == "string" then
    return quote(v)
  elseif t == "number" then
    return math.type(v) == "integer" and string.format("%d", v) or string.format("%.17g", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t ~= "table" then
    return "null" -- aws.json.null
  end
  local parts = {}
  if canon.is_array(v) then
    for i, item in ipairs(v) do
      parts[i] = canon.json(item)
    end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do
    keys[#keys + 1] = tostring(k)
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    parts[i] = quote(k) .. ":" .. canon.json(v[k])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function canon.statement(st, fold)
  if type(st) ~= "table" then
    return scalar(st)
  end
  local out = {}
  for k, v in pairs(st) do
    if canon.SET_KEYS[k] then
      out[k] = as_set(v, canon.SET_KEYS[k] == "lower", fold)
    elseif canon.PRINCIPAL_KEYS[k] then
      out[k] = principal(v)
    elseif k == "Condition" then
      out[k] = condition(v)
    else
      out[k] = v
    end
  end
  return out
end

-- The statements of a document as a list, in the document's order.
function canon.statement_list(doc)
  local v = doc.Statement
  if v == nil then
    return {}
  end
  if type(v) ~= "table" or not canon.is_array(v) then
    return { v }
  end
  return v
end

-- A document given as a table or a JSON string, as a table; nil and the
-- reason when it is neither.
function canon.decode(doc)
  if type(doc) == "string" then
    local ok, v = pcall(require("aws").json.decode, doc)
    if not ok then
      local why = tostring(v):gsub("^aws%.json%.decode: ", "")
      local where = why:match("^invalid JSON (.*)$")
      return nil, where and ("not valid JSON " .. where) or ("not valid JSON: " .. why)
    end
    doc = v
  end
  if type(doc) ~= "table" or (next(doc) ~= nil and canon.is_array(doc)) then
    return nil, "must be a JSON object (a Lua table with Version and Statement), not " .. type(doc)
  end
  return doc
end

-- The canonical (folded) form of a decoded document: statements sorted.
function canon.normalize(doc)
  local out = {}
  for k, v in pairs(doc) do
    out[k] = v
  end
  local list = {}
  for i, st in ipairs(canon.statement_list(doc)) do
    list[i] = canon.statement(st, true)
  end
  table.sort(list, function(a, b) return canon.json(a) < canon.json(b) end)
  out.Statement = doc.Statement ~= nil and list or nil
  return out
end

return canon
