-- Shared state of one provisioning run: which clients to call, whether writes
-- go out (plan or apply), where lines are printed, the write counters, and the
-- caller's identity (account and partition), fetched once.
--
-- Everything here can be overridden with provision.configure{...}, which is
-- how the tests plug in the in-memory IAM and a frozen clock.

local context = {}

local cfg = {}
local counts = { add = 0, change = 0, destroy = 0 }
local identity

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
  iam = true, sts = true, json = true, plan = true, quiet = true,
  sleep = true, clock = true, out = true, progress = true, warn = true,
  propagation_timeout = true, aws_config = true,
}

function context.configure(t)
  for k, v in pairs(t) do
    if not KEYS[k] then
      error("provision.configure: unknown option '" .. tostring(k) .. "'", 2)
    end
    cfg[k] = v
  end
end

-- Forget counters, identity and overrides (tests start each case clean).
function context.reset()
  cfg = {}
  identity = nil
  context.clear_counts()
end

function context.clear_counts()
  counts = { add = 0, change = 0, destroy = 0 }
  context.fresh = {}
  context.planned = {}
end

-- Entities created by this run ("role:NAME"), and plan lines already shown.
context.fresh = {}
context.planned = {}

function context.iam()
  return cfg.iam or require("iam")
end

function context.sts()
  return cfg.sts or require("sts")
end

function context.json()
  return cfg.json or require("aws").json
end

function context.planning()
  if cfg.plan ~= nil then
    return cfg.plan
  end
  return options().plan == true
end

function context.quiet()
  if cfg.quiet ~= nil then
    return cfg.quiet
  end
  return options().quiet == true
end

function context.propagation_timeout()
  return cfg.propagation_timeout or 120
end

function context.sleep(seconds)
  if cfg.sleep then
    return cfg.sleep(seconds)
  end
  return host().sleep(seconds)
end

function context.clock()
  if cfg.clock then
    return cfg.clock()
  end
  return host().clock()
end

-- A plan line goes to stdout: it is the command's output.
function context.plan_line(line)
  if cfg.out then
    return cfg.out(line)
  end
  io.stdout:write(line, "\n")
  io.stdout:flush()
end

-- A progress line goes to stderr, and --quiet silences it.
function context.progress(line)
  if context.quiet() then
    return
  end
  if cfg.progress then
    return cfg.progress(line)
  end
  io.stderr:write(line, "\n")
end

-- A warning is never silenced: something needs a person's attention.
function context.warn(line)
  if cfg.warn then
    return cfg.warn(line)
  end
  io.stderr:write(line, "\n")
end

function context.count(kind)
  counts[kind] = counts[kind] + 1
end

function context.counts()
  return { add = counts.add, change = counts.change, destroy = counts.destroy }
end

local function aws_config()
  if cfg.aws_config then
    return cfg.aws_config
  end
  local ok, aws = pcall(require, "aws")
  if ok and type(aws) == "table" and aws.config then
    local ok2, c = pcall(aws.config)
    if ok2 and type(c) == "table" then
      return c
    end
  end
  return {}
end

function context.region()
  return aws_config().region
end

-- sts:GetCallerIdentity once per run. The partition comes from the caller's
-- ARN (arn:<partition>:...), else from the configured region's partition.
function context.identity()
  if not identity then
    local id = context.sts().get_caller_identity({})
    local partition = type(id.Arn) == "string" and id.Arn:match("^arn:([^:]+):")
    identity = {
      account = id.Account,
      arn = id.Arn,
      partition = partition or aws_config().partition or "aws",
    }
  end
  return identity
end

function context.partition()
  local ok, id = pcall(context.identity)
  if ok then
    return id.partition
  end
  return aws_config().partition or "aws"
end

function context.account()
  return context.identity().account
end

return context
