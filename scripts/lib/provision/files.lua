-- Local output files (the role ARN file, a .env file) go through the same
-- switch as IAM writes: written only when their content differs, atomically,
-- never in plan mode, and counted.

local step = require("provision.step")

local files = {}

-- def: path=, content=, mode= (default 0644), what= (words for the line,
-- default "write PATH"; must never contain a secret).
function files.converge(def)
  local fs = require("iamsh.fs")
  local report = step.report()
  local current = fs.read(def.path)
  local mode = def.mode or tonumber("644", 8)
  local st = current and fs.stat(def.path)
  if current == def.content and st and st.mode == mode then
    step.ok(def.path .. " is up to date")
    return { changes = report, changed = false }
  end
  local kind = current == nil and "add" or "change"
  step.write(kind, def.what or ("write " .. def.path), report, function()
    fs.write_atomic(def.path, def.content, mode)
  end)
  return { changes = report, changed = true }
end

return files
