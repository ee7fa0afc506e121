-- The state of one provisioning run: what was (or would be) written, counted;
-- the entities this run made or removed (or plans to); the plan lines already
-- shown; what reads have already established; the caller's identity.
-- Separate from what the run is given (provision/deps.lua).

local deps = require("provision.deps")

local state = {}

local run
local identity

-- A new run: counters at zero, nothing made, nothing known (the identity,
-- which does not change within a session, is kept).
function state.clear()
  run = {
    counts = { add = 0, change = 0, destroy = 0 },
    made = {},     -- "kind:name" -> true: created by this run (planned to be, in plan mode)
    fresh = {},    -- "kind:name" -> true: created by this run in apply mode (IAM may lag)
    gone = {},     -- "kind:name" -> true: removed by this run (planned to be)
    planned = {},  -- step key -> true: a plan line already shown
    exists = {},   -- "kind:name" -> true: a read found it
    cache = {},    -- anything else read once per run (account quotas)
    used = false,  -- a definition was converged or torn down (the runner's "Done:")
  }
end

function state.reset()
  state.clear()
  identity = nil
end

state.clear()

-- IAM names are case-insensitive; ARNs (policies, providers) are compared as given.
local BY_NAME = { role = true, user = true, group = true, instance_profile = true }

local function id(kind, name)
  return kind .. ":" .. (BY_NAME[kind] and name:lower() or name)
end

function state.use()
  run.used = true
end

function state.used()
  return run.used
end

function state.count(kind)
  run.counts[kind] = run.counts[kind] + 1
end

function state.counts()
  return { add = run.counts.add, change = run.counts.change, destroy = run.counts.destroy }
end

-- Made by this run; fresh (apply mode) means reads of it may still say
-- NoSuchEntity for a while, which is then retried.
function state.made(kind, name, fresh)
  local k = id(kind, name)
  run.made[k], run.gone[k] = true, nil
  if fresh then
    run.fresh[k] = true
  end
end

function state.gone(kind, name)
  local k = id(kind, name)
  run.gone[k], run.made[k], run.exists[k] = true, nil, nil
end

function state.known(kind, name)
  run.exists[id(kind, name)] = true
end

-- "made", "gone", "exists" or nil (nothing known yet).
function state.status(kind, name)
  local k = id(kind, name)
  if run.gone[k] then
    return "gone"
  elseif run.made[k] then
    return "made"
  elseif run.exists[k] then
    return "exists"
  end
end

function state.is_fresh(kind, name)
  return run.fresh[id(kind, name)] == true
end

-- True the first time a plan step key is seen in this run.
function state.first_plan(key)
  if run.planned[key] then
    return false
  end
  run.planned[key] = true
  return true
end

-- A value read once per run: get() on the first call, remembered after.
function state.once(name, get)
  if run.cache[name] == nil then
    run.cache[name] = get()
  end
  return run.cache[name]
end

-- sts:GetCallerIdentity once per session. The partition comes from the
-- caller's ARN (arn:<partition>:...), else from the configured region's.
function state.identity()
  if not identity then
    local res = deps.sts().get_caller_identity({})
    identity = {
      account = res.Account,
      arn = res.Arn,
      partition = type(res.Arn) == "string" and res.Arn:match("^arn:([^:]+):") or deps.aws_config().partition or "aws",
    }
  end
  return identity
end

function state.partition()
  local ok, who = pcall(state.identity)
  if ok then
    return who.partition
  end
  return deps.aws_config().partition or "aws"
end

function state.account()
  return state.identity().account
end

return state
