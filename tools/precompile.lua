-- precompile.lua - the shipped library as precompiled Lua chunks, so iamsh loads
-- them instead of compiling ~160 KB of source on every run (host/program/searcher.c
-- takes a chunk only when it is at least as new as its source). Run by the build
-- and by the install, with the iamsh being built:
--   iamsh run tools/precompile.lua LIBDIR OUTDIR FILE...
-- FILE is relative to LIBDIR (provision/role.lua) and becomes OUTDIR/provision/role.luac
-- (its folder must exist). A chunk keeps its debug information and its source's
-- name ("@LIBDIR/FILE"), so errors and tracebacks read as from the source. Its first
-- line (a comment, which Lua's loader skips) names the source's size and
-- modification time: iamsh takes the chunk only while the source still has both.
-- Each file is written whole or not at all (iamsh.fs.write_atomic).
local fs = require "iamsh.fs"

local lib, out = arg[1], arg[2]
if not lib or not out or not arg[3] then
  error("usage: iamsh run tools/precompile.lua LIBDIR OUTDIR FILE...", 0)
end
for i = 3, #arg do
  local rel = arg[i]
  assert(rel:match("%.lua$") and not rel:match("^/") and not rel:match("%.%."),
         "precompile: not a relative .lua path: " .. rel)
  local src = lib .. "/" .. rel
  local st = assert(fs.stat(src), "precompile: cannot read " .. src)
  local chunk = assert(loadfile(src, "t"))
  local header = string.format("#iamsh-chunk size=%d mtime=%d.%09d\n", st.size, st.mtime,
                               st.mtime_nsec)
  fs.write_atomic(out .. "/" .. rel .. "c", header .. string.dump(chunk), tonumber("644", 8))
end
