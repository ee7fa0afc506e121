-- iamsh.pp.render: the engine under iamsh.pp: options, secrets, and rendering a
-- value as Lua-like text (pp.format), for iamsh.pp and its column tables.
--
-- Tables print indented with sorted keys and on one line when they fit; long
-- lists are cut with a count, long strings cut to the width. Secrets print as
-- <redacted>: values under a secret key (the model's sensitive members,
-- SessionToken, password, ...) and strings an AWS result carried at a sensitive
-- shape (aws.is_secret), unless revealed. A table whose metatable has
-- __pp(self, opts) -> string is a view and prints as that text.
local iamsh = require "iamsh"
local text = require "iamsh.pp.text"

local M = {}

local OPTION_TYPES = {
  width = "integer", max_items = "integer", max_rows = "integer", depth = "integer",
  reveal = "boolean",
}
local OPTION_MIN = { width = 10, max_items = 1, max_rows = 1, depth = 1 }
local DEFAULTS = { max_items = 50, max_rows = 50, depth = 10 }

-- The options table given to fname, checked, with the defaults filled in.
local function options(fname, opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("%s: opts must be a table, got %s", fname, type(opts)), 3)
  end
  local o = {}
  for k, v in pairs(opts or {}) do
    local want = OPTION_TYPES[k]
    if not want then
      error(string.format("%s: unknown option '%s' (options: depth, max_items, max_rows, "
        .. "reveal, width)", fname, tostring(k)), 3)
    end
    local ok
    if want == "boolean" then ok = type(v) == "boolean" else ok = math.type(v) == "integer" end
    if not ok or (OPTION_MIN[k] and v < OPTION_MIN[k]) then
      error(string.format("%s: opts.%s must be %s", fname, k, want == "boolean" and "a boolean"
        or "an integer >= " .. OPTION_MIN[k]), 3)
    end
    o[k] = v
  end
  for k, v in pairs(DEFAULTS) do
    if o[k] == nil then o[k] = v end
  end
  o.width = o.width or iamsh.term_width()
  o.reveal = o.reveal == true
  return o
end
M.options = options

-- --- secrets ---

local secret_names -- loose name -> true, from the model (loaded with the first record)

local function loose(name)
  return (name:lower():gsub("[_%-]", ""))
end

-- A key naming a secret: the model's sensitive members and the usual spellings
-- (aws.model.sensitive_names), ignoring case, '_' and '-'. Loads aws once.
local function is_secret_key(k)
  if type(k) ~= "string" then return false end
  if not secret_names then
    local names = {}
    for _, n in ipairs(require("aws").model.sensitive_names()) do names[loose(n)] = true end
    secret_names = names
  end
  return secret_names[loose(k)] == true
end

-- The aws module when it is loaded. Not loaded: no call was made, so there is no
-- secret, error object or null to recognise, and a plain value never loads it.
local function loaded_aws()
  local aws = package.loaded.aws
  return type(aws) == "table" and aws or nil
end

-- aws[check](v) when aws is loaded, else false.
local function ask_aws(check, v)
  local aws = loaded_aws()
  return aws ~= nil and aws[check](v)
end

local function is_secret_value(s)
  return ask_aws("is_secret", s)
end

local function is_null(v)
  local aws = loaded_aws()
  return type(v) == "userdata" and aws ~= nil and v == aws.json.null
end

-- v, under key k, prints as <redacted>: booleans and nulls say nothing secret.
local function hidden(k, v, st)
  if st.reveal then return false end
  local t = type(v)
  if t == "string" and is_secret_value(v) then return true end
  return t ~= "boolean" and t ~= "nil" and not is_null(v) and is_secret_key(k)
end

-- --- what a value is ---

