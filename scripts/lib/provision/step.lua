-- The one place that decides whether a write goes out.
--
-- Every change the library wants to make is a record
--   { kind = "add" | "change" | "destroy", text = "attach X to role R",
--     key = {"attach", "role", "r", X}, detail = {lines}, run = function() ... end,
--     missing_ok = true (a removal where "already gone" is as good as done) }
-- handed to step.write: it is counted, then in plan mode printed on stdout
-- and skipped, in apply mode reported on stderr and performed. Plan and
-- apply therefore share every read and every decision; only this switch
-- differs. `detail` lines (a document diff, old -> new) are printed under
-- the line in both modes.

local deps = require("provision.deps")
local state = require("provision.state")
local calls = require("provision.calls")

local step = {}

local SIGN = { add = "+", change = "~", destroy = "-" }

-- A report collects the lines of what a function did (or would do).
function step.report()
  return {}
end

local function run(change)
  if not change.missing_ok then
    return change.run()
  end
  local ok, err = pcall(change.run)
  if not ok and not calls.is_absent(err) then
    error(err, 0)
  end
end

local function say(show, line, detail)
  show(line)
  for _, d in ipairs(detail or {}) do
    show(d)
  end
end

-- Returns run's results in apply mode, nothing in plan mode.
--
-- In plan mode a change already planned (same key) is not planned twice: a
-- teardown may reach the same attachment from the user and from the policy,
-- and the apply would remove it once. The key is the change's identity, not
-- its wording.
function step.write(change, report)
  local planning = deps.planning()
  if planning and change.key and not state.first_plan(table.concat(change.key, "\31")) then
    return nil
  end
  local line = SIGN[change.kind] .. " " .. change.text
  state.count(change.kind)
  if report then
    report[#report + 1] = line
  end
  if planning then
    say(deps.plan_line, line, change.detail)
    return nil
  end
  say(deps.progress, line, change.detail)
  return run(change)
end

-- Each change in order.
function step.apply(changes, report)
  for _, c in ipairs(changes) do
    step.write(c, report)
  end
end

-- A resource known by one id (a policy's or an OIDC provider's ARN): the
-- change that creates it when current is nil, else the changes
-- compare(current) lists. Returns true when it was (or would be) created.
function step.converge(kind, id, current, create, compare, report)
  if current == nil then
    step.write(create, report)
    if deps.planning() then
      state.made(kind, id)
    end
    return true
  end
  state.known(kind, id)
  step.apply(compare(current), report)
  return false
end

-- Something found already as wanted: said in apply mode only, so that a plan
-- shows nothing but changes.
function step.ok(text)
  if not deps.planning() then
    deps.progress("= " .. text)
  end
end

-- Something the library will not change by itself; always shown.
function step.warn(text)
  deps.warn("! " .. text)
end

return step
