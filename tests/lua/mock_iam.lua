-- An in-memory IAM + STS with the API surface of iamsh's bindings (issue 3):
-- snake_case operations taking one PascalCase table, results shaped like
-- AWS's <OpResult> (lists are arrays, policy documents decoded tables),
-- errors raised as tables {code, message, status, operation, retryable}.
-- As strict as AWS where the library's correctness depends on it (moto is
-- not): EntityAlreadyExists (names case-insensitive), NoSuchEntity (also for
-- an AWS managed policy that does not exist, and for a permissions boundary,
-- group or user that does not), DeleteConflict (role/user/group/policy/
-- instance profile still attached or owning things, a policy still used as a
-- permissions boundary), LimitExceeded (a third access key, active or not; a
-- sixth policy version; an eleventh managed policy; a second role in an
-- instance profile; inline and trust policy sizes), ValidationError for names
-- IAM refuses, MalformedPolicyDocument for trust policies without a
-- principal, with a Resource, or naming a principal (role, user, OIDC
-- provider) that does not exist ("Invalid principal in policy").
--
-- Eventual consistency, as AWS shows it right after a create:
--   m.lag = n            the next n calls on a new role/user say NoSuchEntity;
--   m.principal_lag = n  a trust policy naming a new role/user is refused
--                        n times with "Invalid principal in policy";
--   m.conflict_lag = n   DeleteRole/DeleteUser say DeleteConflict n times
--                        after the entity's last attachment went away.
--
-- For tests: m.calls and m.writes log every call; m:fail(op, err, opts)
-- injects failures (opts.after = the call takes effect, then fails, like a
-- lost response); m.mangle = true returns policy documents reordered the way
-- IAM does; m.quotas holds the account's quotas (GetAccountSummary).
--
-- The operations are in mock_iam_principals.lua (roles, users, groups, their
-- policies, keys and credentials) and mock_iam_resources.lua (managed
-- policies, instance profiles, OIDC providers, the account summary).

local json = require("aws").json

local mock = {}

local Error = {}
Error.__index = Error
Error.__tostring = function(e)
  return string.format("%s: %s (%d): %s", e.operation or "?", e.code, e.status or 0, e.message or "")
end

function mock.is_error(v)
  return getmetatable(v) == Error
end

local STATUS = {
  NoSuchEntity = 404, EntityAlreadyExists = 409, DeleteConflict = 409, LimitExceeded = 409,
  MalformedPolicyDocument = 400, InvalidInput = 400, ValidationError = 400, ServiceFailure = 500,
  Throttling = 400,
}

local function raise(op, code, message, status)
  error(setmetatable({
    code = code, message = message, status = status or STATUS[code] or 400,
    operation = op, request_id = "mock-request", retryable = (status or 0) >= 500 or code == "Throttling",
  }, Error), 0)
end
mock.raise = raise

local function copy(v)
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    out[k] = copy(x)
  end
  return out
end

-- Keys of t in order, as an array.
local keys_of = require("iamsh.tables").sorted_keys

local function count(t)
  local n = 0
  for _ in pairs(t) do
    n = n + 1
  end
  return n
end

