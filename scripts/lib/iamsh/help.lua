-- iamsh.help: `help(x)` in the REPL and in scripts.
--
--   help()                      the modules and helpers, one line each
--   help(iam.create_role)       an operation from the model (also help "create_role",
--   help "iam.CreateRole"       "iam.create_role", "CreateRole")
--   help(provision.role)        the function's section of docs/*.md (iamsh.help.docs)
--   help(provision)             a module's functions with the first line of each doc
--
-- help.text(x) returns what help(x) prints.
local iamsh = require "iamsh"
local docs = require "iamsh.help.docs"
local text = require "iamsh.pp.text"

local M = {}

-- The docs folder (tests point it elsewhere); nil: iamsh.docs_dir.
M.docs_dir = nil

local MODULES = {
  { "iam", "IAM operations: iam.create_role{...}, iam.all, iam.wait" },
  { "sts", "STS operations: sts.get_caller_identity(), sts.assume_role{...}" },
  { "aws", "aws.call, config, json, model, policy, sigv4, base64, Error" },
  { "provision", "convergent set-up of roles, users, keys and policies" },
  { "policy", "policy documents: check, evaluate, can, who_can" },
  { "iamsh.pp", "the printer: pp.format, display, tabulate, columns, view" },
}
local POLICY_ENGINE = { "can", "who_can", "who_can_assume" }
local LUA_LIBRARIES = { string = true, table = true, math = true, io = true, os = true,
  utf8 = true, coroutine = true, debug = true, package = true, _G = true }

local function section(name)
  return docs.find(name, M.docs_dir)
end

local function operation_module()
  return require "iamsh.help.operation"
end

-- --- names of values ---

local function better(a, b)
  local da, db = select(2, a:gsub("%.", "")), select(2, b:gsub("%.", ""))
  if da ~= db then return da < db end
  if #a ~= #b then return #a < #b end
  return a < b
end

