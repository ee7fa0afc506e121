-- iamsh.local.catalogue: AWS's managed policies (names, paths, default versions,
-- dates, documents), read on first use from aws_managed_policies.tsv beside this
-- file (made by tools/gen_aws_managed_policies.py from the catalogue moto ships).
-- The file is read once, and a policy found by its name in the text (a plain
-- search: about a millisecond, where splitting all 1,400 lines took 30); each
-- entry is split when first needed, and every name listed only for a listing.
local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
M.file = here .. "/aws_managed_policies.tsv"

local text -- the file (it starts with a comment: every policy's line follows a newline)
local entries = {} -- name -> the parsed entry (false: not in the catalogue)
local names -- sorted, once listed

local function load()
  if not text then
    local f = assert(io.open(M.file, "rb"))
    local size = f:seek("end") -- one read of the whole size: read("a") grows a buffer by copies
    f:seek("set")
    text = f:read(size) or ""
    f:close()
  end
  return text
end

-- The line of name, or nil.
local function line_of(name)
  if name == "" or name:find("[\t\n]") then
    return nil
  end
  local t = load()
  local at = t:find("\n" .. name .. "\t", 1, true)
  return at and t:match("^[^\n]*", at + 1)
end

-- A policy id for an AWS managed policy: ANPA and 17 characters derived from
-- its name (IAM's are fixed too; the catalogue does not carry them).
local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
local function policy_id(name)
  local h, out = 0xcbf29ce484222325, {}
  for i = 1, 17 do
    for c in (name .. i):gmatch(".") do
      h = ((h ~ c:byte()) * 0x100000001b3) & 0x7fffffffffffffff
    end
    local x = h % 32 + 1
    out[i] = ALPHABET:sub(x, x)
  end
  return "ANPA" .. table.concat(out)
end

local function entry(name)
  if entries[name] == nil then
    local e = line_of(name)
    if e then
      local n, path, version, created, updated, doc = e:match(
        "^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      e = { name = n, path = path, version = version, created = created, updated = updated, document = doc,
        id = policy_id(n) }
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
