-- iamsh.inspect.render: the text of the show.role/user/policy views.
--
-- All of the views' layout lives here (aligned label lines, column rows,
-- compact policy statements), so that it can move onto the REPL's printer
-- (iamsh.pp: pp.format, pp.tabulate) in this one file when that lands.
-- Each renderer is a pure function of the view's data and opts {width, limit}.
local json = require("aws").json
local sorted_keys = require("iamsh.tables").sorted_keys

local R = {}

-- Lists longer than this are cut with a count: a managed policy such as
-- ReadOnlyAccess names hundreds of actions, and the view's data has them all.
local LIMIT = 20
local MIN_WIDTH = 40

local function len(s)
  return utf8.len(s) or #s
end

local function append(out, lines)
  table.move(lines, 1, #lines, #out + 1, out)
end

-- A policy element that may be a string or an array, as an array.
local function list(v)
  if v == nil then
    return {}
  end
  return type(v) == "table" and v or { v }
end

local function cut(items, limit)
  if #items <= limit then
    return items
  end
  local out = table.move(items, 1, limit, 1, {})
  out[#out + 1] = string.format("(+%d more)", #items - limit)
  return out
end

-- items after lead, joined by sep and a space, in lines of at most width
-- characters where possible: continuation lines are indented by hang
-- (default: to stand under the first item). An item is never split.
local function wrap(lead, items, width, sep, hang)
  sep = sep or ","
  local lines, line, fresh = {}, lead, true
  local pad = string.rep(" ", hang or len(lead))
  for i, item in ipairs(items) do
    local piece = i < #items and item .. sep or item
    if fresh then
      line = line .. piece
    elseif len(line) + 1 + len(piece) > width then
      lines[#lines + 1] = line
      line = pad .. piece
    else
      line = line .. " " .. piece
    end
    fresh = false
  end
  lines[#lines + 1] = line
  return lines
end

-- "label  value" lines with the values in one column; rows whose value is
-- nil are left out; a value that is a table is a list of items to wrap.
local function fields(out, indent, rows, width)
  local w = 0
  for _, row in ipairs(rows) do
    if row[2] ~= nil then
      w = math.max(w, len(row[1]))
    end
  end
  for _, row in ipairs(rows) do
    if row[2] ~= nil then
      local lead = indent .. row[1] .. string.rep(" ", w - len(row[1]) + 2)
      append(out, wrap(lead, list(row[2]), width))
    end
  end
end

-- Rows of cells aligned in columns; the last cell of a row is not padded.
local function columns(out, indent, rows)
  local widths = {}
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do
      widths[i] = math.max(widths[i] or 0, len(cell))
    end
  end
  for _, row in ipairs(rows) do
    local cells = {}
    for i, cell in ipairs(row) do
      cells[i] = i < #row and cell .. string.rep(" ", widths[i] - len(cell)) or cell
    end
    out[#out + 1] = indent .. table.concat(cells, "  ")
  end
end

-- A section title: "Title (n)", or "Title: none" with nothing under it.
-- Top-level sections (indent "") are set off by a blank line.
local function section(out, indent, title, n)
  if indent == "" then
    out[#out + 1] = ""
  end
  out[#out + 1] = indent .. (n == 0 and title .. ": none" or string.format("%s (%d)", title, n))
  return n > 0
end

-- --- values ---

local function day(iso)
  return type(iso) == "string" and iso:match("^%d%d%d%d%-%d%d%-%d%d") or iso
end

local function duration(seconds)
  if type(seconds) ~= "number" then
    return nil
  elseif seconds % 3600 == 0 then
    return string.format("%d h", seconds // 3600)
  elseif seconds % 60 == 0 then
    return string.format("%d min", seconds // 60)
  end
  return string.format("%d s", seconds)
end

-- Lines in a fixed order whatever order IAM answered in.
local function sorted(items)
  table.sort(items)
  return items
end

local function tag_items(tags)
  if not tags or #tags == 0 then
    return "none"
  end
  local items = {}
  for _, t in ipairs(tags) do
    items[#items + 1] = tostring(t.Key) .. "=" .. tostring(t.Value)
  end
  return sorted(items)
end

local function boundary_text(b)
  return b and b.PermissionsBoundaryArn or "none"
end

local function nonempty(s)
  return s ~= "" and s or nil
end

-- --- policy statements ---

local function statement_list(doc)
  local st = type(doc) == "table" and doc.Statement or nil
  if type(st) ~= "table" then
    return {}
  end
  return st.Effect and { st } or st
end

-- "Service sagemaker.amazonaws.com", "AWS arn:aws:iam::111122223333:root", ...
local function principals(p)
  if p == "*" then
    return { "anyone (*)" }
  end
  local items = {}
  for _, kind in ipairs(sorted_keys(p)) do
    for _, v in ipairs(list(p[kind])) do
      items[#items + 1] = kind .. " " .. tostring(v)
    end
  end
  return items
end

local function value_text(v)
  return type(v) == "string" and json.encode(v) or tostring(v)
end

-- One {lead, values} per condition key: `sts:ExternalId StringEquals "abc"`;
-- several values for one key are alternatives, joined by "or".
local function conditions(c)
  local out = {}
  for _, op in ipairs(sorted_keys(type(c) == "table" and c or {})) do
    for _, key in ipairs(sorted_keys(c[op])) do
      local values = {}
      for _, v in ipairs(list(c[op][key])) do
        values[#values + 1] = value_text(v)
      end
      out[#out + 1] = { key .. " " .. op, values }
    end
  end
  return out
end

-- The parts of a statement after its effect, as {word, items}: who (for
-- trust and resource policies), which actions, on which resources.
local function parts(st, limit)
  local out = {}
  local function add(word, items)
    out[#out + 1] = { word = word, items = cut(items, limit) }
  end
  if st.Principal then
    add("", principals(st.Principal))
  elseif st.NotPrincipal then
    add("anyone but", principals(st.NotPrincipal))
  end
  local to = #out > 0 and "to " or ""
  if st.Action then
    add(to, list(st.Action))
  elseif st.NotAction then
    add(to .. "any action but", list(st.NotAction))
  end
  if st.Resource then
    add("on", list(st.Resource))
  elseif st.NotResource then
    add("on any resource but", list(st.NotResource))
  end
  return out
end

local function lead_of(prefix, word)
  word = word:gsub(" $", "")
  return word == "" and prefix or prefix .. word .. " "
end

local function one_line(head, ps)
  local text = head
  for _, p in ipairs(ps) do
    text = lead_of(text .. " ", p.word) .. table.concat(p.items, ", ")
  end
  return text
end

-- A statement in as few lines as read well: `Sid: Allow a, b on r` when it
-- fits the width, else one line per part; conditions follow, one a line.
local function statement_lines(st, indent, width, limit)
  local sid = type(st.Sid) == "string" and st.Sid ~= "" and st.Sid .. ": " or ""
  local head = sid .. tostring(st.Effect)
  local ps = parts(st, limit)
  local lines = {}
  local line = indent .. one_line(head, ps)
  if len(line) <= width then
    lines[1] = line
  else
    for i, p in ipairs(ps) do
      local prefix = i == 1 and indent .. head .. " " or indent .. "  "
      local lead = lead_of(prefix, p.word)
      -- Under the first item, unless a long Sid would leave the list a narrow column.
      append(lines, wrap(lead, p.items, width, ",", math.min(len(lead), len(indent) + 6)))
    end
    if #ps == 0 then
      lines[1] = indent .. head
    end
  end
  for i, c in ipairs(conditions(st.Condition)) do
    local word = i == 1 and "when " or "and "
    append(lines, wrap(indent .. "  " .. word .. c[1] .. " ", c[2], width, " or"))
  end
  return lines
end

local function statements(out, indent, doc, width, limit)
  for _, st in ipairs(statement_list(doc)) do
    append(out, statement_lines(st, indent, width, limit))
  end
end

-- --- sections shared by the views ---

-- Case aside, as people read names; an AWS policy and one of the account's
-- may share a name, then the ARN decides.
local function by_name_then_arn(a, b)
  local x, y = a[1]:lower(), b[1]:lower()
  if x ~= y then
    return x < y
  end
  return a[2] < b[2]
end

local function attached(out, indent, policies)
  if section(out, indent, "Attached policies", #policies) then
    local rows = {}
    for _, p in ipairs(policies) do
      rows[#rows + 1] = { p.PolicyName, p.PolicyArn }
    end
    table.sort(rows, by_name_then_arn)
    columns(out, indent .. "  ", rows)
  end
end

local function inline(out, indent, policies, width, limit)
  if section(out, indent, "Inline policies", #policies) then
    for _, p in ipairs(policies) do
      out[#out + 1] = indent .. "  " .. p.PolicyName
      statements(out, indent .. "    ", p.PolicyDocument, width, limit)
    end
  end
end

local function settings(opts)
  opts = opts or {}
  local width = opts.width or require("iamsh").term_width()
  return math.max(width, MIN_WIDTH), opts.limit or LIMIT
end

-- --- the views ---

local function role_last_used(lu)
  if not lu or not lu.LastUsedDate then
    return "never"
  end
  return day(lu.LastUsedDate) .. (lu.Region and " in " .. lu.Region or "")
end

-- The first block of a role or user view: "Role name", then label lines,
-- those every IAM identity has around the kind's own rows.
local function identity(title, rec, own_rows, v, width)
  local out = { title .. " " .. tostring(rec[title .. "Name"]) }
  local rows = { { "arn", rec.Arn }, { "path", rec.Path }, { "created", day(rec.CreateDate) } }
  table.move(own_rows, 1, #own_rows, #rows + 1, rows)
  rows[#rows + 1] = { "boundary", boundary_text(v.boundary) }
  rows[#rows + 1] = { "tags", tag_items(v.tags) }
  fields(out, "  ", rows, width)
  return out
end

function R.role(v, opts)
  local width, limit = settings(opts)
  local r = v.role
  local out = identity("Role", r, {
    { "max session", duration(r.MaxSessionDuration) }, { "description", nonempty(r.Description) },
    { "last used", role_last_used(v.last_used) },
  }, v, width)
  if section(out, "", "Trusted by", #statement_list(v.trust)) then
    statements(out, "  ", v.trust, width, limit)
  end
  attached(out, "", v.attached)
  inline(out, "", v.inline, width, limit)
  return table.concat(out, "\n")
end

local function password_text(v)
  if not v.login_profile then
    return "none"
  end
  local lp = v.login_profile
  local used = v.password_last_used and day(v.password_last_used) or "never"
  return string.format("set %s, last used %s%s", day(lp.CreateDate), used,
    lp.PasswordResetRequired and ", reset required" or "")
end

local function mfa_items(devices)
  if #devices == 0 then
    return "none"
  end
  local items = {}
  for _, d in ipairs(devices) do
    items[#items + 1] = string.format("%s (since %s)", d.SerialNumber, day(d.EnableDate))
  end
  return items
end

local function key_last_used(lu)
  if not lu or not lu.LastUsedDate then
    return "last used never"
  end
  return string.format("last used %s (%s, %s)", day(lu.LastUsedDate), tostring(lu.ServiceName),
    tostring(lu.Region))
end

local function access_keys(out, keys)
  if section(out, "", "Access keys", #keys) then
    local rows = {}
    for _, k in ipairs(keys) do
      rows[#rows + 1] = { k.AccessKeyId, tostring(k.Status), string.format("%d days old", k.AgeDays),
        key_last_used(k.LastUsed) }
    end
    columns(out, "  ", rows)
  end
end

local function groups(out, gs, width, limit)
  if section(out, "", "Groups", #gs) then
    for _, g in ipairs(gs) do
      out[#out + 1] = "  " .. g.group.GroupName .. "  " .. g.group.Arn
      attached(out, "    ", g.attached)
      inline(out, "    ", g.inline, width, limit)
    end
  end
end

function R.user(v, opts)
  local width, limit = settings(opts)
  local out = identity("User", v.user, {
    { "password", password_text(v) }, { "MFA", mfa_items(v.mfa_devices) },
  }, v, width)
  access_keys(out, v.access_keys)
  groups(out, v.groups, width, limit)
  attached(out, "", v.attached)
  inline(out, "", v.inline, width, limit)
  return table.concat(out, "\n")
end

-- "role  r1" rows for the entities a policy is attached to (or bounds).
local function entity_rows(e)
  local rows = {}
  for _, kind in ipairs({ { "group", "PolicyGroups", "GroupName" }, { "role", "PolicyRoles", "RoleName" },
    { "user", "PolicyUsers", "UserName" } }) do
    for _, x in ipairs(e[kind[2]] or {}) do
      rows[#rows + 1] = { kind[1], x[kind[3]] }
    end
  end
  table.sort(rows, function(a, b) return a[1] .. " " .. a[2] < b[1] .. " " .. b[2] end)
  return rows
end

local function entities(out, title, e)
  local rows = entity_rows(e)
  if section(out, "", title, #rows) then
    columns(out, "  ", rows)
  end
end

function R.policy(v, opts)
  local width, limit = settings(opts)
  local p = v.policy
  local aws_managed = tostring(p.Arn):match("^arn:[^:]+:iam::aws:") and " (AWS managed)" or ""
  local out = { "Policy " .. tostring(p.PolicyName) .. aws_managed }
  fields(out, "  ", {
    { "arn", p.Arn }, { "path", p.Path }, { "description", nonempty(p.Description) },
    { "default version", p.DefaultVersionId }, { "attachments", p.AttachmentCount and tostring(p.AttachmentCount) },
    { "boundary uses", p.PermissionsBoundaryUsageCount and tostring(p.PermissionsBoundaryUsageCount) },
    { "created", day(p.CreateDate) }, { "updated", day(p.UpdateDate) }, { "tags", tag_items(v.tags) },
  }, width)
  if section(out, "", "Statements of " .. tostring(p.DefaultVersionId), #statement_list(v.document)) then
    statements(out, "  ", v.document, width, limit)
  end
  entities(out, "Attached to", v.attached_to)
  entities(out, "Permissions boundary of", v.boundary_of)
  return table.concat(out, "\n")
end

-- For tests and for the printer: one statement's lines.
R.statement_lines = statement_lines

return R
