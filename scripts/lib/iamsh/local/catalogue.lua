-- iamsh.local.catalogue: AWS's managed policies (names, paths, default versions,
-- dates, documents), from aws_managed_policies.tsv beside this file (made by
-- tools/gen_aws_managed_policies.py from the catalogue moto ships). Its lines are
-- sorted by name, so a policy is found by a binary search of the file itself: a
-- couple of dozen reads of a few kilobytes, where reading the 2.9 MB file whole
-- cost 9 ms of a process's CPU (its pages, twice over) and splitting all 1,400
-- lines 30 ms. The file stays open (a catalogue replaced while a server runs is
-- read as it was); each entry is split when first needed, and the whole file is
-- read only to list every name.
local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
M.file = here .. "/aws_managed_policies.tsv"

local CHUNK = 1024 -- a line is 2 KB on average
local NAME_MAX = 256 -- a policy's name is 128 bytes at most

local fh -- the file, once opened
local size -- its size
local first -- the offset of the first policy's line (past the comments)
local entries = {} -- name -> the parsed entry (false: not in the catalogue)
local names -- sorted, once listed

local function open()
  if not fh then
    local f = assert(io.open(M.file, "rb"))
    size = f:seek("end")
    f:seek("set", 0)
    first = 0
    for line in f:lines() do -- the comments: a few short lines
      if line:byte(1) ~= 35 then -- "#"
        break
      end
      first = f:seek()
    end
    fh = f
  end
end

-- Whether a sorts before b byte by byte, as the generator's sort (Python's, by
-- code point) put the lines: Lua's < follows the locale's collation.
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

-- The offset of the first line that starts at or after offset pos, or nil.
local function line_at(pos)
  if pos <= first then
    return first
  end
  local at = pos - 1
  fh:seek("set", at)
  while true do
    local chunk = fh:read(CHUNK)
    if not chunk then
      return nil
    end
    local nl = chunk:find("\n", 1, true)
    if nl then
      return at + nl < size and at + nl or nil
    end
    at = at + #chunk
  end
end

-- The name on the line at offset at.
local function name_at(at)
  fh:seek("set", at)
  local head = fh:read(NAME_MAX) or ""
  return head:sub(1, (head:find("[\t\n]") or #head + 1) - 1)
end

-- The line starting at offset at, without its newline (read a block at a time:
-- read("l") takes a character at a time, and documents run to 140 KB).
local function line_from(at)
  fh:seek("set", at)
  local parts = {}
  repeat
    local block = fh:read(16 * CHUNK)
    local nl = block and block:find("\n", 1, true)
    parts[#parts + 1] = nl and block:sub(1, nl - 1) or block
  until not block or nl
  return table.concat(parts)
end

-- The line of name, or nil: a binary search over the offsets where lines may start.
local function line_of(name)
  if name == "" or name:find("[\t\n]") then
    return nil
  end
  open()
  local lo, hi = first, size -- name's line, if any, starts in [lo, hi)
  while lo < hi do
    local mid = (lo + hi) // 2
    local at = line_at(mid)
    if not at or at >= hi then
      hi = mid -- no line starts in [mid, hi)
    else
      local n = name_at(at)
      if n == name then
        return line_from(at)
      elseif before(n, name) then
        lo = at + 1
      else
        hi = mid -- no line starts in [mid, at) either
      end
    end
  end
  return nil
end

-- A policy id for an AWS managed policy: ANPA and 17 characters derived from
-- its name (IAM's are fixed too; the catalogue does not carry them).
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
local function policy_id(name)
  local h, out = 0xcbf29ce484222325, {}
  for i = 1, 17 do
    local b = { (name .. i):byte(1, -1) }
    for k = 1, #b do
      h = ((h ~ b[k]) * 0x100000001b3) & 0x7fffffffffffffff
    end
    local x = h % 32 + 1
    out[i] = ALPHABET:sub(x, x)
  end
  return "ANPA" .. table.concat(out)
end

-- An entry's id is made when it is first read: attaching a policy never reads it,
-- and it costs more than finding the policy.
local ENTRY = { __index = function(e, k)
  if k == "id" then
    rawset(e, "id", policy_id(e.name))
    return e.id
  end
end }

local function entry(name)
  if entries[name] == nil then
    local e = line_of(name)
    if e then
      local f, at = {}, 1 -- five fields, then the document (plain finds: a pattern would
      for i = 1, 5 do -- look at each of its characters, up to 140 KB)
        local tab = e:find("\t", at, true) or #e + 1
        f[i], at = e:sub(at, tab - 1), tab + 1
      end
      e = setmetatable({ name = f[1], path = f[2], version = f[3], created = f[4], updated = f[5],
        document = e:sub(at) }, ENTRY)
    end
    entries[name] = e or false
  end
  return entries[name] or nil
end

-- The entry {name, path, version, created, updated, document, id} of an AWS
-- managed policy by name, or nil.
M.get = entry

-- The entry an ARN (arn:PARTITION:iam::aws:policy/PATH/NAME) names, or nil:
-- the path must be the policy's.
function M.by_arn(a)
  local path, name = (a or ""):match("^arn:[%w%-]+:iam::aws:policy(/.-)([^/]+)$")
  local e = name and entry(name)
  if e and e.path == path then
    return e
  end
  return nil
end

function M.arn(e, partition)
  return string.format("arn:%s:iam::aws:policy%s%s", partition, e.path, e.name)
end

-- Every name, sorted.
function M.names()
  if not names then
    open()
    fh:seek("set", 0)
    local text = fh:read(size) or ""
    names = {}
    for name in text:gmatch("\n([^#\t\n][^\t\n]*)\t") do
      names[#names + 1] = name
    end
    table.sort(names)
  end
  return names
end

return M
