-- Policy documents: semantic comparison, ARNs of AWS managed policies, trust
-- policies, and policy sets kept as data files (scripts/policies/*.lua).
--
-- IAM hands documents back reordered and reformatted, so comparing text gives
-- a perpetual diff (aws-conventions 5.3). Documents are compared in a
-- canonical form instead: object keys sorted; a string equals a one-element
-- array; Action/NotAction/Resource/NotResource, Principal values and
-- Condition values are sets (Action case-insensitive); statement order is
-- ignored; Version and everything else are kept as they are.

local context = require("provision.context")

local policy = {}

local SET_KEYS = { Action = "lower", NotAction = "lower", Resource = true, NotResource = true }
local PRINCIPAL_KEYS = { Principal = true, NotPrincipal = true }

local function is_array(t)
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

-- A string or a list of strings as a sorted list without duplicates.
local function as_set(v, fold)
  local list = type(v) == "table" and v or { v }
  local seen, out = {}, {}
  for _, item in ipairs(list) do
    local s = scalar(item)
    if fold == "lower" then
      s = s:lower()
    end
    if not seen[s] then
      seen[s] = true
      out[#out + 1] = s
    end
  end
  table.sort(out)
  return out
end

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
    for key, vals in pairs(keys) do
      out[op][key] = as_set(vals)
    end
  end
  return out
end

-- Canonical text of a canonical value: deterministic, for equality and sorting.
local function encode(v)
  if type(v) ~= "table" then
    return string.format("%q", scalar(v))
  end
  local parts = {}
  if is_array(v) then
    for i, item in ipairs(v) do
      parts[i] = encode(item)
    end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do
    keys[#keys + 1] = tostring(k)
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    parts[i] = string.format("%q", k) .. ":" .. encode(v[k])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function statement(st)
  if type(st) ~= "table" then
    return scalar(st)
  end
  local out = {}
  for k, v in pairs(st) do
    if SET_KEYS[k] then
      out[k] = as_set(v, SET_KEYS[k])
    elseif PRINCIPAL_KEYS[k] then
      out[k] = principal(v)
    elseif k == "Condition" then
      out[k] = condition(v)
    else
      out[k] = v
    end
  end
  return out
end

local function statements(v)
  if type(v) ~= "table" or not is_array(v) then
    v = { v }
  end
  local list = {}
  for i, st in ipairs(v) do
    list[i] = statement(st)
  end
  table.sort(list, function(a, b) return encode(a) < encode(b) end)
  return list
end

local function decode(doc)
  if type(doc) == "string" then
    return context.json().decode(doc)
  end
  return doc
end

-- The canonical form of a document given as a table or a JSON string.
function policy.normalize(doc)
  doc = decode(doc)
  if type(doc) ~= "table" then
    error("policy.normalize: a policy document must be a table or a JSON object", 2)
  end
  local out = {}
  for k, v in pairs(doc) do
    out[k] = k == "Statement" and statements(v) or v
  end
  return out
end

-- Deterministic text of the canonical form (useful in diffs and tests).
function policy.canonical(doc)
  return encode(policy.normalize(doc))
end

function policy.equal(a, b)
  if a == nil or b == nil then
    return a == b
  end
  return policy.canonical(a) == policy.canonical(b)
end

-- ARN of an AWS managed policy in the caller's partition.
function policy.managed(name)
  return string.format("arn:%s:iam::aws:policy/%s", context.partition(), name)
end

-- A managed policy given by name or by ARN, as an ARN.
function policy.arn(name_or_arn)
  if name_or_arn:match("^arn:") then
    return name_or_arn
  end
  return policy.managed(name_or_arn)
end

-- A trust policy letting one AWS service (or a list of them) assume a role.
function policy.trust_service(service)
  return {
    Version = "2012-10-17",
    Statement = {
      { Effect = "Allow", Principal = { Service = service }, Action = "sts:AssumeRole" },
    },
  }
end

-- Policy sets ---------------------------------------------------------------

local function policies_dir()
  local src = debug.getinfo(1, "S").source
  local here = src:match("^@(.*)[/\\][^/\\]*$") or "."
  return here .. "/../policies"
end

local function set_path(name)
  if name:find("/", 1, true) or name:match("%.lua$") then
    return name
  end
  local ok, iamsh = pcall(require, "iamsh")
  local base = ok and type(iamsh) == "table" and iamsh.scripts_dir
  if base then
    return base .. "/policies/" .. name .. ".lua"
  end
  return policies_dir() .. "/" .. name .. ".lua"
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then
    error("policy set: cannot read " .. err, 0)
  end
  local text = f:read("a")
  f:close()
  return text
end

-- Replace ${name} in every string (keys and values) from vars.
local function substitute(v, vars, where, lenient)
  if type(v) == "string" then
    return (v:gsub("%${([%w_]+)}", function(key)
      local val = vars[key]
      if (val == nil or val == "") and lenient then
        return nil
      elseif val == nil or val == "" then
        error(string.format("policy set %s: no value for ${%s}", where, key), 0)
      end
      return tostring(val)
    end))
  end
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, item in pairs(v) do
    out[substitute(k, vars, where, lenient)] = substitute(item, vars, where, lenient)
  end
  return out
end

-- Load a policy set: a data file returning one table literal, run with an
-- empty environment (no function of ours or Lua's is reachable from it), then
-- with its ${placeholders} filled from vars. With lenient, a placeholder
-- without a value stays as it is (to read a set's names only).
function policy.load_set(name, vars, lenient)
  local path = set_path(name)
  local chunk, err = load(read_file(path), "@" .. path, "t", {})
  if not chunk then
    error("policy set " .. name .. ": " .. err, 0)
  end
  local ok, set = pcall(chunk)
  if not ok or type(set) ~= "table" then
    error("policy set " .. name .. ": must return a table" .. (ok and "" or (": " .. tostring(set))), 0)
  end
  return substitute(set, vars or {}, name, lenient)
end

return policy
