-- iamsh.runner: `iamsh run` and `iamsh list`.
--
-- A script is a path to a .lua file or the name of a shipped script. A flow is a
-- script that returns a table { description = "...", args = { name = {default=, doc=} },
-- run = function(args) ... end }: the runner checks its key=value arguments, fills
-- the defaults and calls run. Any other script is plain Lua: it gets its arguments
-- as `...` and in the global `arg`, as with `lua`.
local iamsh = require "iamsh"
local sorted_keys = require("iamsh.tables").sorted_keys

local M = {}

-- An error the host reports by its kind, as one line without a traceback:
-- "usage" exits 252, "script" (a script that does not load) exits 1.
local error_mt = { __tostring = function(e) return e.message end }

local function kind_error(kind, fmt, ...)
  error(setmetatable({ kind = kind, message = string.format(fmt, ...) }, error_mt), 0)
end

local function usage_error(fmt, ...)
  kind_error("usage", fmt, ...)
end

local function is_file(path)
  local st = require("iamsh.fs").stat(path)
  return st ~= nil and st.type == "file"
end

-- The file a script name stands for: a path as given, else a shipped script.
function M.resolve(name)
  if name:find("/", 1, true) or name:match("%.lua$") then
    if not is_file(name) then usage_error("no such script file: %s", name) end
    return name
  end
  if not name:match("^[%w_%-]+$") then usage_error("invalid script name '%s'", name) end
  local path = iamsh.scripts_dir .. "/" .. name .. ".lua"
  if not is_file(path) then
    usage_error("no script named '%s' (see `iamsh list`; a file path must end in .lua)", name)
  end
  return path
end

local function is_flow(v)
  return type(v) == "table" and type(v.run) == "function"
end

-- The script's chunk (text only: precompiled bytecode is refused).
local function load_script(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then kind_error("script", "%s", err) end
  return chunk
end

local function parse_args(list)
  local values, order = {}, {}
  for _, a in ipairs(list) do
    local k, v = a:match("^([%a_][%w_]*)=(.*)$")
    if not k then usage_error("argument '%s' is not key=value", a) end
    if values[k] ~= nil then usage_error("argument '%s' given twice", k) end
    values[k] = v
    order[#order + 1] = k
  end
  return values, order
end

local function check_specs(name, specs)
  if type(specs) ~= "table" then
    kind_error("script", "%s: args must be a table of name = {default=, doc=}", name)
  end
  for k, s in pairs(specs) do
    if type(k) ~= "string" or type(s) ~= "table" then
      kind_error("script", "%s: args.%s must be a table {default=, doc=}", name, tostring(k))
    end
  end
  return specs
end

function M.help(name, flow)
  local out = { string.format("%s: %s", name, flow.description or "(no description)") }
  local specs = check_specs(name, flow.args or {})
  if next(specs) then out[#out + 1] = "\narguments (key=value):" end
  for _, k in ipairs(sorted_keys(specs)) do
    local s = specs[k]
    local shown = s.default ~= nil and tostring(s.default) ~= ""
    local default = shown and (" (default: " .. tostring(s.default) .. ")")
      or (s.required and " (required)" or "")
    out[#out + 1] = string.format("  %-16s %s%s", k, s.doc or "", default)
  end
  return table.concat(out, "\n")
end

-- Check key=value arguments against the flow's declaration; fill the defaults.
function M.check_args(name, flow, list)
  local values = parse_args(list)
  local specs = check_specs(name, flow.args or {})
  for k in pairs(values) do
    if specs[k] == nil then
      local known = sorted_keys(specs)
      usage_error("%s: unknown argument '%s' (known: %s)", name, k,
        #known > 0 and table.concat(known, ", ") or "none")
    end
  end
  local args = {}
  for k, s in pairs(specs) do
    local v = values[k]
    if v == nil then v = s.default end
    if v == nil and s.required then usage_error("%s: missing argument '%s'", name, k) end
    args[k] = v
  end
  return args
end

local function plan_summary()
  local provision = package.loaded["provision"]
  local c = provision and provision.plan_counts() or { add = 0, change = 0, destroy = 0 }
  print(string.format("Plan: %d to add, %d to change, %d to destroy.", c.add, c.change, c.destroy))
  return (c.add + c.change + c.destroy > 0) and 2 or 0
end

local function run(list)
  local name = list[1]
  if not name then usage_error("run: which script? (iamsh run SCRIPT [key=value ...])") end
  local path = M.resolve(name)
  local rest = table.move(list, 2, #list, 1, {})
  local chunk = load_script(path)
  -- Plain scripts see `arg` and `...` as with `lua`; flows return their table.
  local arg = { [0] = path }
  for i, a in ipairs(rest) do
    arg[i] = a
    local k, v = a:match("^([^=]+)=(.*)$")
    if k then arg[k] = v end
  end
  _G.arg = arg
  local result = chunk(table.unpack(rest))
  if not is_flow(result) then
    return iamsh.options.plan and plan_summary() or 0
  end
  if rest[1] == "--help" or rest[1] == "-h" then
    print(M.help(name, result))
    return 0
  end
  result.run(M.check_args(name, result, rest))
  return iamsh.options.plan and plan_summary() or 0
end

-- The shipped scripts with their descriptions.
local function list()
  local dir = iamsh.scripts_dir
  local names = {}
  for _, f in ipairs(require("iamsh.fs").list(dir) or {}) do
    local n = f:match("^([%w_%-]+)%.lua$")
    if n then names[#names + 1] = n end
  end
  table.sort(names)
  for _, n in ipairs(names) do
    local ok, flow = pcall(function() return load_script(dir .. "/" .. n .. ".lua")() end)
    local d = ok and is_flow(flow) and flow.description or ""
    print(string.format("%-22s %s", n, d))
  end
  return 0
end

function M.main(command, list_args)
  if command == "run" then return run(list_args) end
  if command == "list" then return list() end
  usage_error("unknown command '%s'", command)
end

return M
