-- iamsh.help.docs: the sections of docs/*.md that help() prints.
--
-- A section starts at a level-3 or level-4 heading whose text starts with a name
-- in backticks followed by "(", "{", a space or the closing backtick
-- ("### `provision.role{...}`") and runs to the next heading of the same level or
-- higher. Headings inside ``` code blocks do not count.
local iamsh = require "iamsh"
local fs = require "iamsh.fs"

local M = {}

local cache = {} -- dir -> index

local function heading(line)
  local hashes, rest = line:match("^(#+)%s+(.*)$")
  return hashes and #hashes, rest
end

-- The Lua name a heading documents ("provision.role"), or nil.
local function heading_name(rest)
  return rest and rest:match("^`([%a_][%w_%.:]*)[%({ `]")
end

-- One file's sections into index.sections[name] and index.order.
local function scan(index, file, content)
  local lines, fenced, open = {}, false, {}
  for line in (content .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  for i, line in ipairs(lines) do
    if line:match("^%s*```") then fenced = not fenced end
    local level, rest = heading(line)
    if level and not fenced then
      while #open > 0 and open[#open].level >= level do
        table.remove(open).last = i - 1
      end
      local name = (level == 3 or level == 4) and heading_name(rest)
      if name and not index.sections[name] then
        local section = { name = name, level = level, file = file, lines = lines, first = i,
          title = rest:match("^`([^`]*)`") }
        index.sections[name] = section
        index.order[#index.order + 1] = section
        open[#open + 1] = section
      end
    end
  end
  for _, section in ipairs(open) do section.last = #lines end
end

-- The index of the docs in dir: {sections = {name -> section}, order = {...}}.
function M.index(dir)
  dir = dir or iamsh.docs_dir
  if cache[dir] then return cache[dir] end
  local index = { sections = {}, order = {} }
  for _, name in ipairs(fs.list(dir) or {}) do
    if name:match("%.md$") then
      local content = fs.read(dir .. "/" .. name)
      if content then scan(index, name, content) end
    end
  end
  cache[dir] = index
  return index
end

-- The section's text: its heading and body, trailing blank lines dropped.
function M.text(section)
  local last = section.last
  while last > section.first and section.lines[last]:match("^%s*$") do last = last - 1 end
  return table.concat(section.lines, "\n", section.first, last)
end

-- The first line of the section's prose (for one-line listings), or "".
function M.summary(section)
  local comment = false
  for i = section.first + 1, section.last do
    local l = section.lines[i]
    local starts = l:match("^%s*<!%-%-")
    if not comment and not starts and not l:match("^%s*$") and not l:match("^%s*```")
      and not l:match("^#") then
      return (l:gsub("^%s+", ""))
    end
    if starts then comment = true end
    if comment and l:find("-->", 1, true) then comment = false end
  end
  return ""
end

-- The section for name (or nil), trying name and name without "iamsh." in front.
function M.find(name, dir)
  local sections = M.index(dir).sections
  return sections[name] or sections[(name:gsub("^iamsh%.", ""))]
end

-- The sections of one file, in order.
function M.file_sections(file, dir)
  local out = {}
  for _, s in ipairs(M.index(dir).order) do
    if s.file == file and s.level == 3 then out[#out + 1] = s end
  end
  return out
end

return M
