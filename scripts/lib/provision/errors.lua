-- The errors the library raises itself, as objects the host reports in one
-- line (no traceback) with the exit code of their kind:
--   definition  kind "param" (exit 252, as the AWS CLI's parameter
--               validation): a definition the library refuses (an
--               unknown key, a wrong type, a bad flag, a malformed document);
--   missing     kind "service", code NoSuchEntity (exit 254): something a
--               definition refers to does not exist, found by a read before
--               any write;
--   refusal     kind "service" with AWS's code (exit 254): what AWS would
--               refuse, said before asking it (a third access key, ...);
--   usage       kind "usage" (exit 252): a script argument's bad value.
-- Fields: kind, code, message; tostring gives "Code: message" (a definition
-- error reads as its message). Scripts match on err.code after pcall.

local errors = {}

local mt = {}
mt.__tostring = function(e)
  if e.kind == "param" then
    return e.message
  end
  return e.code .. ": " .. e.message
end

local function raise(kind, code, message)
  error(setmetatable({ kind = kind, code = code, message = message }, mt), 0)
end

function errors.is(v)
  return getmetatable(v) == mt
end

-- where: "provision.role{name = \"X\"}" (see schema.where).
function errors.definition(where, fmt, ...)
  raise("param", "InvalidDefinition", where .. ": " .. string.format(fmt, ...))
end

-- what: "policy", "group", ...; id: its name or ARN; by: "role X".
function errors.missing(what, id, by)
  raise("service", "NoSuchEntity", string.format("%s %s does not exist (referenced by %s)", what, id, by))
end

function errors.refusal(code, fmt, ...)
  raise("service", code, string.format(fmt, ...))
end

-- The host's usage error (iamsh.errors.usage).
function errors.usage(fmt, ...)
  require("iamsh.errors").usage(fmt, ...)
end

return errors
