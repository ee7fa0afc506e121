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

return M
