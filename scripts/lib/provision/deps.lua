-- What a provisioning run is given from outside: the clients it calls, the
-- clock and sleep, whether writes go out (plan or apply), and where its lines
-- are printed. The host's (iam, sts, iamsh.options, stdout/stderr) unless
-- provision.configure{...} says otherwise, which is how the tests plug in the
-- in-memory IAM and a frozen clock. The run's own state lives in
-- provision/state.lua.

local suggest = require("suggest")

local deps = {}

local cfg = {}

local function host()
  local ok, iamsh = pcall(require, "iamsh")
  if ok and type(iamsh) == "table" then
    return iamsh
  end
  return { options = {} }
end

local function options()
  return host().options or {}
end

-- Known keys, so that a typo in configure{} is an error, not a silent no-op.
local KEYS = {
  "iam", "sts", "json", "plan", "quiet", "sleep", "clock", "out", "progress", "warn", "propagation_timeout",
  "aws_config",
}
local KNOWN = {}
for _, k in ipairs(KEYS) do
  KNOWN[k] = true
end

function deps.configure(t)
  if type(t) ~= "table" then
    error("provision.configure: a table of options is required", 3)
  end
  for k, v in pairs(t) do
    if not KNOWN[k] then
      error(string.format("provision.configure: unknown option '%s'%s", tostring(k),
        suggest.hint(tostring(k), KEYS)), 3)
    end
    cfg[k] = v
  end
end

function deps.reset()
  cfg = {}
end

function deps.iam()
  return cfg.iam or require("iam")
end

function deps.sts()
  return cfg.sts or require("sts")
end

function deps.json()
  return cfg.json or require("aws").json
end

function deps.planning()
  if cfg.plan ~= nil then
    return cfg.plan
  end
  return options().plan == true
end

function deps.quiet()
  if cfg.quiet ~= nil then
    return cfg.quiet
  end
  return options().quiet == true
end

function deps.propagation_timeout()
  return cfg.propagation_timeout or 120
end

function deps.sleep(seconds)
  return (cfg.sleep or host().sleep)(seconds)
end

function deps.clock()
  return (cfg.clock or host().clock)()
end

-- The AWS configuration (region, partition); {} when the AWS module is not
-- available. Never asks the credential chain: this is for defaults only.
function deps.aws_config()
  if cfg.aws_config then
    return cfg.aws_config
  end
  local ok, aws = pcall(require, "aws")
  if ok and type(aws) == "table" and aws.config then
    local ok2, c = pcall(aws.config, { credentials = false })
    if ok2 and type(c) == "table" then
      return c
    end
  end
  return {}
end

-- A plan line goes to stdout: it is the command's output.
function deps.plan_line(line)
  if cfg.out then
    return cfg.out(line)
  end
  io.stdout:write(line, "\n")
  io.stdout:flush()
end

-- A progress line goes to stderr, and --quiet silences it.
function deps.progress(line)
  if deps.quiet() then
    return
  end
  if cfg.progress then
    return cfg.progress(line)
  end
  io.stderr:write(line, "\n")
end

-- A warning is never silenced: something needs a person's attention.
function deps.warn(line)
  if cfg.warn then
    return cfg.warn(line)
  end
  io.stderr:write(line, "\n")
end

return deps
