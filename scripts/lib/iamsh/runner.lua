-- iamsh.runner: `iamsh run`, `iamsh -e`, stdin scripts and `iamsh list` (and hands
-- `iamsh sso ...` to iamsh.sso).
--
-- A script is a path to a .lua file or the name of a script in one of the script
-- folders (IAMSH_PATH, ~/.config/iamsh/scripts, the shipped ones). A flow is a
-- script that returns a table { description = "...", args = { name = {default=,
-- doc=} }, run = function(args) ... end }: the runner checks its key=value
-- arguments, fills the defaults and calls run. Any other script is plain Lua: it
-- gets its arguments as `...` and in the global `arg`, as with `lua`.
--
-- Every kind of script ends the same way: under --plan, the "Plan: ..." line and
-- exit 2 when something would change; otherwise, if it used the provision
-- library, a "Done: ..." line on stderr.
local iamsh = require "iamsh"
local errors = require "iamsh.errors"
local fs = require "iamsh.fs"
local sorted_keys = require("iamsh.tables").sorted_keys

local M = {}

local usage_error, script_error = errors.usage, errors.script

local function is_file(path)
  local st = fs.stat(path)
  return st ~= nil and st.type == "file"
end

local function split_path(s)
  local out = {}
  for dir in (s or ""):gmatch("[^:]+") do out[#out + 1] = dir end
  return out
end

-- The user's script folder: $XDG_CONFIG_HOME/iamsh/scripts, else ~/.config/iamsh/scripts.
local function user_dir()
  local base = os.getenv("XDG_CONFIG_HOME")
  if not base or base == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then return nil end
    base = home .. "/.config"
  end
  return base .. "/iamsh/scripts"
end

-- The script folders in search order, as {dir=, origin=}: a name is looked up
-- as in PATH, so a user's copy of a shipped script is the one that runs.
function M.script_dirs()
  local dirs = {}
  for _, d in ipairs(split_path(os.getenv("IAMSH_PATH"))) do
    dirs[#dirs + 1] = { dir = d, origin = "path" }
  end
  local u = user_dir()
  if u then dirs[#dirs + 1] = { dir = u, origin = "user" } end
  dirs[#dirs + 1] = { dir = iamsh.scripts_dir, origin = "shipped" }
  return dirs
end

-- The file a script name stands for: a path as given, else the first script
-- folder that has NAME.lua.
function M.resolve(name)
  if name:find("/", 1, true) or name:match("%.lua$") then
    if not is_file(name) then usage_error("no such script file: %s", name) end
    return name
  end
  if not name:match("^[%w_%-]+$") then usage_error("invalid script name '%s'", name) end
  for _, d in ipairs(M.script_dirs()) do
    local path = d.dir .. "/" .. name .. ".lua"
    if is_file(path) then return path end
  end
  usage_error("no script named '%s' (see `iamsh list`; a file path must end in .lua)", name)
end

local function is_flow(v)
  return type(v) == "table" and type(v.run) == "function"
end

-- The script's chunk (text only: precompiled bytecode is refused).
local function load_script(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then script_error("%s", err) end
  return chunk
end

-- A script's own folder goes first on package.path, so `require "mylib"` finds
-- mylib.lua beside it from any working directory.
local function add_script_dir(path)
  local dir = path:match("^(.*)/[^/]*$") or "."
  package.path = dir .. "/?.lua;" .. dir .. "/?/init.lua;" .. package.path
end

-- `arg` as `lua` makes it ({[0] = script, args...}), with key=value pairs also
-- as fields, and the same words as the chunk's varargs.
local function set_arg(script, words)
  local a = { [0] = script }
  for i, w in ipairs(words) do
    a[i] = w
    local k, v = w:match("^([^=]+)=(.*)$")
    if k then a[k] = v end
  end
  _G.arg = a
end

local function parse_args(list)
  local values = {}
  for _, a in ipairs(list) do
    local k, v = a:match("^([%a_][%w_]*)=(.*)$")
    if not k then usage_error("argument '%s' is not key=value", a) end
    if values[k] ~= nil then usage_error("argument '%s' given twice", k) end
    values[k] = v
  end
  return values
end

local function check_specs(name, specs)
  if type(specs) ~= "table" then
    script_error("%s: args must be a table of name = {default=, doc=}", name)
  end
  for k, s in pairs(specs) do
    if type(k) ~= "string" or type(s) ~= "table" then
      script_error("%s: args.%s must be a table {default=, doc=}", name, tostring(k))
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

local function counts()
  local provision = package.loaded["provision"]
  return provision and provision.plan_counts() or { add = 0, change = 0, destroy = 0 }
end

-- How every script ends: the plan summary (exit 2 with changes), or the apply
-- summary when the script converged or tore down something with the provision
-- library.
local function finish()
  local c = counts()
  if iamsh.options.plan then
    print(string.format("Plan: %d to add, %d to change, %d to destroy.", c.add, c.change, c.destroy))
    return (c.add + c.change + c.destroy > 0) and 2 or 0
  end
  local provision = package.loaded["provision"]
  if provision and provision.used() and not iamsh.options.quiet then
    io.stderr:write(string.format("Done: %d added, %d changed, %d destroyed.\n",
      c.add, c.change, c.destroy))
  end
  return 0
end

-- A chunk run as a script: plain scripts see `arg` and `...`; a flow (a chunk
-- returning {run=...}) gets its checked key=value arguments.
local function run_chunk(name, script, words)
  local result = script(table.unpack(words)) -- its traceback frame reads "in local 'script'"
  if is_flow(result) then
    if words[1] == "--help" or words[1] == "-h" then
      print(M.help(name, result))
      return 0
    end
    result.run(M.check_args(name, result, words))
  end
  return finish()
end

local function run(list)
  local name = list[1]
  if not name then usage_error("run: which script? (iamsh run SCRIPT [key=value ...])") end
  local path = M.resolve(name)
  local words = table.move(list, 2, #list, 1, {})
  local chunk = load_script(path)
  add_script_dir(path)
  set_arg(path, words)
  return run_chunk(name, chunk, words)
end

local function eval(code, words)
  local chunk, err = load(code, "=(command line)", "t")
  if not chunk then script_error("%s", err) end
  set_arg("-e", words)
  return run_chunk("-e", chunk, words)
end

local function run_stdin(words)
  local code = io.stdin:read("a")
  local chunk, err = load(code or "", "=stdin", "t")
  if not chunk then script_error("%s", err) end
  set_arg("-", words)
  return run_chunk("stdin", chunk, words)
end

-- Globals a listed script may touch while it is loaded for its description:
-- no I/O, no AWS, no os; a budget of instructions (iamsh.sandbox). Loading a flow only declares
-- it, and a plain script must not do its work just because someone ran `list`.
local SAFE = { "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
  "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring",
  "type", "xpcall", "string", "table", "math", "utf8" }

local function library_require(name)
  if name == "aws" or name == "iam" or name == "sts" or name:match("^iamsh%.") then
    error("not while listing", 0)
  end
  return require(name)
end

local function describe(path)
  local env = { require = library_require }
  for _, k in ipairs(SAFE) do env[k] = _G[k] end
  local chunk = loadfile(path, "t", env)
  if not chunk then return "(does not load)" end
  local ok, v = require("iamsh.sandbox").run(chunk, 1000000)
  if ok and is_flow(v) and type(v.description) == "string" then return v.description end
  local text = fs.read(path) or ""
  return text:match("^%-%-%s*([^\n]+)") or ""
end

-- Every script of every folder, by name, with where it comes from (shipped,
-- user: ~/.config/iamsh/scripts, path: IAMSH_PATH). A name found twice runs
-- from the first folder (as resolve finds it); the others say so.
local function list()
  local seen, rows = {}, {}
  for _, d in ipairs(M.script_dirs()) do
    for _, f in ipairs(fs.list(d.dir) or {}) do
      local n = f:match("^([%w_%-]+)%.lua$")
      if n then
        rows[#rows + 1] = { name = n, path = d.dir .. "/" .. f, origin = d.origin,
          shadowed_by = seen[n] }
        seen[n] = seen[n] or d.origin
      end
    end
  end
  table.sort(rows, function(a, b) return a.name < b.name end)
  for _, r in ipairs(rows) do
    local note = r.shadowed_by and ("(not run: the " .. r.shadowed_by .. " script of that name is) ")
      or ""
    print(string.format("%-22s %-8s %s%s", r.name, r.origin, note, describe(r.path)))
  end
  return 0
end

function M.main(command, words, chunk)
  if command == "run" then return run(words) end
  if command == "eval" then return eval(chunk, words) end
  if command == "stdin" then return run_stdin(words) end
  if command == "list" then return list() end
  if command == "sso" then return require("iamsh.sso").main(words) end
  usage_error("unknown command '%s'", command)
end

return M
