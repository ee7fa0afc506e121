-- docs/provision.md and docs/policy.md document the whole public face: a
-- level-3 section per function of provision and policy (the REPL's help()
-- prints it), in each a key table equal to what the library checks (type,
-- default), and the example scripts as they are in scripts/examples/.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local provision = require("provision")
local policy = require("policy")
local schema = require("provision.schema")
local fs = require("iamsh.fs")

local root = dir .. "/../.."
local doc = assert(fs.read(root .. "/docs/provision.md"), "docs/provision.md")
local policy_doc = assert(fs.read(root .. "/docs/policy.md"), "docs/policy.md")

-- "### `provision.role{...}`" -> sections["provision.role"] = its text.
local sections = {}
for _, text in ipairs({ doc, policy_doc }) do
  local name, lines = nil, {}
  local function close()
    if name then
      sections[name] = table.concat(lines, "\n")
    end
  end
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local heading = line:match("^###? ")
    if heading then
      close()
      name, lines = line:match("^### `([%w_.]+)[{(]"), {}
    elseif name then
      lines[#lines + 1] = line
    end
  end
  close()
end

local function public(module, prefix)
  local names = {}
  for k, v in pairs(module) do
    if type(v) == "function" then
      names[#names + 1] = prefix .. k
    end
  end
  table.sort(names)
  return names
end

t.test("every public function of provision and policy has its section", function()
  local missing = {}
  for _, list in ipairs({ public(provision, "provision."), public(policy, "policy.") }) do
    for _, name in ipairs(list) do
      if not sections[name] then
        missing[#missing + 1] = name
      end
    end
  end
  t.eq(table.concat(missing, ", "), "", "functions without a section")
end)

-- aws.policy.check, the REPL's can: the engine's binding and the lazy globals.
local function exists(name)
  local v = _G
  for part in name:gmatch("[^.]+") do
    v = type(v) == "table" and v[part] or nil
  end
  return type(v) == "function"
end

t.test("every section names a function that exists", function()
  for name in pairs(sections) do
    local module, fn = name:match("^(%w+)%.([%w_]+)$")
    local m = module == "provision" and provision or module == "policy" and policy or nil
    t.check(m and type(m[fn]) == "function" or not m and exists(name), "documented but not there: " .. name)
  end
end)

t.test("the account view's functions and the REPL's helpers have their sections", function()
  for _, name in ipairs({ "policy.account_view", "policy.can", "policy.who_can", "policy.who_can_assume",
    "policy.compile", "policy.evaluate", "aws.policy.check", "aws.policy.compile", "aws.policy.evaluate", "can",
    "who_can", "who_can_assume" }) do
    t.check(sections[name], "no section for " .. name)
  end
end)

t.test("each function's key table is what the library checks: every key, its type and default", function()
  local n = 0
  for fn, spec in pairs(schema.registry()) do
    local text = sections[fn]
    t.check(text, "no section for " .. fn)
    local rows = 0
    for _ in text:gmatch("\n| `[%w_]+` |") do
      rows = rows + 1
    end
    t.eq(rows, #spec.fields, fn .. ": rows in its key table")
    for _, f in ipairs(spec.fields) do
      local row = schema.row(f)
      t.check(text:find(row, 1, true), fn .. ": missing or different row\n" .. row)
    end
    n = n + 1
  end
  t.check(n >= 18, "specs: " .. n)
end)

t.test("the example scripts appear in full", function()
  local found = 0
  for _, f in ipairs(fs.list(root .. "/scripts/examples") or {}) do
    if f:match("%.lua$") then
      local text = fs.read(root .. "/scripts/examples/" .. f)
      t.check(doc:find("```lua\n" .. text, 1, true), "docs/provision.md does not show " .. f .. " as it is")
      found = found + 1
    end
  end
  t.eq(found, 3)
end)

t.finish()
