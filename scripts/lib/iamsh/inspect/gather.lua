-- iamsh.inspect.gather: the reads behind show.* and stale{}, shared by them.
-- Every listing goes through iam.all (all pages); each function says what it
-- costs in calls.
local aws = require("aws")
local iam = require("iam")

local G = {}

local NAME_KEY = { role = "RoleName", user = "UserName", group = "GroupName" }
local DAY = 86400

-- opts.now (seconds since the epoch, for tests and reports "as of") or the
-- clock; level is error()'s, counted from the caller of G.now.
function G.now(fn, opts, level)
  if opts ~= nil and type(opts) ~= "table" then
    error(fn .. ": options must be a table", level + 1)
  end
  local now = opts and opts.now
  if now == nil then
    return os.time()
  elseif type(now) ~= "number" then
    error(fn .. ": now must be a number (seconds since the epoch)", level + 1)
  end
  return now
end

-- Whole days from the ISO 8601 timestamp iso to now; 0 rather than negative
-- when the two clocks disagree by a little.
function G.days_since(iso, now)
  return math.max(0, math.floor((now - aws.timestamp(iso)) / DAY))
end

-- fn(...), or nil when IAM answers NoSuchEntity (a login profile that was
-- never made, an entity deleted between a listing and a read of it).
function G.unless_missing(fn, ...)
  local ok, res = pcall(fn, ...)
  if ok then
    return res
  elseif aws.is_error(res) and res.code == "NoSuchEntity" then
    return nil
  end
  error(res, 0)
end

-- The managed policies attached to a role, user or group: ListAttached*Policies.
function G.attached(kind, name)
  return iam.all("list_attached_" .. kind .. "_policies", { [NAME_KEY[kind]] = name })
end

-- A role's, user's or group's inline policies as {PolicyName, PolicyDocument}:
-- List*Policies, then Get*Policy for each (1 + n calls).
function G.inline(kind, name)
  local key = NAME_KEY[kind]
  local get = iam["get_" .. kind .. "_policy"]
  local out = aws.json.array {}
  for _, policy_name in ipairs(iam.all("list_" .. kind .. "_policies", { [key] = name })) do
    local got = get { [key] = name, PolicyName = policy_name }
    out[#out + 1] = { PolicyName = policy_name, PolicyDocument = got.PolicyDocument }
  end
  return out
end

-- A user's groups, each {group, attached, inline} (1 + 2 per group + inline).
function G.groups(user)
  local out = aws.json.array {}
  for _, g in ipairs(iam.all("list_groups_for_user", { UserName = user })) do
    out[#out + 1] = { group = g, attached = G.attached("group", g.GroupName),
      inline = G.inline("group", g.GroupName) }
  end
  return out
end

-- A user's access keys (ListAccessKeys: no secret in it), each with
-- LastUsed, GetAccessKeyLastUsed's AccessKeyLastUsed (per AWS: no
-- LastUsedDate, ServiceName and Region "N/A" when never used), and AgeDays,
-- its age in whole days at now (1 + one call per key).
function G.access_keys(user, now)
  local keys = iam.all("list_access_keys", { UserName = user })
  for _, k in ipairs(keys) do
    k.LastUsed = iam.get_access_key_last_used { AccessKeyId = k.AccessKeyId }.AccessKeyLastUsed
    k.AgeDays = G.days_since(k.CreateDate, now)
  end
  return keys
end

local function not_found(name)
  return setmetatable({ kind = "service", code = "NoSuchEntity", status = 0, retryable = false,
    operation = "show.policy",
    message = string.format("Policy %s was not found (neither one of the account's nor an AWS managed policy)", name),
  }, aws.Error)
end

-- The account's own policy called name (names are unique in an account,
-- whatever the path, and not told apart by case): ListPolicies Scope=Local,
-- one call per 1,000 policies.
local function local_policy(name)
  for _, p in ipairs(iam.all("list_policies", { Scope = "Local", MaxItems = 1000 })) do
    if p.PolicyName:lower() == name:lower() then
      return p
    end
  end
end

-- The AWS managed policy called name: most sit at the root path, where one
-- GetPolicy finds them; the others (service-role/, job-function/...) need the
-- listing of AWS's ~1,400 policies (2 calls).
local function aws_policy(name, search)
  local partition = aws.config { credentials = false }.partition or "aws"
  local arn = string.format("arn:%s:iam::aws:policy/%s", partition, name)
  local got = G.unless_missing(iam.get_policy, { PolicyArn = arn })
  if got or not search then
    return got and got.Policy
  end
  for _, p in ipairs(iam.all("list_policies", { Scope = "AWS", MaxItems = 1000 })) do
    if p.PolicyName == name then
      return iam.get_policy({ PolicyArn = p.Arn }).Policy
    end
  end
end

-- The GetPolicy record of a managed policy given by ARN or name (the
-- account's or AWS's); NoSuchEntity when there is none, an error naming both
-- ARNs when the account has a policy of the same name as an AWS one.
-- Calls: 1 for an ARN; for a name 2 (AWS's, at the root path) or 3 (the
-- account's), 5 when AWS's listing has to be searched.
function G.policy(arn_or_name)
  if arn_or_name:match("^arn:") then
    return iam.get_policy({ PolicyArn = arn_or_name }).Policy
  end
  local mine = local_policy(arn_or_name)
  local theirs = aws_policy(arn_or_name, not mine)
  if mine and theirs then
    error(string.format("show.policy: %s names both %s and %s; give the ARN", arn_or_name, mine.Arn,
      theirs.Arn), 0)
  elseif mine then
    return iam.get_policy({ PolicyArn = mine.Arn }).Policy
  end
  return theirs or error(not_found(arn_or_name), 0)
end

return G
