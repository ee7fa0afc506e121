-- iamsh.service: pagination and waiters for a service table (iam, sts), driven by
-- the paginators and waiters of AWS's models (aws.model). Installed into the
-- service tables by the C module; scripts call iam.pages, iam.all and iam.wait.
local aws = require "aws"
local iamsh = require "iamsh"

local M = {}

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

local function new_error(code, message, operation)
  return setmetatable({ kind = "waiter", code = code, message = message, status = 0,
    operation = operation, retryable = false }, aws.Error)
end

local function paginator(name, op)
  local p = aws.model.paginator(name, op)
  if not p then error(string.format("%s.%s cannot be paginated", name, op), 3) end
  return p
end

-- for page in svc.pages(op, params) do ... end: one call per page, following the
-- output token (Marker) while more_results (IsTruncated) says there is more.
local function pages(svc, name, op, params)
  local p = paginator(name, op)
  local call = svc[p.operation]
  local req, done, last = copy(params), false, nil
  return function()
    if done then return nil end
    local page = call(req)
    local token = page[p.output_token]
    local more = p.more_results == nil or page[p.more_results] == true
    if not more or token == nil then
      done = true
    elseif token == last then
      error(string.format("%s: the service returned the same %s twice", op, p.output_token), 2)
    else
      req[p.input_token], last = token, token
    end
    return page
  end
end

-- svc.all(op, params): every item of the paginator's result key in one array. For
-- the two paginators with several result keys (get_account_authorization_details,
-- list_entities_for_policy) a table of arrays keyed by result key.
local function all(svc, name, op, params)
  local p = paginator(name, op)
  local out = {}
  for _, key in ipairs(p.result_keys) do out[key] = aws.json.array {} end
  for page in pages(svc, name, op, params) do
    for _, key in ipairs(p.result_keys) do
      table.move(page[key] or {}, 1, #(page[key] or {}), #out[key] + 1, out[key])
    end
  end
  if #p.result_keys == 1 then return out[p.result_keys[1]] end
  return out
end

local function matches(acceptor, ok, result)
  if acceptor.matcher == "status" then
    local status = ok and 200 or (aws.is_error(result) and result.status)
    return status == acceptor.expected
  elseif acceptor.matcher == "error" then
    return not ok and aws.is_error(result) and result.code == acceptor.expected
  end
  error("waiter matcher '" .. tostring(acceptor.matcher) .. "' is not supported by iamsh", 0)
end

local function first_match(acceptors, ok, result)
  for _, a in ipairs(acceptors) do
    if matches(a, ok, result) then return a end
  end
end

-- svc.wait(waiter, params, opts): poll the waiter's operation until an acceptor
-- says success (returns the last result) or failure, or the attempts or
-- opts.timeout (seconds) run out (raises an aws.Error with code WaiterTimeout).
local function wait(svc, name, waiter, params, opts)
  local w = aws.model.waiter(name, waiter)
  if not w then error(string.format("%s has no waiter '%s'", name, waiter), 2) end
  opts = opts or {}
  local delay = opts.delay or w.delay
  local max_attempts = opts.max_attempts or w.max_attempts
  local deadline = opts.timeout and iamsh.clock() + opts.timeout
  local call, attempts = svc[w.operation], 0
  while true do
    attempts = attempts + 1
    local ok, result = pcall(call, params)
    local a = first_match(w.acceptors, ok, result)
    if a and a.state == "success" then return ok and result or nil end
    if a and a.state == "failure" then
      error(new_error("WaiterFailure", waiter .. " reached a failure state", w.operation), 2)
    end
    if not a and not ok then error(result, 0) end
    local out_of_time = deadline and iamsh.clock() + delay > deadline
    if out_of_time or (not deadline and attempts >= max_attempts) then
      error(new_error("WaiterTimeout", string.format("%s: gave up after %d attempts", waiter,
        attempts), w.operation), 2)
    end
    iamsh.sleep(delay)
  end
end

function M.install(svc, name)
  svc.pages = function(op, params) return pages(svc, name, op, params) end
  svc.all = function(op, params) return all(svc, name, op, params) end
  svc.wait = function(waiter, params, opts) return wait(svc, name, waiter, params, opts) end
  svc.operations = function() return aws.model.operations(name) end
end

return M