-- What IAM does to a document: decode, and (with mangle) reorder statements
-- and turn one-element lists into strings and back.
local function reform(doc, mangle)
  doc = copy(doc)
  if not mangle or type(doc.Statement) ~= "table" then
    return doc
  end
  local st = doc.Statement
  if st[1] == nil then
    st = { st }
  end
  local rev = {}
  for i = #st, 1, -1 do
    local s = st[i]
    if type(s.Action) == "string" then
      s.Action = { s.Action }
    elseif type(s.Action) == "table" and #s.Action == 1 then
      s.Action = s.Action[1]
    elseif type(s.Action) == "table" then
      local a = {}
      for j = #s.Action, 1, -1 do
        a[#a + 1] = s.Action[j]
      end
      s.Action = a
    end
    rev[#rev + 1] = s
  end
  doc.Statement = rev
  return doc
end

-- Paginated operations and their result keys (iam.all); a list means a table
-- of arrays keyed by result key, as iamsh.service does.
local RESULT_KEYS = {
  list_attached_role_policies = "AttachedPolicies", list_attached_user_policies = "AttachedPolicies",
  list_attached_group_policies = "AttachedPolicies", list_group_policies = "PolicyNames",
  list_role_policies = "PolicyNames", list_user_policies = "PolicyNames", get_group = "Users",
  list_groups_for_user = "Groups", list_access_keys = "AccessKeyMetadata",
  list_instance_profiles_for_role = "InstanceProfiles", list_mfa_devices = "MFADevices",
  list_ssh_public_keys = "SSHPublicKeys", list_signing_certificates = "Certificates",
  list_policy_versions = "Versions", list_role_tags = "Tags", list_user_tags = "Tags",
  list_policy_tags = "Tags", list_open_id_connect_provider_tags = "Tags", list_roles = "Roles",
  list_users = "Users", list_policies = "Policies", list_groups = "Groups",
  list_entities_for_policy = { "PolicyGroups", "PolicyUsers", "PolicyRoles" },
}

-- The AWS managed policies this IAM knows (a real account has ~1,000; these
-- are the ones the tests and examples use). Any other aws-owned ARN does not
-- exist, as in AWS.
mock.AWS_MANAGED = {
  "AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess",
  "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonSageMakerFullAccess", "CloudWatchLogsFullAccess",
  "AmazonEC2ContainerRegistryFullAccess", "AWSCloudFormationFullAccess", "AmazonSSMManagedInstanceCore",
  "service-role/AWSLambdaBasicExecutionRole",
}

-- Helpers shared by the operation files (h): errors, names, documents, tags.
local function helpers(m)
  local h = { raise = raise, copy = copy, count = count, keys_of = keys_of }

  function h.arn(kind, path, name)
    return string.format("arn:%s:iam::%s:%s%s%s", m.partition, m.account, kind, path or "/", name)
  end

  function h.seq()
    m.seq = m.seq + 1
    return m.seq
  end

  function h.date(seq)
    return os.date("!%Y-%m-%dT%H:%M:%SZ", 1700000000 + seq)
  end

  function h.need(op, p, ...)
    for _, k in ipairs({ ... }) do
      if p[k] == nil then
        error(op .. ": " .. k .. ": missing", 0)
      end
    end
  end

  function h.document(op, d)
    if type(d) == "string" then
      local okd, v = pcall(json.decode, d)
      if not okd or type(v) ~= "table" then
        raise(op, "MalformedPolicyDocument", "Syntax errors in policy.")
      end
      return v
    end
    if type(d) ~= "table" then
      error(op .. ": PolicyDocument: table or JSON string expected", 0)
    end
    return copy(d)
  end

  -- IAM counts a document's size without white space.
  function h.size(doc)
    return #json.encode(doc)
  end

  function h.find(op, store, name, what)
    local e = store[type(name) == "string" and name:lower() or ""]
    if not e then
      raise(op, "NoSuchEntity", string.format("The %s with name %s cannot be found.", what, tostring(name)))
    end
    if e.hidden and e.hidden > 0 and not op:match("^create") then
      e.hidden = e.hidden - 1
      raise(op, "NoSuchEntity", string.format("The %s with name %s cannot be found.", what, name))
    end
    return e
  end

  -- IAM's name rules ([\w+=,.@-], 1 to max characters).
  function h.valid_name(op, member, name, max)
    if type(name) ~= "string" or #name < 1 or #name > (max or 64) or name:find("[^%w_+=,.@-]") then
      raise(op, "ValidationError", string.format("1 validation error detected: Value '%s' at '%s' "
        .. "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        tostring(name), member))
    end
  end

  function h.list_of(v)
    if type(v) == "table" then
      return v
    end
    return { v }
  end

  function h.set_tags(op, e, tags)
    for _, t in ipairs(tags or {}) do
      if type(t.Key) ~= "string" or t.Key:lower():match("^aws:") then
        raise(op, "InvalidInput", "Tag keys starting with aws: are reserved.")
      end
      e.tags[t.Key] = t.Value
    end
    if count(e.tags) > 50 then
      raise(op, "LimitExceeded", "The number of tags has reached the maximum limit.")
    end
  end

  function h.tag_list(e)
    local out = {}
    for _, k in ipairs(keys_of(e.tags)) do
      out[#out + 1] = { Key = k, Value = e.tags[k] }
    end
    return out
  end

  function h.untag(e, keys)
    for _, k in ipairs(keys or {}) do
      e.tags[k] = nil
    end
  end

  -- After its last detach an entity still looks attached for a while: the
  -- first m.conflict_lag deletes conflict.
  function h.settle(e)
    e.conflicts = e.conflicts or m.conflict_lag
    if e.conflicts > 0 then
      e.conflicts = e.conflicts - 1
      return true
    end
    return false
  end

  function h.reform(doc)
    return reform(doc, m.mangle)
  end

  -- A managed policy by ARN (AWS's or the account's), as attach and boundary
  -- calls find it.
  function h.managed(op, a)
    local pol = m.policies[a]
    if not pol then
      raise(op, "NoSuchEntity", "Policy " .. tostring(a) .. " does not exist or is not attachable.")
    end
    return pol
  end

  return h
end

local function aws_policies(m)
  for _, name in ipairs(mock.AWS_MANAGED) do
    local path, base = name:match("^(.*/)([^/]+)$")
    local a = string.format("arn:%s:iam::aws:policy/%s", m.partition, name)
    m.policies[a] = { aws = true, arn = a, name = base or name, path = "/" .. (path or ""), attachments = 0,
      boundary_uses = 0, default = "v1", tags = {},
      versions = { v1 = { doc = { Version = "2012-10-17", Statement = { {
        Effect = "Allow", Action = "*", Resource = "*" } } }, created = "2015-02-06T18:40:00Z" } } }
  end
end

local function is_read(op)
  return op:match("^get_") or op:match("^list_")
end

local function clients(m, ops)
  local function take_fault(op)
    local f = m.faults[op]
    if not f then
      return nil
    end
    f.times = f.times - 1
    if f.times <= 0 then
      m.faults[op] = nil
    end
    return f
  end

  local function invoke(op, p)
    p = p or {}
    m.calls[#m.calls + 1] = { op = op, params = copy(p) }
    if not is_read(op) then
      m.writes[#m.writes + 1] = { op = op, params = copy(p) }
    end
    local f = take_fault(op)
    if f and not f.after then
      raise(op, f.code, f.message, f.status)
    end
    if not ops[op] then
      error("mock IAM: no operation " .. op, 0)
    end
    local res = ops[op](p)
    if f then
      raise(op, f.code, f.message, f.status)
    end
    return copy(res), "mock-request"
  end

  m.iam = setmetatable({}, {
    __index = function(_, op)
      if ops[op] then
        return function(p) return invoke(op, p) end
      end
    end,
  })

  function m.iam.all(op, p)
    local res = invoke(op, p)
    local key = RESULT_KEYS[op]
    if type(key) ~= "table" then
      return res[key] or {}
    end
    local out = {}
    for _, k in ipairs(key) do
      out[k] = res[k] or {}
    end
    return out
  end

  function m.iam.pages(op, p)
    local done = false
    return function()
      if done then
        return nil
      end
      done = true
      return (invoke(op, p))
    end
  end

  m.sts = {
    get_caller_identity = function()
      m.calls[#m.calls + 1] = { op = "get_caller_identity" }
      return { Account = m.account, Arn = string.format("arn:%s:iam::%s:user/admin", m.partition, m.account),
        UserId = "AIDAADMIN" }
    end,
  }
end

function mock.new(opts)
  opts = opts or {}
  local m = {
    account = opts.account or "123456789012",
    partition = opts.partition or "aws",
    roles = {}, users = {}, groups = {}, policies = {}, profiles = {}, oidc = {},
    calls = {}, writes = {}, faults = {}, lag = 0, principal_lag = 0, conflict_lag = 0, mangle = false, seq = 0,
    quotas = {
      AttachedPoliciesPerRoleQuota = 10, AttachedPoliciesPerUserQuota = 10, AttachedPoliciesPerGroupQuota = 10,
      AssumeRolePolicySizeMax = 2048, PolicySizeQuota = 6144, UserPolicySizeQuota = 2048,
      RolePolicySizeQuota = 10240, GroupPolicySizeQuota = 5120, GroupsPerUserQuota = 10,
    },
    json = json,
  }
  local ops = {}
  m.ops = ops
  aws_policies(m)
  local h = helpers(m)
  require("mock_iam_principals").install(m, ops, h)
  require("mock_iam_resources").install(m, ops, h)
  clients(m, ops)

  function m:fail(op, err, o)
    o = o or {}
    self.faults[op] = {
      code = err.code, message = err.message or err.code, status = err.status or STATUS[err.code],
      after = o.after, times = o.times or 1,
    }
  end

  function m:clear_log()
    self.calls, self.writes = {}, {}
  end

  -- What provision.configure needs to use this IAM.
  function m:clients()
    return { iam = self.iam, sts = self.sts, json = json }
  end

  function m:role(name)
    return self.roles[name:lower()]
  end

  function m:user(name)
    return self.users[name:lower()]
  end

  function m:group(name)
    return self.groups[name:lower()]
  end

  function m:profile(name)
    return self.profiles[name:lower()]
  end

  return m
end

mock.json = json

return mock
