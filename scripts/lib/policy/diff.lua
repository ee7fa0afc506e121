-- What changes between two policy documents, statement by statement and key
-- by key, as Terraform shows a JSON policy diff (private to `policy`).
--
--   ~ Statement 1
--       ~ Principal.Service: "ec2.amazonaws.com" -> "sagemaker.amazonaws.com"
--   + Statement "ReadLogs": {"Action":"logs:Get*","Effect":"Allow","Resource":"*"}
--
-- Statements that are equal (canonically) are left out; the others are paired
-- by Sid, then by likeness; what stays unpaired was added or removed.

local canon = require("policy.canon")

local diff = {}

local INDENT = "    "

local function folded(st)
  return canon.json(canon.statement(st, true))
end

-- How alike two statements are: the number of elements with equal values.
local function likeness(a, b)
  local fa, fb = canon.statement(a, true), canon.statement(b, true)
  local n = 0
  for k, v in pairs(fa) do
    if fb[k] ~= nil and canon.json(v) == canon.json(fb[k]) then
      n = n + 1
    end
  end
  return n
end

local function label(st, i)
  if type(st) == "table" and type(st.Sid) == "string" and st.Sid ~= "" then
    return string.format("Statement %s", canon.json(st.Sid))
  end
  return "Statement " .. i
end

-- Items of a set in a but not in b (compared by key).
local function minus(a, b, key)
  local in_b, out = {}, {}
  for _, v in ipairs(b) do
    in_b[key(v)] = true
  end
  for _, v in ipairs(a) do
    if not in_b[key(v)] then
      out[#out + 1] = v
    end
  end
  return out
end

local function same(v)
  return v
end

local function lower(v)
  return v:lower()
end

local value

local function set_change(out, depth, path, a, b, key)
  local removed, added = minus(a, b, key), minus(b, a, key)
  local pad = INDENT:rep(depth)
  if #removed == 1 and #added == 1 then
    out[#out + 1] = string.format("%s~ %s: %s -> %s", pad, path, canon.json(removed[1]), canon.json(added[1]))
    return
  end
  if #removed + #added == 0 then
    return
  end
  out[#out + 1] = pad .. "~ " .. path
  for _, v in ipairs(removed) do
    out[#out + 1] = pad .. INDENT .. "- " .. canon.json(v)
  end
  for _, v in ipairs(added) do
    out[#out + 1] = pad .. INDENT .. "+ " .. canon.json(v)
  end
end

local function sorted_union(a, b)
  local seen, keys = {}, {}
  for _, t in ipairs({ a, b }) do
    for k in pairs(t) do
      if not seen[k] then
        seen[k] = true
        keys[#keys + 1] = tostring(k)
      end
    end
  end
  table.sort(keys)
  return keys
end

-- raw_a, raw_b (optional): the maps as written, to show a key added or
-- removed as a person wrote it rather than in canonical form.
local function map_change(out, depth, path, a, b, raw_a, raw_b)
  local pad = INDENT:rep(depth)
  for _, k in ipairs(sorted_union(a, b)) do
    local sub = path == "" and k or (path .. "." .. k)
    if a[k] == nil then
      out[#out + 1] = string.format("%s+ %s: %s", pad, sub, canon.json((raw_b or b)[k]))
    elseif b[k] == nil then
      out[#out + 1] = string.format("%s- %s: %s", pad, sub, canon.json((raw_a or a)[k]))
    else
      value(out, depth, sub, a[k], b[k], canon.SET_KEYS[k] == "lower" and lower or same)
    end
  end
end

-- The change from a to b (display forms) at path, appended to out.
function value(out, depth, path, a, b, key)
  key = key or same
  local ta, tb = type(a) == "table", type(b) == "table"
  if ta and tb and canon.is_array(a) and canon.is_array(b) then
    return set_change(out, depth, path, a, b, key)
  end
  if ta and tb and not canon.is_array(a) and not canon.is_array(b) then
    return map_change(out, depth, path, a, b)
  end
  if canon.json(a) ~= canon.json(b) then
    out[#out + 1] = string.format("%s~ %s: %s -> %s", INDENT:rep(depth), path, canon.json(a), canon.json(b))
  end
end

-- The statements of list that other lacks (as a multiset), with positions.
local function leftovers(list, other)
  local count = {}
  for _, st in ipairs(other) do
    local k = folded(st)
    count[k] = (count[k] or 0) + 1
  end
  local left = {}
  for i, st in ipairs(list) do
    local k = folded(st)
    if (count[k] or 0) > 0 then
      count[k] = count[k] - 1
    else
      left[#left + 1] = { st = st, i = i }
    end
  end
  return left
end

-- Pair each new statement with the old one of the same Sid, else the most
-- alike (sharing at least one element's value).
local function pairs_of(old_left, new_left)
  local taken, result = {}, {}
  for _, n in ipairs(new_left) do
    local best, best_score = nil, 0
    for j, o in ipairs(old_left) do
      if not taken[j] then
        local sid = type(n.st) == "table" and type(o.st) == "table" and n.st.Sid ~= nil and n.st.Sid == o.st.Sid
        local score = sid and math.huge or likeness(o.st, n.st)
        if score > best_score then
          best, best_score = j, score
        end
      end
    end
    if best then
      taken[best] = true
    end
    result[#result + 1] = { new = n, old = best and old_left[best] or nil }
  end
  local removed = {}
  for j, o in ipairs(old_left) do
    if not taken[j] then
      removed[#removed + 1] = o
    end
  end
  return result, removed
end

local function statement_change(out, p)
  local a, b = canon.statement(p.old.st, false), canon.statement(p.new.st, false)
  local lines = {}
  map_change(lines, 2, "", a, b, p.old.st, p.new.st)
  out[#out + 1] = INDENT .. "~ " .. label(p.new.st, p.new.i)
  table.move(lines, 1, #lines, #out + 1, out)
end

-- The lines showing how document old becomes new (both decoded tables),
-- indented for printing under a plan line. Empty when they are equal.
function diff.lines(old, new)
  local out = {}
  local top_a, top_b = {}, {}
  for k, v in pairs(old) do
    if k ~= "Statement" then top_a[k] = v end
  end
  for k, v in pairs(new) do
    if k ~= "Statement" then top_b[k] = v end
  end
  map_change(out, 1, "", top_a, top_b)
  local old_list, new_list = canon.statement_list(old), canon.statement_list(new)
  local old_left, new_left = leftovers(old_list, new_list), leftovers(new_list, old_list)
  local paired, removed = pairs_of(old_left, new_left)
  for _, p in ipairs(paired) do
    if p.old then
      statement_change(out, p)
    else
      out[#out + 1] = string.format("%s+ %s: %s", INDENT, label(p.new.st, p.new.i), canon.json(p.new.st))
    end
  end
  for _, o in ipairs(removed) do
    out[#out + 1] = string.format("%s- %s: %s", INDENT, label(o.st, o.i), canon.json(o.st))
  end
  return out
end

return diff
