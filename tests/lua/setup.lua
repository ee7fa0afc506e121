-- Make the library and the test helpers loadable under `iamsh run tests/lua/test_x.lua`
-- (ctest runs them so). Each test starts with:
--   local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
--   package.path = dir .. "/?.lua;" .. package.path
--   require("setup")
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local lib = dir .. "/../../scripts/lib"
package.path = table.concat({ dir .. "/?.lua", lib .. "/?.lua", lib .. "/?/init.lua", package.path }, ";")
assert(pcall(require, "iamsh"), "run the Lua tests with iamsh: iamsh run " .. dir .. "/test_x.lua")
return { dir = dir }
