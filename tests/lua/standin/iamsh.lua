-- Stand-in for the `iamsh` module built into the binary, so the Lua tests run
-- with plain lua5.4 too. Put on package.path only when `require "iamsh"` fails.

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."

local iamsh = {
  version = "standin",
  options = { plan = false, quiet = false, debug = false },
  scripts_dir = here .. "/../../../scripts",
}

function iamsh.sleep(seconds)
  os.execute(string.format("sleep %.3f", seconds))
end

function iamsh.clock()
  return os.time()
end

return iamsh
