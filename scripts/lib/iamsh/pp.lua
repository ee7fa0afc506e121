-- iamsh.pp: the pretty printer the REPL shows results with, and `pp`, `tabulate`
-- and `reveal` for scripts (lazy globals). The rendering is iamsh.pp.render; the
-- column tables iamsh.pp.columns.
--
-- Options (every function here takes the same ones): width (columns; default the
-- terminal's), max_items (entries of a table shown before "... N more", 50),
-- max_rows (rows of a column table, 50), depth (10), reveal (show secrets, false).
local render = require "iamsh.pp.render"
local columns = require "iamsh.pp.columns"

local M = {}

local options = render.options

-- pp.format(v, opts) -> string
function M.format(v, opts)
  return render.format(v, options("pp.format", opts))
end

local Reveal = {}

-- pp.reveal(v) -> a view printing v with its secrets shown.
function M.reveal(v)
  if getmetatable(v) == Reveal then return v end
  return setmetatable({ value = v }, Reveal)
end

Reveal.__pp = function(self, opts)
  local o = options("reveal", opts)
  o.reveal = true
  return render.format(self.value, o)
end

-- Views: the printer's options, overridden by the ones the view was made with
-- (reveal is kept when either says so).
local function merged(own, printer)
  local o = {}
  for k, v in pairs(printer or {}) do o[k] = v end
  for k, v in pairs(own or {}) do o[k] = v end
  o.reveal = (own and own.reveal) or (printer and printer.reveal) or nil
  return o
end

-- pp.view(render_fn [, data]) -> a view: a table (data, or a new one) that prints as
-- render_fn(opts), opts checked as pp.format's, width what the printer has left;
-- tostring(view) gives the same text at the terminal's width.
function M.view(render_fn, data)
  if type(render_fn) ~= "function" then
    error("pp.view: render must be a function, got " .. type(render_fn), 2)
  end
  if data ~= nil and (type(data) ~= "table" or getmetatable(data) ~= nil) then
    error("pp.view: data must be a table without a metatable", 2)
  end
  return setmetatable(data or {}, {
    __pp = function(_, opts) return render_fn(options("view", opts)) end,
    __tostring = function() return render_fn(options("view", nil)) end,
  })
end

-- rows must be a list of tables; columns a list of field names (strings or
-- integers) or nil. Raises naming the argument.
local function check_table_args(rows, cols)
  if type(rows) ~= "table" or not columns.list_length(rows) then
    error("tabulate: rows must be a list of tables, got " .. (type(rows) == "table"
      and "a table with other keys than 1..n" or type(rows)), 3)
  end
  for i = 1, #rows do
    if type(rows[i]) ~= "table" then
      error(string.format("tabulate: rows[%d] is a %s, not a table", i, type(rows[i])), 3)
    end
  end
  if cols == nil then return end
  if type(cols) ~= "table" or not columns.list_length(cols) or #cols == 0 then
    error("tabulate: columns must be a non-empty list of field names", 3)
  end
  for i, c in ipairs(cols) do
    if type(c) ~= "string" and math.type(c) ~= "integer" then
      error(string.format("tabulate: columns[%d] must be a field name, got %s", i, type(c)), 3)
    end
  end
end

local function table_text(rows, cols, st)
  cols = cols or columns.columns(rows, st) or columns.all_keys(rows, #rows)
  return columns.render(rows, cols, st)
end

-- pp.tabulate(rows [, columns] [, opts]) -> a view: rows as a table of columns
-- (header, rule, one line a row). columns: field names; by default the common
-- fields that fit the width, names and ids first.
function M.tabulate(rows, cols, opts)
  check_table_args(rows, cols)
  options("tabulate", opts)
  return setmetatable({ rows = rows, columns = cols }, {
    __pp = function(self, printer)
      return table_text(self.rows, self.columns, options("tabulate", merged(opts, printer)))
    end,
    __tostring = function(self)
      return table_text(self.rows, self.columns, options("tabulate", opts))
    end,
  })
end

-- pp.columns(list [, opts]) -> names | nil: whether list is a list of records (the
-- REPL then prints it as a table) and the columns it would show.
function M.columns(list, opts)
  return columns.columns(list, options("pp.columns", opts))
end

-- pp.display(v [, opts]) -> string: what the REPL prints for one result: a list of
-- records as a column table, anything else as pp.format.
function M.display(v, opts)
  local st = options("pp.display", opts)
  if getmetatable(v) == Reveal then
    v, st.reveal = v.value, true
  end
  local cols = columns.columns(v, st)
  if cols then return columns.render(v, cols, st) end
  return render.format(v, st)
end

Reveal.__tostring = function(self) return M.display(self) end

-- pp.pp(...): prints each value as pp.display does, one a line.
function M.pp(...)
  for i = 1, select("#", ...) do
    io.stdout:write(M.display((select(i, ...))), "\n")
  end
end

return M
