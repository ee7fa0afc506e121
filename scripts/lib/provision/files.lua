-- Local output files (a role ARN file, a .env file) go through the same
-- switch as IAM writes: written only when their content differs, atomically,
-- never in plan mode, and counted.

local step = require("provision.step")
local schema = require("provision.schema")
local dotenv = require("dotenv")

local files = {}

local DEFAULT_MODE = tonumber("644", 8)
local SECRET_MODE = tonumber("600", 8)

files.SPEC = schema.define("provision.file", {
  { "path", "file", required = true, doc = "the file; its folder must exist" },
  { "content", "string", required = true, doc = "what the file should hold" },
  { "mode", "integer", min = 0, max = 4095, default = DEFAULT_MODE, default_doc = "0644",
    doc = "permission bits, e.g. tonumber(\"600\", 8); default 0644" },
  { "what", "string", doc = "the plan line's words instead of \"write PATH\" (never put a secret here)" },
  { "same", "function",
    doc = "same(text): true when the current text says the same as content in other words (then it is kept)" },
})

files.ENV = schema.define("provision.env_file", {
  { "path", "file", required = true, doc = "the .env file; its folder must exist (the file need not)" },
  { "values", "env", required = true, doc = "{KEY = \"value\"} to set; other lines, comments and quoting are kept" },
  { "order", "lines", doc = "the order in which keys missing from the file are appended (default: sorted)" },
})

files.REMOVE = schema.define("provision.remove_file", {
  { "path", "string", required = true, doc = "the file to delete (already gone counts as done)" },
  { "accept", "function", doc = "accept(text) -> ok, why: delete only when it returns true; else `why` is warned" },
})

local function fs()
  return require("iamsh.fs")
end

-- Returns {changes=, changed=}.
function files.converge(def)
  local d = schema.check(files.SPEC, def)
  local report = step.report()
  local current = fs().read(d.path)
  local st = current and fs().stat(d.path)
  local same = current == d.content or (current ~= nil and d.same ~= nil and d.same(current))
  if same and st and st.mode == fs().effective_mode(d.mode) then
    step.ok(d.path .. " is up to date")
    return { changes = report, changed = false }
  end
  step.write({ kind = current == nil and "add" or "change", text = d.what or ("write " .. d.path),
    key = { "file", d.path }, run = function() fs().write_atomic(d.path, d.content, d.mode) end }, report)
  return { changes = report, changed = true }
end

-- Set keys of a .env file in place (dotenv.lua keeps every other line);
-- mode 0600, since it may hold a secret. The line names the keys, never
-- their values.
function files.env(def)
  local d = schema.check(files.ENV, def)
  local text, changed = dotenv.update(fs().read(d.path), d.values, d.order)
  if #changed == 0 then
    step.ok(d.path .. " is up to date")
    return { changes = {}, changed = false }
  end
  return files.converge({
    path = d.path, content = text, mode = SECRET_MODE,
    what = string.format("set %s in %s", table.concat(changed, ", "), d.path),
  })
end

-- Delete a local file if accept(content) says it is the one to delete;
-- accept may return false and the reason to say instead.
function files.remove(def)
  local d = schema.check(files.REMOVE, def)
  local report = step.report()
  local text = fs().read(d.path)
  if text == nil then
    return { changes = report }
  end
  local ok, why = true, nil
  if d.accept then
    ok, why = d.accept(text)
  end
  if not ok then
    step.warn(why or (d.path .. " is not a file iamsh wrote; leaving it"))
    return { changes = report }
  end
  step.write({ kind = "destroy", text = "delete " .. d.path, key = { "file", d.path, "delete" }, run = function()
    local done, err = os.remove(d.path)
    if not done then
      error("cannot delete " .. tostring(err), 0)
    end
  end }, report)
  return { changes = report }
end

return files
