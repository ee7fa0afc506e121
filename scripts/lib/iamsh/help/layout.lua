-- iamsh.help.layout: help's text laid out for a terminal of a given width:
-- aligned columns whose last cell wraps under itself, and Markdown sections
-- (docs/*.md) as plain text: headings without their marks, prose and list items
-- reflowed to the width, code blocks indented as they are, tables as columns.
local M = {}

-- text in pieces of at most room characters, broken at a space (with lists,
-- after a ", " first: constraint lists read better whole); a word longer than
-- room is broken where it must.
local function wrap(text, room, lists)
  local pieces = {}
  while #text > room do
    local head = text:sub(1, room + 1)
    local cut = (lists and head:match("^.*(), ")) or head:match("^.*() ") or room
    -- a word that will not fit on a line of its own is cut where the line
    -- ends instead of leaving a short line before it
    local next_word = text:match("^%s*(%S*)", cut + 1)
    if cut < 1 or #next_word > room then cut = room end
    pieces[#pieces + 1] = (text:sub(1, cut):gsub("%s+$", ""))
    text = text:sub(cut + 1):gsub("^ +", "")
  end
  pieces[#pieces + 1] = text
  return pieces
end
M.wrap = wrap

-- Columns on the terminal: characters, not bytes ("—" is one).
local function width_of(s)
  return utf8.len(s) or #s
end

-- Rows (lists of cells) as aligned columns indented by `indent` (default two
-- spaces); a last cell too long for width continues on lines under itself. When
-- the other columns leave it too little room, every row's last cell goes on the
-- lines below its row instead, indented a little more.
function M.columns(rows, width, indent)
  indent = indent or "  "
  local widths = {}
  for _, r in ipairs(rows) do
    for j = 1, #r - 1 do widths[j] = math.max(widths[j] or 0, width_of(r[j])) end
  end
  local lead_width = #indent
  for _, w in ipairs(widths) do lead_width = lead_width + (w > 0 and w + 2 or 0) end
  local below = width - lead_width < 24
  local lines = {}
  for _, r in ipairs(rows) do
    local cells = {}
    for j = 1, #r - 1 do
      if widths[j] > 0 then cells[#cells + 1] = r[j] .. string.rep(" ", widths[j] - width_of(r[j])) end
    end
    local lead = indent .. table.concat(cells, "  ") .. (#cells > 0 and "  " or "")
    local under = below and (indent .. "    ") or string.rep(" ", lead_width)
    if below then lines[#lines + 1] = (lead:gsub("%s+$", "")) end
    local room = math.max(20, width - #under)
    for k, piece in ipairs(wrap(r[#r] or "", room, true)) do
      local line = (k == 1 and not below and lead or under) .. piece
      lines[#lines + 1] = (line:gsub("%s+$", ""))
    end
  end
  return table.concat(lines, "\n")
end

-- A paragraph (its lines joined) wrapped to width, the first line after
-- `first`, the others after `rest`.
local function reflow(text, width, first, rest)
  local out = {}
  for k, piece in ipairs(wrap(text, math.max(20, width - #first))) do
    out[#out + 1] = (k == 1 and first or rest) .. piece
  end
  return out
end

local function table_row(line)
  local cells = {}
  for cell in line:gsub("^%s*|", ""):gsub("|%s*$", ""):gmatch("[^|]+") do
    cells[#cells + 1] = cell:match("^%s*(.-)%s*$")
  end
  return cells
end

-- Blocks of a Markdown text: {kind = "heading"|"code"|"table"|"item"|"para"|"blank", ...}.
local function blocks(lines)
  local out, i = {}, 1
  local function add(b) out[#out + 1] = b end
  while i <= #lines do
    local line = lines[i]
    if line:match("^%s*```") then
      local code = {}
      i = i + 1
      while i <= #lines and not lines[i]:match("^%s*```") do
        code[#code + 1] = lines[i]
        i = i + 1
      end
      add({ kind = "code", lines = code })
    elseif line:match("^#+%s") then
      add({ kind = "heading", text = (line:gsub("^#+%s+", ""):gsub("`", "")) })
    elseif line:match("^%s*|") then
      local rows = {}
      while i <= #lines and lines[i]:match("^%s*|") do
        if not lines[i]:match("^%s*|[%s|:-]+|%s*$") then rows[#rows + 1] = table_row(lines[i]) end
        i = i + 1
      end
      i = i - 1
      add({ kind = "table", rows = rows })
    elseif line:match("^%s*$") or line:match("^%s*<!%-%-") then
      while i <= #lines and line:match("^%s*<!%-%-") and not lines[i]:match("%-%->") do i = i + 1 end
      add({ kind = "blank" })
    else
      local item = line:match("^%s*[-*]%s+(.*)$")
      local text = { item or line:gsub("^%s+", "") }
      while i + 1 <= #lines and not lines[i + 1]:match("^%s*$") and not lines[i + 1]:match("^%s*[-*|#]%s")
        and not lines[i + 1]:match("^%s*```") and not lines[i + 1]:match("^%s*|") do
        i = i + 1
        text[#text + 1] = lines[i]:gsub("^%s+", "")
      end
      add({ kind = item and "item" or "para", text = table.concat(text, " ") })
    end
    i = i + 1
  end
  return out
end

-- The Markdown text of a section as it reads on a terminal of width columns.
function M.markdown(text, width)
  local lines = {}
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local out = {}
  local function push(l) out[#out + 1] = l end
  for _, b in ipairs(blocks(lines)) do
    if b.kind == "heading" then
      push(b.text)
    elseif b.kind == "code" then
      for _, l in ipairs(b.lines) do push("    " .. l) end
    elseif b.kind == "table" then
      push(M.columns(b.rows, width))
    elseif b.kind == "item" then
      for _, l in ipairs(reflow(b.text, width, "- ", "  ")) do push(l) end
    elseif b.kind == "para" then
      for _, l in ipairs(reflow(b.text, width, "", "")) do push(l) end
    elseif out[#out] ~= "" then
      push("")
    end
  end
  while out[#out] == "" do out[#out] = nil end
  return (table.concat(out, "\n"):gsub("\n\n\n+", "\n\n"))
end

return M
