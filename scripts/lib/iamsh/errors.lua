-- iamsh.errors: errors the host reports by their kind, in one line and without a
-- traceback (--debug adds it), with the exit code the AWS CLI would use.
--
--   local errors = require "iamsh.errors"
--   errors.usage("bucket=%s is not a valid S3 bucket name", b)   -- exit 252
--   errors.script("%s: args must be a table", name)               -- exit 1
--
-- A plain error("...") is a bug in a script: the host prints it with its traceback.

local M = {}

local error_mt = {
  __name = "iamsh.Error",
  __tostring = function(e) return e.message end,
}

-- With arguments, fmt is a string.format format; without, the text as is (so a
-- message that holds a '%' can be passed along).
local function message(fmt, ...)
  if select("#", ...) == 0 then return tostring(fmt) end
  return string.format(fmt, ...)
end

-- A new error object (not raised): { kind = kind, message = text }.
function M.new(kind, fmt, ...)
  return setmetatable({ kind = kind, message = message(fmt, ...) }, error_mt)
end

function M.raise(kind, fmt, ...)
  error(M.new(kind, fmt, ...), 0)
end

-- Bad arguments or a bad command line: exit 252.
function M.usage(fmt, ...)
  M.raise("usage", fmt, ...)
end

-- A script that cannot run as written (it does not load, declares bad args): exit 1.
function M.script(fmt, ...)
  M.raise("script", fmt, ...)
end

-- The kind of an error value (a kind-carrying table, aws.Error included), or nil.
function M.kind(e)
  if type(e) == "table" and type(rawget(e, "kind")) == "string" then return e.kind end
  return nil
end

return M
