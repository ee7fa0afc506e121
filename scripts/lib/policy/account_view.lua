-- policy.account_view: how the answers of policy.can, who_can and
-- who_can_assume print. Each answer is its plain data (fields a script reads:
-- decision, matched, principals, ...) with a metatable whose __pp (the REPL's
-- printer) and __tostring (print) give the same text: the decision and the
-- deciding statements, readably.

local M = {}

local LIMIT = 10 -- deciding statements, principals shown before "(N more)"

local function width_of(opts)
  local w = opts and opts.width or require("iamsh").term_width()
  return math.max(w or 80, 40)
end

local function cut(s, w)
  return require("iamsh.pp.text").cut(s, w)
end

-- "IAMFullAccess" for arn:aws:iam::aws:policy/IAMFullAccess, the policy's own
-- name for one of the account's; inline and trust policies by their label.
local function policy_label(name)
  local tail = tostring(name):match("^arn:[^:]+:iam::[^:]*:policy/(.+)$")
  return tail and tail:match("([^/]+)$") or tostring(name)
end

-- "IAMFullAccess statement 1 (Sid)"; AWS's simulator names a place instead.
local function statement_ref(m)
  local sid = m.sid and m.sid ~= "" and " (" .. m.sid .. ")" or ""
  local where = m.index and "statement " .. m.index or m.where or "?"
  return string.format("%s %s%s", policy_label(m.policy), where, sid)
end

local function statement_lines(out, m, indent, width)
  local ok, doc = pcall(require("aws").json.decode, m.statement or "")
  if not ok or type(doc) ~= "table" then
    return
  end
  local lines = require("iamsh.inspect.render").statement_lines(doc, indent, width, LIMIT)
  for _, l in ipairs(lines) do
    out[#out + 1] = cut(l, width)
  end
end

local function notes(out, problems, width)
  if problems and #problems > 0 then
    out[#out + 1] = cut(string.format("  note: %d polic%s left out: %s", #problems, #problems == 1 and "y" or "ies",
      problems[1]), width)
  end
end

local function more(out, n, shown_n, indent)
  if n > shown_n then
    out[#out + 1] = string.format("%s(%d more)", indent, n - shown_n)
  end
end

local function view(kind, data, render)
  return setmetatable(data, {
    __name = "policy." .. kind,
    __pp = function(self, opts) return render(self, width_of(opts)) end,
    __tostring = function(self) return render(self, width_of(nil)) end,
  })
end

-- --- can ------------------------------------------------------------------------

-- "user/alice" for arn:aws:iam::123456789012:user/alice; other ARNs whole.
local function short_principal(arn)
  return tostring(arn):match("^arn:[^:]+:iam::%d+:(.+)$") or tostring(arn)
end

-- head .. " on " .. resource, the resource on a line of its own when the
-- whole does not fit.
local function headline(head, resource, width)
  local line = head .. " on " .. resource
  if #line <= width then
    return { line }
  end
  return { cut(head, width), cut("  on " .. resource, width) }
end

local function decision_text(r, width)
  local verb = r.decision == "allow" and "may" or "may not"
  local out = headline(string.format("%s: %s %s %s", r.decision, short_principal(r.principal), verb, r.action),
    r.resource, width)
  out[#out + 1] = cut("  " .. r.reason, width)
  local n = #r.matched
  if n > 0 then
    local word = r.decision == "explicit_deny" and "statements that deny it"
      or r.decision == "allow" and "statements that allow it" or "statements that allow it, not enough on their own"
    out[#out + 1] = string.format("  %s:", word)
  end
  for i = 1, math.min(n, LIMIT) do
    local m = r.matched[i]
    out[#out + 1] = cut(string.format("    %s, %s policy", statement_ref(m), m.role or "?"), width)
    statement_lines(out, m, "      ", width)
  end
  more(out, n, LIMIT, "    ")
  notes(out, r.problems, width)
  return table.concat(out, "\n")
end

-- The result of one evaluation (decision, reason, matched, principal, action,
-- resource) as a view.
function M.decision(r)
  return view("can", r, decision_text)
end

-- --- who_can --------------------------------------------------------------------

local function pad(s, w)
  return s .. string.rep(" ", w - #s)
end

-- One line a principal ("user alice  IAMFullAccess statement 1 (+1)"), names
-- aligned, cut after LIMIT * 5 of them.
local function principal_lines(out, list, indent, width)
  local shown_n, w = math.min(#list, LIMIT * 5), 0
  for i = 1, shown_n do
    w = math.max(w, #list[i].name)
  end
  for i = 1, shown_n do
    local p = list[i]
    local by = p.matched[1] and statement_ref(p.matched[1]) or ""
    local extra = #p.matched > 1 and string.format(" (+%d)", #p.matched - 1) or ""
    out[#out + 1] = cut(string.format("%s%s %s  %s%s", indent, pad(p.kind, 4), pad(p.name, w), by, extra), width)
  end
  more(out, #list, shown_n, indent)
end

local function who_can_text(v, width)
  local out = headline("who can " .. v.action, v.resource, width)
  out[#out + 1] = string.format("  %d of %d users and roles:", #v.principals, v.checked)
  principal_lines(out, v.principals, "  ", width)
  notes(out, v.problems, width)
  return table.concat(out, "\n")
end

-- {action=, resource=, principals = {{kind=, name=, arn=, matched=}...}, checked=}
function M.who_can(v)
  return view("who_can", v, who_can_text)
end

-- --- who_can_assume -------------------------------------------------------------

local function trusted_line(row)
  local what = row.decision or (row.principal == "*" and "anyone" or row.type == "AWS" and "its own account decides"
    or "trusted")
  if row.type == "AWS" and row.decision == nil and (row.principal:match(":root$") or row.principal:match("^%d+$"))
    then
    what = "the account: its users and roles whose own policies allow it"
  end
  local cond = row.condition and ", with conditions" or ""
  return string.format("    %s %s  %s, statement %d%s: %s", row.type, row.principal, row.action, row.index, cond,
    what)
end

local function who_can_assume_text(v, width)
  local out = { cut("who can assume " .. v.role, width) }
  out[#out + 1] = string.format("  named in its trust policy (%d):", #v.trusted)
  for _, row in ipairs(v.trusted) do
    out[#out + 1] = cut(trusted_line(row), width)
  end
  if #v.account > 0 then
    out[#out + 1] = string.format("  through the trusted account (%d):", #v.account)
    principal_lines(out, v.account, "    ", width)
  end
  notes(out, v.problems, width)
  return table.concat(out, "\n")
end

-- {role=, trusted = {{type=, principal=, action=, index=, sid=, condition=,
-- decision=}...}, account = {{kind=, name=, arn=, matched=}...}}
function M.who_can_assume(v)
  return view("who_can_assume", v, who_can_assume_text)
end

return M
