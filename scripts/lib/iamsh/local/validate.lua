-- iamsh.local.validate: a request's parameters against the operation's input shape
-- in AWS's model, with AWS's ValidationError text: every problem, each as
-- "Value 'x' at 'roleName' failed to satisfy constraint: Member must ...", the
-- member path lowerCamelCase (tags.1.member.key).
local errors = require("iamsh.local.errors")

local M = {}

local shapes = {} -- "svc/name" -> shape (the model's, cached)

local function shape(svc, name)
  local key = svc .. "/" .. name
  local s = shapes[key]
  if not s then
    s = assert(aws.model.shape(svc, name), name)
    shapes[key] = s
  end
  return s
end

local function camel(name)
  return name:sub(1, 1):lower() .. name:sub(2)
end

-- A model pattern as AWS prints it (\u0021 rather than PCRE2's \x{0021}).
local function shown_pattern(p)
  return (p:gsub("\\x{(%x%x%x%x)}", "\\u%1"))
end

local function value_text(s, v, path)
  if s.sensitive or s.policy or type(v) == "table" then
    return "Value at '" .. path .. "'"
  end
  return string.format("Value '%s' at '%s'", tostring(v), path)
end

local check

local function problem(out, s, v, path, what)
  out[#out + 1] = value_text(s, v, path) .. " failed to satisfy constraint: Member must " .. what
end

local function check_length(out, s, v, path, n)
  if s.min and n < s.min then
    problem(out, s, v, path, "have length greater than or equal to " .. s.min)
  end
  if s.max and n > s.max then
    problem(out, s, v, path, "have length less than or equal to " .. s.max)
  end
end

local function check_string(out, s, v, path)
  if type(v) ~= "string" then
    return problem(out, s, v, path, "be a string")
  end
  check_length(out, s, v, path, utf8.len(v) or #v)
  if s.pattern and #v > 0 and not aws.model.match(s.pattern, v) then
    problem(out, s, v, path, "satisfy regular expression pattern: " .. shown_pattern(s.pattern))
  end
  if s.enums then
    for _, e in ipairs(s.enums) do
      if e == v then
        return
      end
    end
    problem(out, s, v, path, "satisfy enum value set: [" .. table.concat(s.enums, ", ") .. "]")
  end
end

local function check_number(out, s, v, path)
  if math.type(v) ~= "integer" and not ((s.type == "double" or s.type == "float") and type(v) == "number") then
    return problem(out, s, v, path, "be a number")
  end
  if s.min and v < s.min then
    problem(out, s, v, path, "have value greater than or equal to " .. s.min)
  end
  if s.max and v > s.max then
    problem(out, s, v, path, "have value less than or equal to " .. s.max)
  end
end

local function check_list(out, svc, s, v, path)
  if type(v) ~= "table" then
    return problem(out, s, v, path, "be a list")
  end
  check_length(out, s, v, path, #v)
  for i, x in ipairs(v) do
    check(out, svc, shape(svc, s.member), x, string.format("%s.%d.member", path, i))
  end
end

local function check_structure(out, svc, s, v, path)
  if type(v) ~= "table" then
    return problem(out, s, v, path, "be a structure")
  end
  for _, m in ipairs(s.members) do
    local x = v[m.name]
    local at = (path and path .. "." or "") .. camel(m.name)
    if x == nil and m.required then
      out[#out + 1] = "Value null at '" .. at .. "' failed to satisfy constraint: Member must not be null"
    elseif x ~= nil then
      check(out, svc, shape(svc, m.shape), x, at)
    end
  end
end

function check(out, svc, s, v, path)
  local t = s.type
  if t == "string" then
    check_string(out, s, v, path)
  elseif t == "integer" or t == "long" or t == "double" or t == "float" then
    check_number(out, s, v, path)
  elseif t == "boolean" and type(v) ~= "boolean" then
    problem(out, s, v, path, "be a boolean")
  elseif t == "list" then
    check_list(out, svc, s, v, path)
  elseif t == "structure" then
    check_structure(out, svc, s, v, path)
  elseif t == "timestamp" and type(v) ~= "string" and type(v) ~= "number" then
    problem(out, s, v, path, "be a timestamp")
  end
end

local operations = {} -- "svc/Op" -> {op =, members = {name -> true}}

local function operation(svc, op_name)
  local key = svc .. "/" .. op_name
  local o = operations[key]
  if not o then
    local op = aws.model.operation(svc, op_name)
    if not op then
      return nil
    end
    o = { op = op, members = {} }
    for _, m in ipairs(op.input) do
      o.members[m.name] = true
    end
    operations[key] = o
  end
  return o
end

-- The model's description of op (aws.model.operation), nil when svc has no such
-- operation.
function M.operation(svc, op_name)
  local o = operation(svc, op_name)
  return o and o.op
end

-- Raises AWS's ValidationError when params (the decoded request) break the
-- model's constraints for op, MalformedQueryString for a parameter the
-- operation does not have.
function M.request(svc, op_name, params)
  local o = assert(operation(svc, op_name), op_name)
  for k in pairs(params) do
    if not o.members[k] then
      errors.raise("MalformedQueryString", "%s is not a parameter of %s", tostring(k), op_name)
    end
  end
  if not o.op.input_shape then
    return
  end
  local out = {}
  check(out, svc, shape(svc, o.op.input_shape), params, nil)
  if #out > 0 then
    errors.validation(out)
  end
end

return M
