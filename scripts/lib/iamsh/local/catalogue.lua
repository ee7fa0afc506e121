-- iamsh.local.catalogue: AWS's managed policies (names, paths, default versions,
-- dates, documents), read on first use from aws_managed_policies.tsv beside this
-- file (made by tools/gen_aws_managed_policies.py from the catalogue moto ships).
-- The file is read once; each line is split when first needed.
local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
M.file = here .. "/aws_managed_policies.tsv"

local index -- name -> line (the raw text), then the parsed entry
local names -- sorted

local function load()
  if index then
    return
  end
  local f = assert(io.open(M.file, "rb"))
  local text = f:read("a")
  f:close()
  index, names = {}, {}
  for line in text:gmatch("[^\n]+") do
    if line:sub(1, 1) ~= "#" then
      local name = line:match("^[^\t]+")
      index[name] = line
      names[#names + 1] = name
    end
  end
  table.sort(names)
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
  load()
  local e = index[name]
  if type(e) == "string" then
    local n, path, version, created, updated, doc = e:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    e = { name = n, path = path, version = version, created = created, updated = updated, document = doc,
      id = policy_id(n) }
    index[name] = e
  end
  return e
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
  load()
  return names
end

return M
