-- iamsh.pp.columns: lists of records as column tables (pp.tabulate, and the REPL
-- printing a bare list of records): which columns to show, and the table itself,
-- sized to its content and shrunk to the width.
local render = require "iamsh.pp.render"
local text = require "iamsh.pp.text"

local M = {}

local SEP = "  "      -- between columns
local MIN_COL = 5     -- a shrunk column keeps at least this many columns (or its own width)
local CELL_BUDGET = 200

-- n when t is a list (keys 1..n only, n may be 0), else nil.
function M.list_length(t)
  local n = 0
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local count = 0
  for _ in next, t do count = count + 1 end
  return count == n and n or nil
end

local function is_scalar(v)
  local t = type(v)
  return t == "string" or t == "number" or t == "boolean"
end

-- A record: a plain table with string keys (not a list, a view or an error).
local function is_record(v)
  return type(v) == "table" and rawget(v, 1) == nil and next(v) ~= nil
    and not render.view_of(v) and not render.is_error(v)
end

-- How a column ranks: identifying names first, then ids, ARNs, dates, the rest.
local function rank(key, sample)
  if key:match("Name$") then return 1 end
  if key:match("Id$") then return 2 end
  if key:match("Arn$") then return 3 end
  if key:match("Date$") or key:match("Time$") or key:match("Timestamp$") then return 4 end
  if type(sample) == "string" and sample:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:") then return 4 end
  return 5
end

-- One cell: blank when missing, strings bare (escaped to one line), tables on one line.
local function cell(row, key, st)
  local v = rawget(row, key)
  if v == nil then return "" end
  if render.hidden(key, v, st) then return "<redacted>" end
  if type(v) == "string" then return text.escape(v) end
  if type(v) == "table" or type(v) == "userdata" then
    return render.inline(v, st, CELL_BUDGET, 1) or "{...}"
  end
  return render.scalar(v, st)
end

