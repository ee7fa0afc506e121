-- The shape IAM requires of a policy document (private to `policy`):
-- elements, Effect, Action/NotAction, Resource/NotResource, Principal (trust
-- policies only), Condition, Sid, size. What IAM would refuse with
-- MalformedPolicyDocument is found here, before anything is sent. The policy
-- engine of a later issue (the full grammar, in C) takes this place.

local canon = require("policy.canon")
local suggest = require("suggest")

local check = {}

local TOP = { "Version", "Id", "Statement" }
local ELEMENTS = { "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
  "Condition" }
local PRINCIPAL_TYPES = { "AWS", "Service", "Federated", "CanonicalUser" }
local VERSIONS = { ["2012-10-17"] = true, ["2008-10-17"] = true }

local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do
    s[v] = true
  end
  return s
end

local TOP_SET, ELEMENT_SET, PRINCIPAL_SET = set_of(TOP), set_of(ELEMENTS), set_of(PRINCIPAL_TYPES)

-- Raised inside this module only; check() turns it into nil, message.
local function fail(fmt, ...)
  error({ problem = string.format(fmt, ...) }, 0)
end

local function known_keys(t, set, list, where)
  for k in pairs(t) do
    if type(k) ~= "string" or not set[k] then
      fail("%sunknown element '%s'%s", where, tostring(k), suggest.hint(tostring(k), list))
    end
  end
end

-- A string, or a non-empty list of strings.
local function strings(v, where)
  if type(v) == "string" then
    return { v }
  end
  if type(v) ~= "table" or not canon.is_array(v) or #v == 0 then
    fail("%s must be a string or a non-empty list of strings", where)
  end
  for _, s in ipairs(v) do
    if type(s) ~= "string" then
      fail("%s must be a string or a non-empty list of strings, not a list holding a %s", where, type(s))
    end
  end
  return v
end

local function actions(st, key, where)
  for _, a in ipairs(strings(st[key], where .. key)) do
    if a ~= "*" and not a:match("^[%w%-]+:[%w%*%?]+$") then
      fail("%s%s '%s' is not an action (service:Action, e.g. s3:GetObject, or *)", where, key, a)
    end
  end
end

local function resources(st, key, where)
  for _, r in ipairs(strings(st[key], where .. key)) do
    if r ~= "*" and not r:match("^arn:") then
      fail("%s%s '%s' must be an ARN (arn:...) or *", where, key, r)
    end
  end
end

local function principals(st, key, where)
  local p = st[key]
  if p == "*" then
    return
  end
  if type(p) ~= "table" or canon.is_array(p) or next(p) == nil then
    fail("%s%s must be \"*\" or a table such as {Service = \"lambda.amazonaws.com\"}", where, key)
  end
  known_keys(p, PRINCIPAL_SET, PRINCIPAL_TYPES, where .. key .. ": ")
  for k, v in pairs(p) do
    strings(v, where .. key .. "." .. k)
  end
end

local function condition(st, where)
  local c = st.Condition
  if type(c) ~= "table" or canon.is_array(c) then
    fail("%sCondition must be a table {Operator = {key = value}}", where)
  end
  for op, keys in pairs(c) do
    if type(op) ~= "string" or not op:match("^[%a]+$") and not op:match("^For%a+Values?:%a+$") then
      fail("%sCondition operator '%s' is not an operator (e.g. StringEquals)", where, tostring(op))
    end
    if type(keys) ~= "table" or canon.is_array(keys) then
      fail("%sCondition.%s must be a table {key = value}", where, op)
    end
    for key, v in pairs(keys) do
      local list = type(v) == "table" and v or { v }
      for _, item in ipairs(list) do
        local t = type(item)
        if t ~= "string" and t ~= "number" and t ~= "boolean" then
          fail("%sCondition.%s.%s: values must be strings, numbers or booleans", where, op, tostring(key))
        end
      end
    end
  end
end

-- Exactly one of two keys (Action or NotAction, ...).
local function one_of(st, a, b, where, required)
  if st[a] ~= nil and st[b] ~= nil then
    fail("%shas both %s and %s; use one", where, a, b)
  end
  if required and st[a] == nil and st[b] == nil then
    fail("%sneeds %s or %s", where, a, b)
  end
  return st[a] ~= nil and a or st[b] ~= nil and b or nil
end

local function statement(st, i, kind, sids)
  local where = string.format("Statement %d: ", i)
  if type(st) ~= "table" or canon.is_array(st) then
    fail("%smust be a table (an object)", where)
  end
  known_keys(st, ELEMENT_SET, ELEMENTS, where)
  if st.Sid ~= nil then
    if type(st.Sid) ~= "string" or not st.Sid:match("^[%w]*$") then
      fail("%sSid %s may hold only letters and digits", where, canon.json(st.Sid))
    end
    if sids[st.Sid] then
      fail("%sSid '%s' is used twice; Sids must be unique", where, st.Sid)
    end
    sids[st.Sid] = true
  end
  if st.Effect ~= "Allow" and st.Effect ~= "Deny" then
    fail("%sEffect must be \"Allow\" or \"Deny\", not %s", where,
      st.Effect == nil and "missing" or canon.json(st.Effect))
  end
  actions(st, one_of(st, "Action", "NotAction", where, true), where)
  local trust = kind == "trust"
  local r = one_of(st, "Resource", "NotResource", where, not trust)
  if r and trust then
    fail("%sa trust policy has no %s (it is the role itself)", where, r)
  elseif r then
    resources(st, r, where)
  end
  local p = one_of(st, "Principal", "NotPrincipal", where, trust)
  if p and not trust then
    fail("%s%s belongs in trust and resource policies, not in an identity policy", where, p)
  elseif p then
    principals(st, p, where)
  end
  if st.Condition ~= nil then
    condition(st, where)
  end
end

local function size(doc)
  local text = canon.json(doc)
  return utf8.len(text) or #text
end
check.size = size

local function document(doc, kind, opts)
  known_keys(doc, TOP_SET, TOP, "")
  if doc.Version ~= nil and not VERSIONS[doc.Version] then
    fail("Version must be \"2012-10-17\" (or the old \"2008-10-17\"), not %s", canon.json(doc.Version))
  end
  local list = canon.statement_list(doc)
  if doc.Statement == nil or #list == 0 then
    fail("Statement is missing or empty")
  end
  local sids = {}
  for i, st in ipairs(list) do
    statement(st, i, kind, sids)
  end
  local n = size(doc)
  if opts.max_size and n > opts.max_size then
    fail("is %d characters without white space; IAM's limit for %s is %d", n, opts.what or "this policy",
      opts.max_size)
  end
end

-- doc (table or JSON string) -> the decoded document, or nil and the first
-- problem found. kind: "identity" (managed, inline, permissions boundary) or
-- "trust". opts: max_size (characters, white space not counted), what (words
-- for the size message).
function check.check(doc, kind, opts)
  if kind ~= "identity" and kind ~= "trust" then
    error("policy.check: kind must be \"identity\" or \"trust\", not " .. tostring(kind), 2)
  end
  local decoded, why = canon.decode(doc)
  if not decoded then
    return nil, why
  end
  local ok, err = pcall(document, decoded, kind, opts or {})
  if ok then
    return decoded
  end
  if type(err) == "table" and err.problem then
    return nil, err.problem
  end
  error(err, 0)
end

return check
