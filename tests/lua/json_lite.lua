-- A small JSON encoder/decoder in plain Lua, for the tests when the real
-- aws.json (in the iamsh binary) is not there. Enough for policy documents
-- and credential files: objects, arrays, strings, numbers, booleans, null.

local json = {}

json.null = setmetatable({}, { __tostring = function() return "null" end })

local ARRAY = {}

function json.array(t)
  return setmetatable(t or {}, { [ARRAY] = true })
end

local ESC = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESC[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt and mt[ARRAY] then
    return true
  end
  if next(t) == nil then
    return false
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

local encode

local function encode_table(t)
  local parts = {}
  if is_array(t) then
    for i, v in ipairs(t) do
      parts[i] = encode(v)
    end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = tostring(k)
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    parts[i] = quote(k) .. ":" .. encode(t[k])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

encode = function(v)
  if v == json.null or v == nil then
    return "null"
  end
  local t = type(v)
  if t == "string" then
    return quote(v)
  elseif t == "number" then
    return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "boolean" then
    return tostring(v)
  elseif t == "table" then
    return encode_table(v)
  end
  error("json.encode: cannot encode a " .. t)
end

json.encode = encode

local decode_value

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local function decode_string(s, i)
  local out, j = {}, i + 1
  while true do
    local c = s:sub(j, j)
    if c == "" then
      error("json.decode: unterminated string")
    elseif c == '"' then
      return table.concat(out), j + 1
    elseif c == "\\" then
      local e = s:sub(j + 1, j + 1)
      local map = { b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/" }
      if e == "u" then
        out[#out + 1] = utf8.char(tonumber(s:sub(j + 2, j + 5), 16))
        j = j + 6
      elseif map[e] then
        out[#out + 1] = map[e]
        j = j + 2
      else
        error("json.decode: bad escape")
      end
    else
      out[#out + 1] = c
      j = j + 1
    end
  end
end

local function decode_list(s, i, close, item)
  local j = skip(s, i + 1)
  if s:sub(j, j) == close then
    return j + 1
  end
  while true do
    j = item(j)
    j = skip(s, j)
    local c = s:sub(j, j)
    if c == close then
      return j + 1
    elseif c ~= "," then
      error("json.decode: expected ',' or '" .. close .. "' at " .. j)
    end
    j = skip(s, j + 1)
  end
end

decode_value = function(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    local j = decode_list(s, i, "}", function(j)
      if s:sub(j, j) ~= '"' then
        error("json.decode: expected a key at " .. j)
      end
      local k, n = decode_string(s, j)
      n = skip(s, n)
      if s:sub(n, n) ~= ":" then
        error("json.decode: expected ':' at " .. n)
      end
      local v
      v, n = decode_value(s, n + 1)
      obj[k] = v
      return n
    end)
    return obj, j
  elseif c == "[" then
    local arr = json.array({})
    local j = decode_list(s, i, "]", function(j)
      local v, n = decode_value(s, j)
      arr[#arr + 1] = v
      return n
    end)
    return arr, j
  elseif c == '"' then
    return decode_string(s, i)
  end
  local lit = s:match("^[%w%.%-+]+", i)
  if lit == "true" then
    return true, i + 4
  elseif lit == "false" then
    return false, i + 5
  elseif lit == "null" then
    return json.null, i + 4
  elseif lit and tonumber(lit) then
    return tonumber(lit), i + #lit
  end
  error("json.decode: unexpected character at " .. i)
end

function json.decode(s)
  if type(s) ~= "string" then
    error("json.decode: a string is required")
  end
  local v, i = decode_value(s, 1)
  if skip(s, i) <= #s then
    error("json.decode: trailing characters at " .. i)
  end
  return v
end

return json
