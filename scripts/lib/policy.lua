-- Policy documents, pure: documents in, documents out. Semantic comparison,
-- the shape check, structured diffs, ARNs of AWS managed policies (the
-- partition is passed in), trust policies, and policy sets kept as data files
-- (scripts/policies/*.lua). Nothing here calls AWS.
--
--   policy.equal(a, b)                 IAM's reordering is not a difference
--   policy.check(doc, "trust")         the decoded document, or nil and why (IAM's grammar)
--   policy.diff(old, new)              lines showing the change
--   policy.managed("ReadOnlyAccess", "aws-cn")
--   policy.evaluate{...}               IAM's evaluation logic (the C engine)
--   policy.can("user/alice", "s3:GetObject", "arn:aws:s3:::b/k")   (policy.account)

local canon = require("policy.canon")
local check = require("policy.check")
local diff = require("policy.diff")

local policy = {}

local function decode(doc, fn)
  local t, why = canon.decode(doc)
  if not t then
    error(string.format("policy.%s: the document %s", fn, why), 3)
  end
  return t
end

-- The canonical form of a document given as a table or a JSON string: keys
-- sorted, sets as sorted lists, Action lower-cased, statements sorted.
function policy.normalize(doc)
  return canon.normalize(decode(doc, "normalize"))
end

-- Deterministic text of the canonical form (useful in tests and logs).
function policy.canonical(doc)
  return canon.json(canon.normalize(decode(doc, "canonical")))
end

-- Do two documents say the same (IAM's reformatting aside)? nil equals nil only.
function policy.equal(a, b)
  if a == nil or b == nil then
    return a == b
  end
  return policy.canonical(a) == policy.canonical(b)
end

-- The grammar check every document passes before it is sent (and under
-- --plan): IAM's policy language, in the C engine (aws.policy.check). kind:
-- "identity", "managed", "inline_user", "inline_role", "inline_group",
-- "boundary", "session", "trust" or "resource" (which elements are required
-- or forbidden, and the size quota). opts: max_size (characters without white
-- space, instead of the kind's quota; false: none), what (words for the size
-- message). Returns the decoded document, or nil, the first problem
-- ("path: message") and the list of all {path=, message=, code=}.
function policy.check(doc, kind, opts)
  return check.check(doc, kind, opts)
end

-- Evaluation: the C engine's, re-exported (docs/policy.md). A document
-- compiled once (an aws.Policy) is evaluated without walking JSON again.
--   policy.compile(doc, "managed", "arn:...") -> aws.Policy, warnings
--   policy.evaluate{identity = {...}, action = "s3:GetObject", resource = "arn:..."}
--     -> {decision = "allow" | "explicit_deny" | "implicit_deny", reason =, matched = {...}}
function policy.compile(doc, kind, name)
  return require("aws").policy.compile(doc, kind, name)
end

function policy.evaluate(request)
  return require("aws").policy.evaluate(request)
end

-- IAM's default size limits, in characters without white space
-- (aws-conventions 4.3): a managed policy's document; the inline policies of
-- one user, role or group together; a trust policy (a quota AWS can raise).
policy.LIMITS = { managed = 6144, user_inline = 2048, role_inline = 10240, group_inline = 5120, trust = 2048 }

-- The size IAM counts for a document: its characters without white space.
function policy.size(doc)
  return check.size(decode(doc, "size"))
end

-- The change from document old to document new (tables or JSON strings), as
-- lines to print under a plan line: statements and elements added (+),
-- removed (-) and changed (~, old -> new). Empty when they say the same.
function policy.diff(old, new)
  return diff.lines(decode(old, "diff"), decode(new, "diff"))
end

-- Compact JSON with sorted keys (how the plan shows values).
policy.json = canon.json

local function need_name(fn, name)
  if type(name) ~= "string" or name == "" then
    error(string.format("policy.%s: a policy name (string) is required, not %s", fn, type(name)), 3)
  end
end

-- ARN of an AWS managed policy ("ReadOnlyAccess",
-- "service-role/AWSLambdaBasicExecutionRole") in a partition (default "aws";
-- provision.partition() tells the caller's).
function policy.managed(name, partition)
  need_name("managed", name)
  return string.format("arn:%s:iam::aws:policy/%s", partition or "aws", name)
end

-- A managed policy given by name or by ARN, as an ARN.
function policy.arn(name_or_arn, partition)
  need_name("arn", name_or_arn)
  if name_or_arn:match("^arn:") then
    return name_or_arn
  end
  return policy.managed(name_or_arn, partition)
end

-- A trust policy letting one AWS service (or a list of them) assume a role.
function policy.trust_service(service)
  local list = type(service) == "table" and service or { service or false }
  for _, s in ipairs(list) do
    if type(s) ~= "string" or s == "" then
      error("policy.trust_service: a service principal (e.g. \"lambda.amazonaws.com\") or a list of them is "
        .. "required, not " .. tostring(s), 2)
    end
  end
  if #list == 0 then
    error("policy.trust_service: the list of services is empty", 2)
  end
  return {
    Version = "2012-10-17",
    Statement = {
      { Effect = "Allow", Principal = { Service = service }, Action = "sts:AssumeRole" },
    },
  }
end

-- A trust policy for web identities from an OpenID Connect provider (e.g.
-- GitHub Actions): tokens whose audience is opts.audience and whose subject
-- matches one of opts.subjects (StringLike: * and ? are wildcards).
--   policy.trust_oidc(gh.arn, {audience = "sts.amazonaws.com",
--                              subjects = {"repo:octo-org/app:ref:refs/heads/main"}})
function policy.trust_oidc(provider_arn, opts)
  local host = type(provider_arn) == "string" and provider_arn:match("^arn:[^:]+:iam::%d+:oidc%-provider/(.+)$")
  if not host then
    error("policy.trust_oidc: an OIDC provider ARN (arn:...:oidc-provider/HOST) is required, not "
      .. tostring(provider_arn), 2)
  end
  opts = opts or {}
  local condition = {}
  if opts.audience ~= nil then
    condition.StringEquals = { [host .. ":aud"] = opts.audience }
  end
  if opts.subjects ~= nil then
    condition.StringLike = { [host .. ":sub"] = opts.subjects }
  end
  return {
    Version = "2012-10-17",
    Statement = { {
      Effect = "Allow", Principal = { Federated = provider_arn }, Action = "sts:AssumeRoleWithWebIdentity",
      Condition = next(condition) and condition or nil,
    } },
  }
end

-- Policy sets ---------------------------------------------------------------

local function policies_dir()
  local src = debug.getinfo(1, "S").source
  local here = src:match("^@(.*)[/\\][^/\\]*$") or "."
  return here .. "/../policies"
end

local function set_path(name)
  if name:find("/", 1, true) or name:match("%.lua$") then
    return name
  end
  local ok, iamsh = pcall(require, "iamsh")
  local base = ok and type(iamsh) == "table" and iamsh.scripts_dir
  if base then
    return base .. "/policies/" .. name .. ".lua"
  end
  return policies_dir() .. "/" .. name .. ".lua"
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then
    error("policy set: cannot read " .. err, 0)
  end
  local text = f:read("a")
  f:close()
  return text
end

-- Replace ${name} in every string (keys and values) from vars.
local function substitute(v, vars, where, lenient)
  if type(v) == "string" then
    return (v:gsub("%${([%w_]+)}", function(key)
      local val = vars[key]
      if (val == nil or val == "") and lenient then
        return nil
      elseif val == nil or val == "" then
        error(string.format("policy set %s: no value for ${%s}", where, key), 0)
      end
      return tostring(val)
    end))
  end
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, item in pairs(v) do
    out[substitute(k, vars, where, lenient)] = substitute(item, vars, where, lenient)
  end
  return out
end

-- Load a policy set: a data file returning one table literal, run with an
-- empty environment (no function of ours or Lua's is reachable from it) and a
-- budget of instructions (a loop in it fails instead of hanging), then with
-- its ${placeholders} filled from vars. With lenient, a placeholder
-- without a value stays as it is (to read a set's names only).
function policy.load_set(name, vars, lenient)
  if type(name) ~= "string" or name == "" then
    error("policy.load_set: a set name or a .lua path is required, not " .. tostring(name), 2)
  end
  local path = set_path(name)
  local chunk, err = load(read_file(path), "@" .. path, "t", {})
  -- a broken data file is the user's news, not a bug: one line (exit 1)
  local errors = require "iamsh.errors"
  if not chunk then
    errors.script("policy set %s: %s", name, err)
  end
  local ok, set = require("iamsh.sandbox").run(chunk)
  if not ok or type(set) ~= "table" then
    errors.script("policy set %s: must return a table%s", name, ok and "" or (": " .. tostring(set)))
  end
  return substitute(set, vars or {}, name, lenient)
end

-- The account view (policy.account_view, can, who_can, who_can_assume) asks
-- IAM, so it lives in policy.account and appears here on first use: loading
-- `policy` loads nothing that calls AWS.
local ACCOUNT = { account_view = true, can = true, who_can = true, who_can_assume = true }

return setmetatable(policy, {
  __index = function(t, k)
    if ACCOUNT[k] then
      local fn = require("policy.account")[k]
      rawset(t, k, fn)
      return fn
    end
  end,
})
