-- Local output files (the role ARN file, a .env file) go through the same
-- switch as IAM writes: written only when their content differs, atomically,
-- never in plan mode, and counted.

local step = require("provision.step")
local dotenv = require("dotenv")

local files = {}

-- def: path=, content=, mode= (default 0644), what= (words for the line,
-- default "write PATH"; must never contain a secret), same= (optional
-- same(text): the current text says the same as content, in other words).
function files.converge(def)
  local fs = require("iamsh.fs")
  local report = step.report()
  local current = fs.read(def.path)
  local mode = def.mode or tonumber("644", 8)
  local st = current and fs.stat(def.path)
  local same = current == def.content or (current ~= nil and def.same ~= nil and def.same(current))
  if same and st and st.mode == mode then
    step.ok(def.path .. " is up to date")
    return { changes = report, changed = false }
  end
  local kind = current == nil and "add" or "change"
  step.write(kind, def.what or ("write " .. def.path), report, function()
    fs.write_atomic(def.path, def.content, mode)
  end)
  return { changes = report, changed = true }
end

-- Set keys of a .env file in place (dotenv.lua keeps every other line);
-- mode 0600, since it may hold a secret. The line names the keys, never
-- their values.
function files.env(def)
  local fs = require("iamsh.fs")
  local text, changed = dotenv.update(fs.read(def.path), def.values, def.order)
  if #changed == 0 then
    step.ok(def.path .. " is up to date")
    return { changes = {}, changed = false }
  end
  return files.converge({
    path = def.path, content = text, mode = tonumber("600", 8),
    what = string.format("set %s in %s", table.concat(changed, ", "), def.path),
  })
end

-- Delete a local file if accept(content) says it is the one to delete;
-- accept may return false and the reason to say instead.
function files.remove(def)
  local fs = require("iamsh.fs")
  local report = step.report()
  local text = fs.read(def.path)
  if text == nil then
    return { changes = report }
  end
  local ok, why = true, nil
  if def.accept then
    ok, why = def.accept(text)
  end
  if not ok then
    step.warn(why or (def.path .. " is not a file iamsh wrote; leaving it"))
    return { changes = report }
  end
  step.write("destroy", "delete " .. def.path, report, function()
    local ok, err = os.remove(def.path)
    if not ok then
      error("cannot delete " .. tostring(err), 0)
    end
  end)
  return { changes = report }
end

return files
