-- Update KEY=value lines of a .env file in place, keeping every other line,
-- comment, blank line and the file's line endings. Pure text in, text out;
-- the caller writes the result (atomically, 0600: it may hold a secret).
--
--   local text, changed = dotenv.update(old_text, {AWS_REGION = "eu-central-1"})
--
-- A key already present keeps its place, its `export ` prefix, its quoting
-- style and a trailing ` # comment`; a new key is appended at the end.

local sorted_keys = require("iamsh.tables").sorted_keys

local dotenv = {}

-- key, value and the pieces around it, or nil for a line that sets nothing.
function dotenv.parse_line(line)
  local prefix, key, rest = line:match("^(%s*export%s+)([%a_][%w_]*)%s*=(.*)$")
  if not key then
    prefix, key, rest = line:match("^(%s*)([%a_][%w_]*)%s*=(.*)$")
  end
  if not key then
    return nil
  end
  local q = rest:sub(1, 1)
  if q == '"' or q == "'" then
    local close = rest:find(q, 2, true)
    while close and q == '"' and rest:sub(close - 1, close - 1) == "\\" do
      close = rest:find(q, close + 1, true)
    end
    if close then
      local value = rest:sub(2, close - 1)
      if q == '"' then
        value = value:gsub('\\(["\\])', "%1")
      end
      return { prefix = prefix, key = key, value = value, quote = q, tail = rest:sub(close + 1) }
    end
  end
  local value, tail = rest:match("^(.-)(%s+#.*)$")
  if not value then
    value, tail = rest, ""
  end
  return { prefix = prefix, key = key, value = value:match("^%s*(.-)%s*$"), quote = "", tail = tail }
end

local function needs_quotes(v)
  return v:find("[%s#\"'\\$`]") ~= nil
end

local function render(parsed, value)
  if value:find("[\r\n]") then
    error("dotenv: the value of " .. parsed.key .. " contains a line break", 0)
  end
  local q = parsed.quote or ""
  if q == "'" and value:find("'", 1, true) then
    q = '"'
  end
  if q == "" and needs_quotes(value) then
    q = '"'
  end
  if q == '"' then
    value = value:gsub('(["\\])', "\\%1")
  end
  return (parsed.prefix or "") .. parsed.key .. "=" .. q .. value .. q .. (parsed.tail or "")
end

local function split_lines(text)
  local eol = text:find("\r\n", 1, true) and "\r\n" or "\n"
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\r?\n") do
    lines[#lines + 1] = line
  end
  if text == "" or text:sub(-1) == "\n" then
    lines[#lines] = nil
  end
  return lines, eol
end

-- The value of key in text (last assignment wins, as shells read it).
function dotenv.get(text, key)
  local value
  for _, line in ipairs((split_lines(text or ""))) do
    local p = dotenv.parse_line(line)
    if p and p.key == key then
      value = p.value
    end
  end
  return value
end

-- Returns the new text and the sorted list of keys whose value changes.
-- order (optional) is the order in which missing keys are appended.
function dotenv.update(text, values, order)
  text = text or ""
  local lines, eol = split_lines(text)
  local seen, changed = {}, {}
  for i, line in ipairs(lines) do
    local p = dotenv.parse_line(line)
    local v = p and values[p.key]
    if v ~= nil then
      seen[p.key] = true
      if p.value ~= v then
        changed[p.key] = true
        lines[i] = render(p, v)
      end
    end
  end
  for _, k in ipairs(order or sorted_keys(values)) do
    if values[k] ~= nil and not seen[k] then
      seen[k] = true
      changed[k] = true
      lines[#lines + 1] = render({ key = k }, values[k])
    end
  end
  local out = table.concat(lines, eol)
  if #lines > 0 then
    out = out .. eol
  end
  return out, sorted_keys(changed)
end

return dotenv
