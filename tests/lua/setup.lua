-- Make the library and the test helpers loadable, with plain lua5.4 or with
-- `iamsh run tests/lua/test_x.lua`. Each test starts with:
--   local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
--   package.path = dir .. "/?.lua;" .. package.path
--   require("setup")
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
local lib = dir .. "/../../scripts/lib"
package.path = table.concat({ dir .. "/?.lua", lib .. "/?.lua", lib .. "/?/init.lua", package.path }, ";")
if not pcall(require, "iamsh") then
  package.loaded.iamsh = nil
  package.path = dir .. "/standin/?.lua;" .. package.path
end
if not pcall(require, "iamsh.fs") then
  package.loaded["iamsh.fs"] = nil
  package.path = dir .. "/standin/?.lua;" .. package.path
end
return { dir = dir }