-- A lazy global not touched yet (help, pp, tabulate...) is no field of _G: when a
-- name found ends in one (iamsh.help.help), ask _G whether it is the same value.
-- The module is loaded already, so this loads nothing new in the usual case.
local function lazy_aliases(found, value)
  local lazy, out = {}, {}
  for _, n in ipairs(iamsh.lazy_globals or {}) do lazy[n] = true end
  for _, name in ipairs(found) do
    local field = name:match("%.([%a_][%w_]*)$")
    if field and lazy[field] and rawget(_G, field) == nil then
      local ok, v = pcall(function() return _G[field] end)
      if ok and v == value then out[#out + 1] = field end
    end
  end
  return out
end

local MAX_NAME_DEPTH = 3 -- aws.json.encode: a table of functions in a module, one more

-- The dotted name value is known by: a global, a loaded module, or a field of one
-- (of a field, ...), searched breadth first so that the shortest names come first;
-- nil when it has none.
local function name_of(value)
  local found, seen, level = {}, { [_G] = true, [package] = true, [package.loaded] = true }, {}
  local function visit(name, v)
    if v == value then found[#found + 1] = name end
    if type(v) == "table" and not seen[v] then
      seen[v] = true
      level[#level + 1] = { name, v }
    end
  end
  for k, v in next, _G do
    if type(k) == "string" then visit(k, v) end
  end
  for k, v in pairs(package.loaded) do
    if type(k) == "string" then visit(k, v) end
  end
  for _ = 1, MAX_NAME_DEPTH do
    if #found > 0 then break end
    local tables = level
    level = {}
    for _, t in ipairs(tables) do
      for k, v in next, t[2] do
        if type(k) == "string" then visit(t[1] .. "." .. k, v) end
      end
    end
  end
  for _, n in ipairs(lazy_aliases(found, value)) do found[#found + 1] = n end
  table.sort(found, better)
  return found[1]
end

-- svc, operation name when f is an operation of a loaded service table.
local function operation_of(f)
  for _, svc in ipairs({ "iam", "sts" }) do
    local t = package.loaded[svc]
    if type(t) == "table" then
      for k, v in next, t do
        if v == f and type(k) == "string" then
          local op = require("aws").model.operation(svc, k)
          if op then return svc, op end
        end
      end
    end
  end
end

-- --- listings ---

-- Two columns, each line cut to the terminal's width.
local function columns_text(rows)
  local w, width = 0, iamsh.term_width()
  for _, r in ipairs(rows) do w = math.max(w, #r[1]) end
  local lines = {}
  for i, r in ipairs(rows) do
    local line = "  " .. r[1] .. string.rep(" ", w - #r[1] + 2) .. r[2]
    lines[i] = text.cut(line:gsub("%s+$", ""), width)
  end
  return table.concat(lines, "\n")
end

-- A row for a documented name: its title in the docs and the first line of the doc.
local function doc_row(name, fallback)
  local s = section(name)
  if s then return { s.title or name, docs.summary(s) } end
  return { name, fallback or "(no documentation)" }
end

local function helper_rows()
  local rows = {}
  for _, s in ipairs(docs.file_sections("repl.md", M.docs_dir)) do
    rows[#rows + 1] = { s.title or s.name, docs.summary(s) }
  end
  if #rows == 0 then
    for _, n in ipairs(iamsh.lazy_globals or {}) do rows[#rows + 1] = { n, "" } end
  end
  return rows
end

-- can, who_can, who_can_assume: as globals when they are, else as policy.<name>,
-- listed once the policy engine provides them.
local function policy_engine_rows()
  local globals = {}
  for _, n in ipairs(iamsh.lazy_globals or {}) do globals[n] = true end
  local ok, policy = pcall(require, "policy")
  local rows = {}
  for _, n in ipairs(POLICY_ENGINE) do
    if globals[n] or rawget(_G, n) ~= nil then
      rows[#rows + 1] = doc_row(n)
    elseif ok and type(policy) == "table" and policy[n] ~= nil then
      rows[#rows + 1] = doc_row("policy." .. n)
    end
  end
  return rows
end

local function overview()
  local modules = {}
  for i, m in ipairs(MODULES) do modules[i] = { m[1], m[2] } end
  local out = {
    "iamsh: Lua 5.4 with every AWS IAM and STS operation; help(x) for any of these.",
    "", "Modules", columns_text(modules), "", "Helpers", columns_text(helper_rows()),
  }
  local engine = policy_engine_rows()
  if #engine > 0 then
    table.move({ "", "Policy engine", columns_text(engine) }, 1, 3, #out + 1, out)
  end
  out[#out + 1] = ""
  out[#out + 1] = 'Operations: help "create_role" (or help(iam.create_role)) shows the'
  out[#out + 1] = "parameters, result and errors; help(iam) lists them all."
  return table.concat(out, "\n")
end

-- "  create_   access_key, account_alias, ..." wrapped to the width: the operations
-- grouped by their first word.
local function grouped_operations(names, width)
  local groups, order = {}, {}
  for _, n in ipairs(names) do
    local verb, rest = n:match("^([^_]+_)(.+)$")
    verb, rest = verb or n, rest or ""
    if not groups[verb] then groups[verb], order[#order + 1] = {}, verb end
    table.insert(groups[verb], rest)
  end
  local w = 0
  for _, v in ipairs(order) do w = math.max(w, #v) end
  local lines = {}
  for _, v in ipairs(order) do
    local line = "  " .. v .. string.rep(" ", w - #v + 2)
    local indent = string.rep(" ", #line)
    for i, rest in ipairs(groups[v]) do
      local item = rest .. (i < #groups[v] and "," or "")
      if #line + #item + 1 > width and not line:match("^%s*$") and #line > #indent then
        lines[#lines + 1], line = line, indent
      end
      line = line .. (#line > #indent and " " or "") .. item
    end
    lines[#lines + 1] = line
  end
  return table.concat(lines, "\n")
end

local function service_text(svc)
  local names = require("aws").model.operations(svc)
  return table.concat({
    string.format("%s: %d %s operations, each %s.<name>{...} -> result, request_id;"
      .. ' help "%s.<name>" for one.', svc, #names, svc:upper(), svc, svc),
    string.format("Also: %s.all(op, params), %s.pages(op, params), %s.wait(waiter, params, opts),"
      .. " %s.operations()", svc, svc, svc, svc),
    "", "Operations:", grouped_operations(names, iamsh.term_width()),
  }, "\n")
end

-- A module's functions (and tables) with the first line of each one's doc.
local function module_text(name, mod)
  local keys = {}
  for k, v in next, mod do
    if type(k) == "string" and not k:match("^_") and (type(v) == "function" or type(v) == "table") then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys)
  local rows = {}
  for _, k in ipairs(keys) do
    rows[#rows + 1] = doc_row(name .. "." .. k, type(mod[k]) == "table" and "(a table: help("
      .. name .. "." .. k .. "))" or nil)
  end
  local head = section(name)
  local out = { string.format("%s: %s", name, head and docs.summary(head) or "a module") }
  if #rows > 0 then out[#out + 1] = columns_text(rows) end
  return table.concat(out, "\n")
end

-- --- suggestions ---

local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function known_names()
  local names, aws = {}, require "aws"
  for _, svc in ipairs({ "iam", "sts" }) do
    for _, op in ipairs(aws.model.operations(svc)) do names[#names + 1] = svc .. "." .. op end
  end
  for _, s in ipairs(docs.index(M.docs_dir).order) do names[#names + 1] = s.name end
  for _, n in ipairs(iamsh.lazy_globals or {}) do names[#names + 1] = n end
  return names
end

-- Up to 3 names close to what was asked: few edits away, or containing it.
local function suggestions(asked)
  local q = asked:gsub("^%a+%.", ""):gsub("(%l)(%u)", "%1_%2"):lower()
  local scored = {}
  for _, n in ipairs(known_names()) do
    local short = n:gsub("^%a+%.", "")
    local d = distance(q, short)
    if d <= math.max(1, #q // 4) or (#q >= 4 and short:find(q, 1, true)) then
      scored[#scored + 1] = { n, d }
    end
  end
  table.sort(scored, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[1] < b[1]
  end)
  local out = {}
  for i = 1, math.min(3, #scored) do out[i] = scored[i][1] end
  return out
end

local function unknown(name)
  local s = suggestions(name)
  if #s == 0 then
    return string.format("help: nothing named '%s' (help() lists the modules and helpers)", name)
  end
  return string.format("help: nothing named '%s' (did you mean %s?)", name, table.concat(s, ", "))
end

-- --- by kind of value ---

local function no_doc(name)
  local lib = name:match("^([%a_]+)%.") or name
  if LUA_LIBRARIES[lib] or (rawget(_G, name) ~= nil and type(_G[name]) == "function"
    and debug.getinfo(_G[name], "S").what == "C") then
    return string.format("help: no documentation for %s here: it is part of Lua (see "
      .. "https://www.lua.org/manual/5.4/manual.html#pdf-%s)", name, name)
  end
  return string.format("help: no documentation for %s", name)
end

-- A docs section as it reads on the terminal (Markdown marks gone, reflowed).
local function doc_text(s)
  return require("iamsh.help.layout").markdown(docs.text(s), iamsh.term_width())
end

local function function_text(f)
  local svc, op = operation_of(f)
  if svc then return operation_module().text(svc, op) end
  local name = name_of(f)
  if name then
    local s = section(name)
    return s and doc_text(s) or no_doc(name)
  end
  local info = debug.getinfo(f, "S")
  local where = info.what == "C" and "a C function" or ("defined at " .. info.short_src .. ":"
    .. info.linedefined)
  return "help: no documentation for this function (" .. where .. ", not part of a loaded module)"
end

local function table_text(t)
  for _, svc in ipairs({ "iam", "sts" }) do
    if package.loaded[svc] == t then return service_text(svc) end
  end
  local name = name_of(t)
  if name then return module_text(name, t) end
  return "help: this table is not a module (pp(x) prints it; help() lists the modules)"
end

-- The value a dotted name stands for, through the globals (loading a lazy one) and
-- package.loaded; nil when there is none.
local function lookup(name)
  local first, rest = name:match("^([%a_][%w_]*)(.*)$")
  if not first or not (rest == "" or rest:match("^%.[%a_][%w_.]*$")) then return nil end
  local ok, v = pcall(function() return _G[first] end)
  if not ok or v == nil then v = package.loaded[first] end
  for part in rest:gmatch("[^.]+") do
    if type(v) ~= "table" then return nil end
    ok, v = pcall(function() return v[part] end)
    if not ok then return nil end
  end
  return v
end

local function name_text(name)
  name = name:match("^%s*(.-)%s*$")
  if name == "" then return overview() end
  local svc, op = operation_module().find(name)
  if svc then return operation_module().text(svc, op) end
  local s = section(name)
  if s then return doc_text(s) end
  local v = package.loaded[name] or lookup(name)
  if type(v) == "table" then
    for _, sv in ipairs({ "iam", "sts" }) do
      if package.loaded[sv] == v then return service_text(sv) end
    end
    return module_text(name, v)
  end
  if type(v) == "function" then return function_text(v) end
  return unknown(name)
end

-- help.text(x) -> string: what help(x) prints.
function M.text(x)
  local t = type(x)
  if x == nil then return overview() end
  if t == "string" then return name_text(x) end
  if t == "function" then return function_text(x) end
  if t == "table" then return table_text(x) end
  return string.format("help: no help for a %s value (help() lists what there is)", t)
end

-- help(x): prints help.text(x); returns nothing.
function M.help(x)
  io.stdout:write(M.text(x), "\n")
end

return M
