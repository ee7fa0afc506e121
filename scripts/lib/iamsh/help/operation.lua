-- iamsh.help.operation: help for one IAM or STS operation, from the model
-- (aws.model): how to call it, its parameters with their constraints, its result
-- fields, its errors, pagination and waiters.
local aws = require "aws"
local iamsh = require "iamsh"
local layout = require "iamsh.help.layout"

local M = {}

local SERVICES = { "iam", "sts" }

-- svc, op (aws.model.operation) for "create_role", "CreateRole", "iam.create_role",
-- "sts.GetCallerIdentity"; nil when there is no such operation.
function M.find(name)
  local svc, op = name:match("^(%a+)%.([%w_]+)$")
  if svc then
    if svc ~= "iam" and svc ~= "sts" then return nil end
    local found = aws.model.operation(svc, op)
    return found and svc, found
  end
  for _, s in ipairs(SERVICES) do
    local found = aws.model.operation(s, name)
    if found then return s, found end
  end
end

local function shape(svc, name)
  return name and aws.model.shape(svc, name)
end

local function range(s, unit)
  local lo, hi = s.min, s.max
  local r = lo and hi and (lo == hi and tostring(lo) or lo .. ".." .. hi)
    or lo and (">= " .. lo) or hi and ("<= " .. hi)
  return r and (unit and r .. " " .. unit or r)
end

local UNITS = { string = "chars", list = "items", map = "entries", blob = "bytes" }

-- "1..64 chars", "one of: Active, Inactive", "pattern ...": what the model checks.
local function constraints(s)
  local out = {}
  out[#out + 1] = range(s, UNITS[s.type])
  if s.enums then out[#out + 1] = "one of: " .. table.concat(s.enums, ", ") end
  if s.pattern then out[#out + 1] = "pattern " .. s.pattern end
  if s.sensitive then out[#out + 1] = "secret" end
  return out
end

local function type_name(svc, s, with_constraints)
  if s.policy then return "policy document (a table or JSON text)" end
  if s.type == "structure" then return s.name end
  if s.type == "timestamp" then return "timestamp (ISO 8601 text)" end
  if s.type == "blob" then return "blob (base64 text)" end
  if s.type == "list" or s.type == "map" then
    local item = shape(svc, s.member or s.value)
    local text = item and type_name(svc, item, false) or "?"
    local c = item and with_constraints and item.type ~= "structure" and constraints(item) or {}
    if #c > 0 then text = text .. " (" .. table.concat(c, ", ") .. ")" end
    if s.type == "map" then
      local key = shape(svc, s.key)
      return "map of " .. (key and key.type or "?") .. " to " .. text
    end
    return "list of " .. text
  end
  return s.type
end

-- A member's shape in one line: its type and, for parameters, what the model
-- checks; for results the type, enums and whether it is a secret.
local function describe(svc, s, input)
  local parts = { type_name(svc, s, input) }
  local c = input and constraints(s) or {
    s.enums and "one of: " .. table.concat(s.enums, ", ") or nil,
  }
  if not input and s.sensitive then c[#c + 1] = "secret" end
  table.move(c, 1, #c, 2, parts)
  return table.concat(parts, ", ")
end

-- The structure a member leads to, one level down (itself, or a list's or map's item).
local function nested(svc, s)
  if s.type == "structure" and not s.policy then return s end
  if s.type == "list" or s.type == "map" then
    local item = shape(svc, s.member or s.value)
    if item and item.type == "structure" then return item end
  end
end

-- Members in the order to show: required ones first, then the model's order.
local function ordered(members, required_first)
  local out = {}
  for _, m in ipairs(members) do
    if not required_first or m.required then out[#out + 1] = m end
  end
  for _, m in ipairs(members) do
    if required_first and not m.required then out[#out + 1] = m end
  end
  return out
end

-- Rows {name, mark, text} for a structure's members and, one level down (indented),
-- the members of the structures they hold. mark: "required" for parameters.
local function member_rows(svc, s, input)
  local rows = {}
  local function add(m, indent)
    local ms = shape(svc, m.shape)
    rows[#rows + 1] = { indent .. m.name, input and m.required and "required" or "",
      describe(svc, ms, input) }
    return ms
  end
  for _, m in ipairs(ordered(s.members or {}, input)) do
    local inner = nested(svc, add(m, ""))
    for _, n in ipairs(inner and ordered(inner.members or {}, input) or {}) do add(n, "  ") end
  end
  return rows
end

-- Rows as aligned columns, indented by two, fitting the terminal.
local function rows_text(rows)
  return layout.columns(rows, iamsh.term_width())
end

local function call_example(svc, op)
  local input = shape(svc, op.input_shape)
  local req = {}
  for _, m in ipairs(input and input.members or {}) do
    if m.required then req[#req + 1] = m.name .. " = ..." end
  end
  if #req > 0 then
    return string.format("%s.%s { %s }", svc, op.snake, table.concat(req, ", "))
  end
  return string.format("%s.%s()", svc, op.snake)
end

local function parameters(svc, op)
  local input = shape(svc, op.input_shape)
  if not input or #(input.members or {}) == 0 then return "Parameters: none" end
  return "Parameters:\n" .. rows_text(member_rows(svc, input, true))
end

local function result(svc, op)
  local output = shape(svc, op.output_shape)
  if not output or #(output.members or {}) == 0 then
    return "Result: none (an empty table)"
  end
  return "Result:\n" .. rows_text(member_rows(svc, output, false))
end

local function errors(op)
  if #op.errors == 0 then return "Errors: none listed in the model" end
  local rows = {}
  for _, e in ipairs(op.errors) do
    rows[#rows + 1] = { e.code, e.status and tostring(e.status) or "" }
  end
  return "Errors (code, HTTP status):\n" .. rows_text(rows)
end

local function pagination(svc, op)
  local p = aws.model.paginator(svc, op.snake)
  if not p then return "Pageable: no" end
  return string.format('Pageable: %s.all("%s", {...}) -> the %s of every page in one list;'
    .. ' %s.pages("%s", {...}) iterates the pages', svc, op.snake,
    table.concat(p.result_keys, " and "), svc, op.snake)
end

local function waiters(svc, op)
  local out = {}
  for _, name in ipairs(aws.model.waiters(svc)) do
    if aws.model.waiter(svc, name).operation == op.snake then
      out[#out + 1] = string.format('%s.wait("%s", {...})', svc, name)
    end
  end
  return "Waiters: " .. (#out > 0 and table.concat(out, ", ") or "none")
end

-- The help text for operation op of service svc.
function M.text(svc, op)
  return table.concat({
    string.format("%s.%s (%s %s)", svc, op.snake, svc:upper(), op.name),
    "  " .. call_example(svc, op) .. "  -> result, request_id",
    "",
    parameters(svc, op),
    "",
    result(svc, op),
    "",
    errors(op),
    "",
    pagination(svc, op),
    waiters(svc, op),
  }, "\n")
end

return M
