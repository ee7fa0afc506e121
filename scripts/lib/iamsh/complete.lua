-- iamsh.complete: what Tab offers in the REPL.
--
-- complete(line, start) gets the text before the cursor and where the word
-- being completed starts (the word ends at the cursor; '.', ':', '{', '(', ','
-- and quotes end words), and returns the candidate words and the character to
-- put after a single match. It knows four places:
--   a field:        iam.get_acc|          -> get_account_summary (the model's operations)
--   a parameter:    iam.create_role{Ro|   -> RoleName, with "=" after it
--                   nested tables follow the model: Tags = {{K| -> Key
--   an enum value:  iam.list_policies{Scope = "Lo| -> Local
--   a name:         pri|                  -> print, and the lazy globals (iam, pp, help...)
-- Nothing here has side effects beyond loading a module a name stands for.
local iamsh = require "iamsh"

local M = {}

local KEYWORDS = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
  "while" }

local function is_name(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

-- The sorted, distinct names of `names` that start with prefix.
local function matching(names, prefix)
  local seen, out = {}, {}
  for _, n in ipairs(names) do
    if not seen[n] and n:sub(1, #prefix) == prefix then
      seen[n] = true
      out[#out + 1] = n
    end
  end
  table.sort(out)
  return out
end

-- The service (iam, sts) a table is, if it is one.
local function service_of(t)
  local name = rawget(t, "service_name")
  if type(name) == "string" and t == package.loaded[name] then return name end
  return nil
end

-- Field names of a value: its string keys, those of its metatable's __index
-- table, and for a service table every operation of the model.
local function fields(v, methods_only)
  local names = {}
  if type(v) == "string" then v = string end
  local seen_tables = 0
  while type(v) == "table" and seen_tables < 8 do
    for k, x in pairs(v) do
      if is_name(k) and (not methods_only or type(x) == "function") then names[#names + 1] = k end
    end
    local svc = service_of(v)
    if svc then
      for _, op in ipairs(require("aws").model.operations(svc)) do names[#names + 1] = op end
    end
    local mt = getmetatable(v)
    v = type(mt) == "table" and rawget(mt, "__index") or nil
    seen_tables = seen_tables + 1
  end
  return names
end

-- The value a dotted path names (`iam`, `provision.role`), or nil. Only tables
-- are indexed, and an index that raises (an unknown operation) gives nil.
local function resolve(path)
  local v = _G
  for part in path:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    local ok, x = pcall(function() return v[part] end)
    if not ok then return nil end
    v = x
  end
  return v
end

local function global_names()
  local names = {}
  for k in pairs(_G) do
    if is_name(k) then names[#names + 1] = k end
  end
  for _, k in ipairs(iamsh.lazy_globals or {}) do names[#names + 1] = k end
  for _, k in ipairs(KEYWORDS) do names[#names + 1] = k end
  return names
end

-- The open tables around the cursor, outermost first: each {pos=, callee=, key=}
-- where callee is the function the table is passed to (`iam.create_role{`,
-- `f({`) and key the field it is the value of (`Tags = {`). Strings are skipped;
-- in_string is the quote when the text ends inside one.
local function open_tables(s)
  local stack, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c == '"' or c == "'" then
      local j = i + 1
      while j <= n and s:sub(j, j) ~= c do
        j = j + (s:sub(j, j) == "\\" and 2 or 1)
      end
      if j > n then return stack, c, i end
      i = j
    elseif c == "{" then
      local before = s:sub(1, i - 1)
      stack[#stack + 1] = { pos = i, kind = "{",
        callee = before:match("([%a_][%w_%.]*)%s*%(?%s*$"),
        key = before:match("([%a_][%w_]*)%s*=%s*$") }
    elseif c == "(" or c == "[" then
      stack[#stack + 1] = { pos = i, kind = c }
    elseif c == ")" or c == "]" or c == "}" then
      stack[#stack] = nil
    end
    i = i + 1
  end
  return stack, nil
end

-- The model shape of the innermost table, following the frames from the call:
-- {svc=, shape=} or nil when the table is not a call's parameters.
local function frame_shape(stack)
  local aws, svc, shape
  for _, f in ipairs(stack) do
    if f.kind ~= "{" then
      if shape then return nil end
    elseif not shape then
      local op_fn = f.callee and f.callee:match("^(.*)%.([%a_][%w_]*)$")
      local t, op = f.callee and resolve(op_fn or ""), f.callee and f.callee:match("([%a_][%w_]*)$")
      if type(t) == "table" and service_of(t) then
        aws = require "aws"
        svc = service_of(t)
        local o = aws.model.operation(svc, op)
        shape = o and o.input_shape and aws.model.shape(svc, o.input_shape)
        if not shape then return nil end
      end
    else
      local next_shape
      if f.key then
        for _, m in ipairs(shape.members or {}) do
          if m.name == f.key then next_shape = aws.model.shape(svc, m.shape) end
        end
      elseif shape.type == "list" and shape.member then
        next_shape = aws.model.shape(svc, shape.member)
      end
      shape = next_shape
      if not shape then return nil end
    end
  end
  if not shape then return nil end
  -- a list's own braces hold elements, not keys
  if shape.type == "list" and shape.member then shape = aws.model.shape(svc, shape.member) end
  return { svc = svc, shape = shape }
end

local function member_names(shape, present)
  local names = {}
  for _, m in ipairs(shape.members or {}) do
    if not present[m.name] then names[#names + 1] = m.name end
  end
  return names
end

-- Keys already given in the innermost table.
local function present_keys(text)
  local present = {}
  for k in text:gmatch("[{,;]%s*([%a_][%w_]*)%s*=") do present[k] = true end
  return present
end

local function complete_in_table(line, start, stack)
  local ctx = frame_shape(stack)
  if not ctx or ctx.shape.type ~= "structure" then return nil end
  local before = line:sub(1, start - 1)
  if not before:match("[{,;]%s*$") then return nil end
  local inner = line:sub(stack[#stack].pos)
  return matching(member_names(ctx.shape, present_keys(inner)), line:sub(start)), "="
end

local function complete_enum(line, start, stack, quote_pos)
  local key = line:sub(1, quote_pos - 1):match("([%a_][%w_]*)%s*=%s*$")
  local ctx = key and frame_shape(stack)
  if not ctx then return nil end
  for _, m in ipairs(ctx.shape.members or {}) do
    if m.name == key then
      local s = require("aws").model.shape(ctx.svc, m.shape)
      return matching(s and s.enums or {}, line:sub(start)), ""
    end
  end
  return nil
end

function M.complete(line, start)
  local word = line:sub(start)
  local stack, quote, quote_pos = open_tables(line:sub(1, start - 1))
  if quote then
    return complete_enum(line, start, stack, quote_pos) or {}, ""
  end
  if #stack > 0 and stack[#stack].kind == "{" then
    local words, append = complete_in_table(line, start, stack)
    if words then return words, append end
  end
  local path, sep = line:sub(1, start - 1):match("([%a_][%w_%.]*)([.:])$")
  if path then
    return matching(fields(resolve(path), sep == ":"), word), ""
  end
  if line:sub(1, start - 1):match("[%w_%]%)\"'][.:]$") then return {}, "" end
  return matching(global_names(), word), ""
end

return M
