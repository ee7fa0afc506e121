-- iamsh.inspect.view: what show.role/user/policy return. A view is the data
-- they gathered, as plain fields a script can read, with a metatable that
-- prints it: __pp(self, opts) for the REPL's printer (opts.width is the
-- terminal's), __tostring for print() in scripts; the same text both ways.
local render = require("iamsh.inspect.render")

local M = {}

local metatables = {}

local function metatable(kind)
  local mt = metatables[kind]
  if not mt then
    local text = render[kind]
    mt = {
      __name = "iamsh.view." .. kind,
      __pp = function(self, opts) return text(self, opts) end,
      __tostring = function(self) return text(self) end,
    }
    metatables[kind] = mt
  end
  return mt
end

-- data as a view of kind ("role", "user" or "policy"); returns data.
function M.new(kind, data)
  assert(render[kind], "no view of kind " .. tostring(kind))
  return setmetatable(data, metatable(kind))
end

return M