local function metatable(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt or nil
end

local function is_error(v)
  return ask_aws("is_error", v)
end

local function view_of(v)
  local mt = metatable(v)
  return mt and type(mt.__pp) == "function" and mt.__pp or nil
end

-- The entries of t in print order: 1..n of the sequence (or of an array marked by
-- aws.json.array), then other numbers ascending, strings sorted, the rest by type.
local function entries(t)
  local mt = metatable(t)
  local n = 0
  if mt and mt.__jsontype == "array" then
    n = rawlen(t)
  else
    while rawget(t, n + 1) ~= nil do n = n + 1 end
  end
  local keys = {}
  for i = 1, n do keys[i] = i end
  local rest = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then rest[#rest + 1] = k end
  end
  local rank = { number = 1, string = 2 }
  table.sort(rest, function(a, b)
    local ra, rb = rank[type(a)] or 3, rank[type(b)] or 3
    if ra ~= rb then return ra < rb end
    if ra < 3 then return a < b end
    return type(a) .. tostring(a) < type(b) .. tostring(b)
  end)
  table.move(rest, 1, #rest, n + 1, keys)
  return keys, n
end

-- --- rendering ---

local render, inline

local LUA_KEYWORDS = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do LUA_KEYWORDS[w] = true end

local function key_text(k, st)
  if type(k) == "string" then
    if not st.reveal and is_secret_value(k) then return "[<redacted>]" end
    if k:match("^[%a_][%w_]*$") and not LUA_KEYWORDS[k] then return k end
  end
  return "[" .. (inline(k, st, 60, st.depth) or "{...}") .. "]"
end

local function scalar(v, st)
  local t = type(v)
  if t == "string" then
    return (not st.reveal and is_secret_value(v)) and "<redacted>" or text.quote(v)
  elseif t == "number" or t == "boolean" or t == "nil" then
    return tostring(v)
  elseif is_null(v) then
    return "null"
  end
  return "<" .. t .. ">"
end

-- The options a view's __pp gets: the printer's, with what is left of the width
-- and the depth.
local function view_opts(st, width, level)
  return { width = math.max(10, width), max_items = st.max_items, max_rows = st.max_rows,
    depth = math.max(1, st.depth - level), reveal = st.reveal }
end

local function view_text(v, st, width, level)
  local s = view_of(v)(v, view_opts(st, width, level))
  if type(s) ~= "string" then
    error("pp: a view's __pp must return a string, got " .. type(s), 0)
  end
  return s
end

-- Special tables: errors by their one line, views, cycles, the depth cap. nil
-- for an ordinary table.
local function special(v, st, width, level)
  if is_error(v) then return tostring(v) end
  if st.path[v] then return "<cycle>" end
  if level >= st.depth then return next(v) == nil and "{}" or "{...}" end
  if view_of(v) then return view_text(v, st, width, level) end
end

-- v on one line in at most budget columns, or nil. Strings are not cut here.
function inline(v, st, budget, level)
  if type(v) ~= "table" then
    if type(v) == "userdata" and view_of(v) then return special(v, st, budget, level) end
    return scalar(v, st)
  end
  local s = special(v, st, budget, level)
  if s then return not s:find("\n", 1, true) and s or nil end
  local keys, nseq = entries(v)
  if #keys == 0 then return "{}" end
  if #keys > st.max_items then return nil end
  st.path[v] = true
  local parts, used = {}, 2
  for i, k in ipairs(keys) do
    local val = rawget(v, k)
    local key = i <= nseq and "" or key_text(k, st) .. " = "
    local item = hidden(k, val, st) and "<redacted>" or inline(val, st, budget - used, level + 1)
    if not item then break end
    parts[i] = key .. item
    used = used + text.width(parts[i]) + 2
    if used > budget then break end
  end
  st.path[v] = nil
  return #parts == #keys and used <= budget and "{ " .. table.concat(parts, ", ") .. " }" or nil
end

-- A multi-line view (tabulate) under a key starts on a line of its own.
local function place_block(s, lead, at_line_start)
  if not s:find("\n", 1, true) then return s end
  if at_line_start then return (s:gsub("\n", "\n" .. lead)) end
  local deeper = lead .. "  "
  return "\n" .. deeper .. s:gsub("\n", "\n" .. deeper)
end

local function entry_line(t, k, is_seq, st, level, last)
  local lead = string.rep("  ", level + 1)
  local key = is_seq and "" or key_text(k, st) .. " = "
  local val = rawget(t, k)
  local col = #lead + text.width(key) + (last and 0 or 1)
  local body = hidden(k, val, st) and "<redacted>" or render(val, st, level + 1, col, key == "")
  if body:sub(1, 1) == "\n" then key = key:gsub(" $", "") end
  return lead .. key .. body .. (last and "" or ",")
end

local function block(t, st, level)
  local keys, nseq = entries(t)
  local shown = math.min(#keys, st.max_items)
  local lines = { "{" }
  st.path[t] = true
  for i = 1, shown do
    lines[#lines + 1] = entry_line(t, keys[i], i <= nseq, st, level, i == #keys)
  end
  st.path[t] = nil
  if shown < #keys then
    lines[#lines + 1] = string.format("%s... %d more", string.rep("  ", level + 1), #keys - shown)
  end
  lines[#lines + 1] = string.rep("  ", level) .. "}"
  return table.concat(lines, "\n")
end

-- v as text starting at column col of a line indented `level` deep.
function render(v, st, level, col, at_line_start)
  local budget = st.width - col
  if type(v) == "string" and (st.reveal or not is_secret_value(v)) then
    return text.quote(v, budget)
  end
  if type(v) ~= "table" and not (type(v) == "userdata" and view_of(v)) then
    return scalar(v, st)
  end
  local s = special(v, st, st.width - #string.rep("  ", level), level)
  if s then return place_block(s, string.rep("  ", level), at_line_start) end
  return inline(v, st, budget, level) or block(v, st, level)
end


-- v as text (st: checked options, from M.options).
function M.format(v, st)
  st.path = {}
  return render(v, st, 0, 0, true)
end

M.hidden, M.inline, M.scalar, M.is_error, M.view_of = hidden, inline, scalar, is_error, view_of

return M
