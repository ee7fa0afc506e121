-- For the provisioning tests: a clean in-memory account and library, plan
-- lines, progress and warnings captured, a frozen clock that sleeps move.
local mock = require("mock_iam")
local provision = require("provision")

local F = {}

-- opts: plan (boolean), timeout (propagation_timeout), partition.
-- Returns the mock IAM and env = {lines, progress, warnings, slept, now}.
function F.setup(opts)
  opts = opts or {}
  local m = mock.new({ partition = opts.partition })
  local env = { lines = {}, progress = {}, warnings = {}, slept = 0, now = 0 }
  provision.reset()
  local cfg = m:clients()
  cfg.plan = opts.plan or false
  cfg.out = function(line) env.lines[#env.lines + 1] = line end
  cfg.progress = function(line) env.progress[#env.progress + 1] = line end
  cfg.warn = function(line) env.warnings[#env.warnings + 1] = line end
  cfg.clock = function() return env.now end
  cfg.sleep = function(s) env.slept = env.slept + s; env.now = env.now + s end
  cfg.propagation_timeout = opts.timeout
  provision.configure(cfg)
  return m, env
end

-- A new run against the same account, in plan mode or apply mode.
function F.again(plan)
  provision.configure({ plan = plan or false })
  require("provision.state").clear()
end

-- The run's counts as "add/change/destroy".
function F.counts()
  local c = provision.plan_counts()
  return string.format("%d/%d/%d", c.add, c.change, c.destroy)
end

return F
