-- Stand-in for `iamsh.fs` (built into the binary): same functions, done with
-- os.rename and the shell. Test use only; the real one uses O_EXCL and fsync.

local fs = {}

local function shq(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

function fs.read(path)
  local f, err = io.open(path, "rb")
  if not f then
    return nil, err
  end
  local text = f:read("a")
  f:close()
  return text
end

function fs.stat(path)
  local p = io.popen("stat -c '%a %s %F' " .. shq(path) .. " 2>/dev/null")
  local line = p:read("l")
  p:close()
  if not line then
    return nil
  end
  local mode, size, kind = line:match("^(%d+) (%d+) (.*)$")
  local t = kind:match("regular") and "file" or kind == "directory" and "dir" or "other"
  return { mode = tonumber(mode, 8), size = tonumber(size), type = t }
end

function fs.write_atomic(path, content, mode)
  local dir = path:match("^(.*)/[^/]*$") or "."
  local tmp = string.format("%s/.iamsh-tmp-%d-%d", dir, os.time(), math.random(1 << 30))
  local f, err = io.open(tmp, "wb")
  if not f then
    error("write_atomic: " .. tostring(err), 0)
  end
  os.execute(string.format("chmod %o %s", mode or 420, shq(tmp)))
  f:write(content)
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then
    os.remove(tmp)
    error("write_atomic: " .. tostring(rerr), 0)
  end
  return true
end

return fs
