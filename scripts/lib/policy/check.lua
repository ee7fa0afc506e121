-- The grammar check of policy documents (private to `policy`): IAM's policy
-- language as the C engine knows it (aws.policy.check), so what IAM would
-- refuse with MalformedPolicyDocument is found before anything is sent, with
-- its path in the document and IAM's wording, plus a did-you-mean for a
-- misspelt element, principal type or condition operator.

local canon = require("policy.canon")
local suggest = require("suggest")

local check = {}

check.KINDS = { "identity", "managed", "inline_user", "inline_role", "inline_group", "boundary", "session", "trust",
  "resource" }
local KIND_SET = {}
for _, k in ipairs(check.KINDS) do
  KIND_SET[k] = true
end

local ELEMENTS = { "Version", "Id", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
  "Principal", "NotPrincipal", "Condition" }
local PRINCIPAL_TYPES = { "AWS", "Service", "Federated", "CanonicalUser" }
local OPERATORS = { "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
  "StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
  "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
  "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
  "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null" }

local function size(doc)
  local text = canon.json(doc)
  return utf8.len(text) or #text
end
check.size = size

-- IAM's message, with a did-you-mean where a name was misspelt.
local function hint(message)
  local field = message:match("Unknown field (%S+)$")
  if field then
    return message .. suggest.hint(field, ELEMENTS)
  end
  local ptype = message:match('^Invalid principal in policy: "([^"]*)"$')
  if ptype then
    return message .. suggest.hint(ptype, PRINCIPAL_TYPES)
  end
  local op = message:match("^Invalid Condition type : (.*)$")
  if op then
    local bare = op:gsub("^For%a+Values?:", ""):gsub("IfExists$", "")
    return message .. suggest.hint(bare, OPERATORS)
  end
  return message
end

-- "Statement[1].Effect: Invalid effect: allow (Allow or Deny)"
function check.describe(problem)
  local text = hint(problem.message)
  if problem.path == "" then
    return text
  end
  return problem.path .. ": " .. text
end

-- JSON cannot tell {} from [], a Lua table neither: an empty Statement,
-- Action, Resource (or Not...) means an empty list. A copy says so.
local LISTS = { Action = true, NotAction = true, Resource = true, NotResource = true }

local function mark_lists(st)
  if type(st) ~= "table" then
    return st
  end
  local copy
  for k in pairs(LISTS) do
    if type(st[k]) == "table" and next(st[k]) == nil then
      copy = copy or {}
      copy[k] = require("aws").json.array {}
    end
  end
  if not copy then
    return st
  end
  for k, v in pairs(st) do
    if copy[k] == nil then
      copy[k] = v
    end
  end
  return copy
end

local function as_engine_doc(doc)
  if type(doc) ~= "table" or type(doc.Statement) ~= "table" then
    return doc
  end
  local copy = {}
  for k, v in pairs(doc) do
    copy[k] = v
  end
  if next(doc.Statement) == nil then
    copy.Statement = require("aws").json.array {}
  elseif canon.is_array(doc.Statement) then
    copy.Statement = {}
    for i, st in ipairs(doc.Statement) do
      copy.Statement[i] = mark_lists(st)
    end
  else
    copy.Statement = mark_lists(doc.Statement)
  end
  return copy
end

-- doc (table or JSON text) -> the decoded document, or nil, the first problem
-- ("path: message") and all of them ({path=, message=, code=}). kind: one of
-- check.KINDS. opts.max_size: the size limit (characters without white
-- space) instead of the kind's own quota, or false for none (the provision
-- library checks sizes against the account's live quotas); opts.what: words
-- for that size message.
function check.check(doc, kind, opts)
  if not KIND_SET[kind] then
    error("policy.check: kind must be one of " .. table.concat(check.KINDS, ", ") .. ", not " .. tostring(kind), 3)
  end
  opts = opts or {}
  local problems = require("aws").policy.check(as_engine_doc(doc), kind)
  if opts.max_size ~= nil then
    local kept = {}
    for _, p in ipairs(problems) do
      if p.code ~= "LimitExceeded" then
        kept[#kept + 1] = p
      end
    end
    problems = kept
  end
  local decoded = #problems == 0 and canon.decode(doc)
  if decoded and opts.max_size and size(decoded) > opts.max_size then
    problems[1] = { path = "", code = "LimitExceeded", message = string.format(
      "the document is %d characters without white space; IAM's limit for %s is %d", size(decoded),
      opts.what or "this policy", opts.max_size) }
  end
  if #problems > 0 then
    return nil, check.describe(problems[1]), problems
  end
  return decoded
end

return check
