-- iamsh.local.catalogue: AWS's managed policies (names, paths, default versions,
-- dates, documents), read on first use from aws_managed_policies.tsv beside this
-- file (made by tools/gen_aws_managed_policies.py from the catalogue moto ships).
-- The file is read once, and a policy found by its name with a binary search of
-- the text (its lines are sorted by name: a dozen probes, where a plain search for
-- the name went through a megabyte on average and splitting all 1,400 lines took
-- 30 ms); each entry is split when first needed, and every name listed only for a
-- listing.
local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
M.file = here .. "/aws_managed_policies.tsv"

local text -- the file (it starts with comments: every policy's line follows a newline)
local first -- where the first policy's line starts
local entries = {} -- name -> the parsed entry (false: not in the catalogue)
local names -- sorted, once listed

local function load()
  if not text then
    local f = assert(io.open(M.file, "rb"))
    local size = f:seek("end") -- one read of the whole size: read("a") grows a buffer by copies
    f:seek("set")
    text = f:read(size) or ""
    f:close()
    first = 1
    while text:byte(first) == 35 do -- "#"
      first = (text:find("\n", first, true) or #text) + 1
    end
  end
  return text
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

-- The position of the first line starting at or after i, or nil.
local function line_at(t, i)
  if i == 1 or t:byte(i - 1) == 10 then
    return i
  end
  local nl = t:find("\n", i, true)
  return nl and nl < #t and nl + 1 or nil
end

-- The line of name, or nil: lines start at or after first (past the comments),
-- sorted by name, so a binary search over their positions finds it.
local function line_of(name)
  if name == "" or name:find("[\t\n]") then
    return nil
  end
  local t = load()
  local lo, hi = first, #t + 1 -- name's line, if any, starts in [lo, hi)
  while lo < hi do
    local mid = (lo + hi) // 2
    local at = line_at(t, mid)
    if not at or at >= hi then
      hi = mid -- no line starts in [mid, hi)
    else
      local tab = t:find("\t", at, true) or #t + 1
      local n = t:sub(at, tab - 1)
      if n == name then
        return t:sub(at, (t:find("\n", tab, true) or #t + 1) - 1)
      elseif before(n, name) then
        lo = (t:find("\n", tab, true) or #t) + 1
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
    names = {}
    for name in load():gmatch("\n([^#\t\n][^\t\n]*)\t") do
      names[#names + 1] = name
    end
    table.sort(names)
  end
  return names
end

return M
