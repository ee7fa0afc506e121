-- The one place that decides whether a write goes out.
--
-- Every change the library wants to make goes through step.write: it is
-- counted, then in plan mode printed on stdout and skipped, in apply mode
-- reported on stderr and performed. Plan and apply therefore share every
-- read and every decision; only this switch differs.

local context = require("provision.context")
local calls = require("provision.calls")

local step = {}

local SIGN = { add = "+", change = "~", destroy = "-" }

-- A report collects the lines of what a function did (or would do).
function step.report()
  return {}
end

-- kind: "add" | "change" | "destroy"; text: what, in words, never a secret.
-- Returns fn's results in apply mode, nothing in plan mode.
--
-- In plan mode a line already planned is not planned twice: a teardown may
-- reach the same attachment from the user and from the policy, and the
-- apply would remove it once.
function step.write(kind, text, report, fn)
  local line = SIGN[kind] .. " " .. text
  if context.planning() then
    if context.planned[line] then
      return nil
    end
    context.planned[line] = true
  end
  context.count(kind)
  if report then
    report[#report + 1] = line
  end
  if context.planning() then
    context.plan_line(line)
    return nil
  end
  context.progress(line)
  return fn()
end

-- A removal where "already gone" is as good as done.
function step.remove(text, report, fn)
  return step.write("destroy", text, report, function()
    local ok, err = pcall(fn)
    if not ok and not calls.is_absent(err) then
      error(err, 0)
    end
  end)
end

-- Something found already as wanted: said in apply mode only, so that a plan
-- shows nothing but changes.
function step.ok(text)
  if not context.planning() then
    context.progress("= " .. text)
  end
end

-- Something the library will not change by itself; always shown.
function step.warn(text)
  context.warn("! " .. text)
end

return step