-- The scalar keys held by at least half the rows, or nil when rows is not a list
-- of records or a row holds none of them.
local function common_keys(list, n)
  local count, sample = {}, {}
  for i = 1, n do
    local row = rawget(list, i)
    if not is_record(row) then return nil end
    for k, v in next, row do
      if type(k) == "string" and is_scalar(v) then
        count[k], sample[k] = (count[k] or 0) + 1, sample[k] or v
      end
    end
  end
  local keys = {}
  for k, c in pairs(count) do
    if c * 2 >= n then keys[#keys + 1] = k end
  end
  for i = 1, n do
    local has = false
    for _, k in ipairs(keys) do has = has or rawget(rawget(list, i), k) ~= nil end
    if not has then return nil end
  end
  return keys, sample
end

-- A column's natural width over the rows shown.
local function natural_width(list, key, st, shown)
  local w = text.width(tostring(key))
  for i = 1, shown do
    w = math.max(w, text.width(cell(rawget(list, i), key, st)))
  end
  return w
end

-- columns(list, st) -> names | nil: whether list is a list of records and which of
-- their common scalar keys fit the width, best first.
-- The columns a list asks for itself: its metatable's __columns (a list of
-- field names, e.g. stale's records), those that some record has, in that order.
local function preferred(list, n)
  local mt = getmetatable(list)
  local want = type(mt) == "table" and rawget(mt, "__columns")
  if type(want) ~= "table" then return nil end
  local keys = {}
  for _, k in ipairs(want) do
    for i = 1, n do
      if rawget(rawget(list, i), k) ~= nil then
        keys[#keys + 1] = k
        break
      end
    end
  end
  return keys
end

function M.columns(list, st)
  if type(list) ~= "table" or render.view_of(list) or render.is_error(list) then return nil end
  local n = M.list_length(list)
  if not n or n == 0 then return nil end
  local keys, sample = common_keys(list, n)
  if not keys or #keys == 0 then return nil end
  local own = preferred(list, n)
  if own and #own > 0 then
    keys = own
  else
    table.sort(keys, function(a, b)
      local ra, rb = rank(a, sample[a]), rank(b, sample[b])
      if ra ~= rb then return ra < rb end
      if #a ~= #b then return #a < #b end
      return a < b
    end)
  end
  st.path = st.path or {}
  local shown, cols, used = math.min(n, st.max_rows), {}, -#SEP
  for _, k in ipairs(keys) do
    local w = natural_width(list, k, st, shown)
    if #cols == 0 or used + #SEP + w <= st.width then
      cols[#cols + 1], used = k, used + #SEP + w
    end
  end
  return cols
end

-- Column widths that fit width: the widest columns are capped at one width c, the
-- largest that fits; what is left over goes to the capped ones, left first.
local function fit(natural, width)
  local n, sum = #natural, #SEP * (#natural - 1)
  local function total(c)
    local s = sum
    for j = 1, n do s = s + math.min(natural[j], math.max(c, MIN_COL)) end
    return s
  end
  if total(math.huge) <= width then return natural end
  local lo, hi = 1, 1
  for j = 1, n do hi = math.max(hi, natural[j]) end
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if total(mid) <= width then lo = mid else hi = mid - 1 end
  end
  local widths, spare = {}, width - total(lo)
  for j = 1, n do
    widths[j] = math.min(natural[j], math.max(lo, MIN_COL))
    if spare > 0 and widths[j] < natural[j] then
      widths[j], spare = widths[j] + 1, spare - 1
    end
  end
  return widths
end

local function line(cells, widths, right)
  local out = {}
  for j, c in ipairs(cells) do
    out[j] = text.pad(text.cut(c, widths[j]), widths[j], right[j])
  end
  return (table.concat(out, SEP):gsub("%s+$", ""))
end

-- The cells of the rows shown, and which columns hold only numbers.
local function grid(rows, cols, st, shown)
  local cells, numeric = {}, {}
  for j = 1, #cols do numeric[j] = true end
  for i = 1, shown do
    local row, r = rawget(rows, i), {}
    for j, key in ipairs(cols) do
      r[j] = cell(row, key, st)
      local v = rawget(row, key)
      if v ~= nil and (type(v) ~= "number" or r[j] == "<redacted>") then numeric[j] = false end
    end
    cells[i] = r
  end
  return cells, numeric
end

-- The table: header, a rule, the rows (at most st.max_rows), "... N more rows".
function M.render(rows, cols, st)
  local n = M.list_length(rows)
  st.path = st.path or {}
  if #cols == 0 then return n == 0 and "(no rows)" or "(no columns)" end
  local shown = math.min(n, st.max_rows)
  local cells, numeric = grid(rows, cols, st, shown)
  local header, natural = {}, {}
  for j, key in ipairs(cols) do
    header[j] = tostring(key)
    natural[j] = text.width(header[j])
    for i = 1, shown do natural[j] = math.max(natural[j], text.width(cells[i][j])) end
  end
  local widths = fit(natural, st.width)
  local rule = {}
  for j, w in ipairs(widths) do rule[j] = string.rep("-", w) end
  local lines = { line(header, widths, numeric), table.concat(rule, SEP) }
  for i = 1, shown do lines[#lines + 1] = line(cells[i], widths, numeric) end
  if n == 0 then lines[#lines + 1] = "(no rows)" end
  if shown < n then
    lines[#lines + 1] = string.format("... %d more row%s", n - shown, n - shown == 1 and "" or "s")
  end
  return table.concat(lines, "\n")
end

-- Every key of the rows, for a table whose columns were not given and that is not
-- a list of records (numbers first, then strings, sorted).
function M.all_keys(rows, n)
  local seen, keys = {}, {}
  for i = 1, n do
    for k in next, rawget(rows, i) do
      if not seen[k] and (type(k) == "string" or math.type(k) == "integer") then
        seen[k], keys[#keys + 1] = true, k
      end
    end
  end
  table.sort(keys, function(a, b)
    if type(a) ~= type(b) then return type(a) == "number" end
    return a < b
  end)
  return keys
end

return M
