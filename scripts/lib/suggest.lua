-- "Did you mean ...?" for names a person typed: definition keys, policy
-- elements, configure{} options. Pure; shared by `policy` and `provision` so
-- that neither reaches into the other.
--
--   suggest.hint("manged", {"managed", "inline"})  --> " (did you mean 'managed'?)"

local suggest = {}

-- Optimal string alignment distance (Levenshtein plus adjacent swaps, since
-- "tarnsform" is one slip of the fingers, not two).
local function distance(a, b)
  local prev2, prev, cur = nil, {}, nil
  for j = 0, #b do
    prev[j] = j
  end
  for i = 1, #a do
    cur = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if prev2 and i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        cur[j] = math.min(cur[j], prev2[j - 2] + 1)
      end
    end
    prev2, prev = prev, cur
  end
  return prev[#b]
end
suggest.distance = distance

-- The candidate closest to word (case-insensitive), or nil when none is
-- close enough to be a likely slip: at most 2 edits, and fewer than half of
-- the word's letters.
function suggest.closest(word, candidates)
  local w = tostring(word):lower()
  local best, best_d
  for _, c in ipairs(candidates) do
    local d = distance(w, c:lower())
    if (best_d == nil or d < best_d or (d == best_d and c < best)) and d <= 2 and d * 2 < math.max(#w, #c) then
      best, best_d = c, d
    end
  end
  return best
end

-- " (did you mean 'x'?)", else " (known: a, b, c)", for an error message.
function suggest.hint(word, candidates)
  local c = suggest.closest(word, candidates)
  if c then
    return string.format(" (did you mean '%s'?)", c)
  end
  local sorted = { table.unpack(candidates) }
  table.sort(sorted)
  return string.format(" (known: %s)", table.concat(sorted, ", "))
end

return suggest
