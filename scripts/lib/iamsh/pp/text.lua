-- iamsh.pp.text: strings for the pretty printer: escaping, quoting, display width
-- and cutting to a width with an ellipsis.
local M = {}

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }

local function escape_byte(c)
  return ESCAPES[c] or string.format("\\x%02X", c:byte())
end

-- Columns s takes on a terminal: one a character (UTF-8), one a byte otherwise.
function M.width(s)
  return utf8.len(s) or #s
end

-- s with quotes, backslashes and control bytes escaped as Lua writes them (\n, \t,
-- \x1B); bytes that are not UTF-8 as \xHH, so the text is always one line of UTF-8.
function M.escape(s)
  local pattern = utf8.len(s) and '[%c"\\]' or '[%c"\\\128-\255]'
  return (s:gsub(pattern, escape_byte))
end

-- The characters of s (code points when s is UTF-8, else bytes), in order.
local function chars(s)
  if utf8.len(s) then
    local pos = 1
    return function()
      if pos > #s then return nil end
      local nxt = utf8.offset(s, 2, pos)
      local c = s:sub(pos, nxt - 1)
      pos = nxt
      return c
    end
  end
  return s:gmatch(".")
end

local MIN_KEEP = 10 -- a cut string still shows this much, however deep it sits

-- s quoted; when that is wider than budget, cut: "the start"... (+N chars).
function M.quote(s, budget)
  local q = '"' .. M.escape(s) .. '"'
  if not budget or M.width(q) <= budget then return q end
  local total = M.width(s)
  local room = math.max(MIN_KEEP, budget - #string.format('""... (+%d chars)', total))
  local out, used, kept = {}, 0, 0
  for c in chars(s) do
    local e = M.escape(c)
    used = used + M.width(e)
    if used > room then break end
    out[#out + 1], kept = e, kept + 1
  end
  return string.format('"%s"... (+%d chars)', table.concat(out), total - kept)
end

-- One line of text s cut to w columns, ending in "..." when cut.
function M.cut(s, w)
  if M.width(s) <= w then return s end
  local keep = w >= 4 and w - 3 or w
  local out, n = {}, 0
  for c in chars(s) do
    if n == keep then break end
    out[#out + 1], n = c, n + 1
  end
  return table.concat(out) .. (w >= 4 and "..." or "")
end

-- s padded with spaces to w columns, on the right (left-aligned) or the left.
function M.pad(s, w, right_align)
  local fill = string.rep(" ", math.max(0, w - M.width(s)))
  return right_align and fill .. s or s .. fill
end

return M
