-- Tags of any taggable entity (roles, users, managed policies, instance
-- profiles, OIDC providers): the changes that bring the current tags to the
-- wanted ones, shown as old -> new, and the tags the definition does not list.

local policy = require("policy")
local sorted_keys = require("iamsh.tables").sorted_keys

local tags = {}

-- AWS's list of {Key=, Value=} as a map.
function tags.map(list)
  local map = {}
  for _, t in ipairs(list or {}) do
    map[t.Key] = t.Value or ""
  end
  return map
end

-- A map as AWS's list, sorted by key (the same request every run).
function tags.list(map)
  local list = {}
  for _, k in ipairs(sorted_keys(map or {})) do
    list[#list + 1] = { Key = k, Value = map[k] }
  end
  return list
end

-- t: what ("role R"), key (list: the entity's identity), current (map),
-- want (map, or nil: no tags wanted), exclusive, keep (set of keys never
-- removed, e.g. the marker), tag(list) and untag(keys) doing the calls.
-- Returns the changes and the sorted keys of tags the definition does not list.
function tags.changes(t)
  local want, changes, set, detail = t.want or {}, {}, {}, {}
  for _, k in ipairs(sorted_keys(want)) do
    local old = t.current[k]
    if old ~= want[k] then
      set[k] = want[k]
      detail[#detail + 1] = old == nil and string.format("    + %s: %s", k, policy.json(want[k]))
        or string.format("    ~ %s: %s -> %s", k, policy.json(old), policy.json(want[k]))
    end
  end
  if next(set) then
    changes[#changes + 1] = { kind = "change", text = "tag " .. t.what, detail = detail,
      key = { "tag", table.unpack(t.key) }, run = function() t.tag(tags.list(set)) end }
  end
  local extra, gone = {}, {}
  for _, k in ipairs(sorted_keys(t.current)) do
    if want[k] == nil and not (t.keep and t.keep[k]) then
      extra[#extra + 1] = k
      gone[#gone + 1] = string.format("    - %s: %s", k, policy.json(t.current[k]))
    end
  end
  if t.exclusive and #extra > 0 then
    changes[#changes + 1] = { kind = "change", text = "untag " .. t.what, detail = gone,
      key = { "untag", table.unpack(t.key) }, run = function() t.untag(extra) end }
  end
  return changes, extra
end

return tags
