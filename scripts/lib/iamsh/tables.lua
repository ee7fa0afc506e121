-- iamsh.tables: small table helpers shared by the runner and the library.
local M = {}

-- The keys of t in sorted order (for output that reads the same every run).
function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

-- {v = true} for each v of list (nil: an empty set).
function M.set_of(list)
  local set = {}
  for _, v in ipairs(list or {}) do
    set[v] = true
  end
  return set
end

-- Whether v is a table whose keys are exactly 1..#v (an empty table is one).
function M.is_list(v)
  if type(v) ~= "table" then
    return false
  end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 then
      return false
    end
    n = n + 1
  end
  return n == #v
end

return M
