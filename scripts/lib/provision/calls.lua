-- IAM calls as the provisioning library makes them: reads that treat a
-- missing entity as "absent", and retries for IAM's eventual consistency
-- (aws-conventions 5.2, as terraform-provider-aws does), only where this
-- run's own writes explain the failure (anything else fails at once):
--   * NoSuchEntity when the call involves an entity this run has just
--     created (opts.fresh);
--   * MalformedPolicyDocument "Invalid principal in policy" when the trust
--     policy names a principal this run has just created (opts.principal);
--   * DeleteConflict on a final delete, when asked (detach races);
--   * EntityTemporarilyUnmodifiable, when asked;
--   * a failure the client retries by itself (throttling, a 5xx, a lost
--     connection) that outlasted its attempts, when asked (opts.transient):
--     for the reads that guard against a stray access key, which must not give
--     up after three throttled attempts.
-- Backoff doubles from 1 s up to 10 s, within the propagation timeout.

local deps = require("provision.deps")

local calls = {}

function calls.code(err)
  if type(err) == "table" then
    return err.code
  end
end

local function message(err)
  return type(err) == "table" and tostring(err.message or "") or tostring(err)
end

function calls.is_absent(err)
  return calls.code(err) == "NoSuchEntity"
end

local function invalid_principal(err)
  return calls.code(err) == "MalformedPolicyDocument"
    and message(err):find("Invalid principal in policy", 1, true) ~= nil
end

-- Which failures are worth waiting for, given what the caller knows.
local function retryable(err, opts)
  if opts.fresh and calls.is_absent(err) then
    return true
  end
  if opts.principal and invalid_principal(err) then
    return true
  end
  if opts.conflict and calls.code(err) == "DeleteConflict" then
    return true
  end
  if opts.transient and type(err) == "table" and err.retryable == true then
    return true
  end
  return opts.unmodifiable and calls.code(err) == "EntityTemporarilyUnmodifiable"
end

-- The last error of a wait that ran out of time, saying so: the code stays
-- (callers still match on it), the message tells what to do.
local function gave_up(err)
  local why = string.format(" (gave up after %d s of retries: IAM had not propagated the change yet; "
    .. "configure a longer propagation_timeout to wait longer)", deps.propagation_timeout())
  if type(err) == "table" and err.retryable == true then
    why = string.format(" (gave up after %d s of retries)", deps.propagation_timeout())
  end
  if type(err) == "table" then
    err.message = tostring(err.message or "") .. why
    return err
  end
  return tostring(err) .. why
end

-- Run fn() until it succeeds, fails for good, or the timeout is spent.
function calls.with_retry(fn, opts)
  local deadline = deps.clock() + deps.propagation_timeout()
  local delay = 1
  while true do
    local ok, res, extra = pcall(fn)
    if ok then
      return res, extra
    end
    if not retryable(res, opts) then
      error(res, 0)
    end
    if deps.clock() + delay > deadline then
      error(gave_up(res), 0)
    end
    deps.sleep(delay)
    delay = math.min(delay * 2, 10)
  end
end

-- NoSuchEntity means "not there" unless the entity is one this run created:
-- then it only means IAM never caught up, which is an error.
local function absent(err, opts)
  return calls.is_absent(err) and not (opts and opts.fresh)
end

-- One IAM operation by its snake_case name, with the retries opts allows.
function calls.call(op, params, opts)
  local iam = deps.iam()
  local fn = iam[op]
  if not fn then
    error("iam." .. op .. " is not available", 2)
  end
  return calls.with_retry(function() return fn(params) end, opts or {})
end

-- The flat list of a paginated operation (iam.all), with the same retries.
function calls.all(op, params, opts)
  local iam = deps.iam()
  return calls.with_retry(function() return iam.all(op, params) end, opts or {})
end

-- read(op, params, opts), with NoSuchEntity meaning "not there": `none`.
local function or_none(read, none, op, params, opts)
  local ok, res = pcall(read, op, params, opts)
  if ok then
    return res
  end
  if absent(res, opts) then
    return none
  end
  error(res, 0)
end

-- A read of one entity: nil when it does not exist.
function calls.get(op, params, opts)
  return or_none(calls.call, nil, op, params, opts)
end

-- A list of what an entity owns: empty when the entity does not exist.
function calls.all_or_empty(op, params, opts)
  return or_none(calls.all, {}, op, params, opts)
end

return calls
