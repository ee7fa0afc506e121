-- iamsh.local.errors: the errors the local IAM and STS raise, as AWS sends them.
-- An error is a table {code =, message =, status =, type = "Sender"|"Receiver",
-- reason =} raised with error(e, 0); the server renders it as <ErrorResponse>.
local M = {}

-- HTTP statuses of the codes the handlers use (from AWS's models; 400 otherwise).
local STATUS = {
  NoSuchEntity = 404, EntityAlreadyExists = 409, DeleteConflict = 409, LimitExceeded = 409,
  ConcurrentModification = 409, EntityTemporarilyUnmodifiable = 409, AccessDenied = 403,
  ServiceFailure = 500, NotImplemented = 501, InvalidClientTokenId = 403, ExpiredToken = 400,
  IDPRejectedClaim = 403, RegionDisabledException = 403, InvalidAuthenticationCode = 403,
  ReportNotPresent = 410, ServiceNotSupported = 404,
}

local Error = {}
Error.__index = Error
Error.__tostring = function(e)
  return string.format("%s (%d): %s", e.code, e.status, e.message)
end

function M.new(code, message, status)
  status = status or STATUS[code] or 400
  return setmetatable({ code = code, message = message, status = status,
    type = status >= 500 and "Receiver" or "Sender" }, Error)
end

-- Raises code with message (string.format of fmt and its arguments).
function M.raise(code, fmt, ...)
  error(M.new(code, select("#", ...) > 0 and fmt:format(...) or fmt), 0)
end

function M.is_error(v)
  return getmetatable(v) == Error
end

-- The shorthands the handlers use most.
function M.no_such(fmt, ...)
  M.raise("NoSuchEntity", fmt, ...)
end

function M.exists(fmt, ...)
  M.raise("EntityAlreadyExists", fmt, ...)
end

function M.conflict(fmt, ...)
  M.raise("DeleteConflict", fmt, ...)
end

function M.limit(fmt, ...)
  M.raise("LimitExceeded", fmt, ...)
end

function M.invalid(fmt, ...)
  M.raise("InvalidInput", fmt, ...)
end

-- AWS's ValidationError text for a list of problems ("Value 'x' at 'roleName'
-- failed to satisfy constraint: ...").
function M.validation(problems)
  local n = #problems
  M.raise("ValidationError", "%d validation error%s detected: %s", n, n == 1 and "" or "s",
    table.concat(problems, "; "))
end

return M
