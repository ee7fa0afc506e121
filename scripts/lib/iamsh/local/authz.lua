-- iamsh.local.authz: whether the caller may make the call, as IAM decides it: the
-- account's root user may do anything; a user's or a role session's keys what
-- their policies allow (identity-based policies, within the permissions
-- boundary and the session policies), decided by the policy engine
-- (aws.policy.evaluate) with the request's context. A denial is AccessDenied in
-- AWS's words; with enforce = "soft" it is allowed and reported instead.
local errors = require("iamsh.local.errors")
local principals = require("iamsh.local.principals")
local entities = require("iamsh.local.entities")

local M = {}

-- The condition keys a request carries about itself: its tags, the policy it
-- attaches, the boundary it sets, the service of a service-linked role, and the
-- tags of the role or user it acts on.
local function request_context(r, p, ctx)
  if p.Tags then
    local keys = {}
    for _, t in ipairs(p.Tags) do
      ctx["aws:RequestTag/" .. t.Key] = t.Value
      keys[#keys + 1] = t.Key
    end
    ctx["aws:TagKeys"] = keys
  end
  if p.TagKeys then
    ctx["aws:TagKeys"] = p.TagKeys
  end
  if p.PolicyArn and (r.op:match("^Attach") or r.op:match("^Detach")) then
    ctx["iam:PolicyARN"] = p.PolicyArn
  end
  if p.PermissionsBoundary then
    ctx["iam:PermissionsBoundary"] = p.PermissionsBoundary
  end
  if p.AWSServiceName then
    ctx["iam:AWSServiceName"] = p.AWSServiceName
  end
  local target = (p.RoleName and entities.get(r, "role", p.RoleName)) or (p.UserName and entities.get(r, "user",
    p.UserName))
  for _, t in ipairs(target and target.tags or {}) do
    ctx["aws:ResourceTag/" .. t.Key] = t.Value
    ctx["iam:ResourceTag/" .. t.Key] = t.Value
  end
end

-- "because no identity-based policy allows the X action", "with an explicit deny
-- in a permissions boundary", ...: the phrase AWS adds for the policy type that
-- denied (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
local TYPE_NAMES = { identity = "identity-based policy", boundary = "permissions boundary", session = "session policy",
  resource = "resource-based policy" }

function M.because(result, action)
  if result.decision == "explicit_deny" then
    local role = result.matched[1] and result.matched[1].role or "identity"
    local name = TYPE_NAMES[role]
    return string.format(" with an explicit deny in a%s %s", name:match("^[aeiou]") and "n" or "", name)
  end
  local role = "identity"
  if result.reason:find("permissions boundary", 1, true) then
    role = "boundary"
  elseif result.reason:find("session polic", 1, true) then
    role = "session"
  end
  return string.format(" because no %s allows the %s action", TYPE_NAMES[role], action)
end

-- The reason for the server's log: the engine's, and the statements that denied.
function M.reason(who, action, resource, result)
  local parts = { string.format("%s: %s may not %s on %s", result.reason, who, action, resource) }
  for _, m in ipairs(result.matched) do
    if m.effect == "Deny" then
      parts[#parts + 1] = string.format("denied by %s statement %d%s", m.policy, m.index,
        m.sid and m.sid ~= "" and (" (" .. m.sid .. ")") or "")
    end
  end
  return table.concat(parts, "; ")
end

-- Raises AccessDenied (or, soft, notes the denial in r.denied) unless the policies
-- allow action on resource.
function M.decide(r, who, action, resource, result)
  if result.decision == "allow" then
    return
  end
  local err = errors.new("AccessDenied", string.format("User: %s is not authorized to perform: %s on resource: %s%s",
    who, action, resource, M.because(result, action)))
  err.reason = M.reason(who, action, resource, result)
  if r.enforce == "soft" then
    r.denied = err.reason
    return
  end
  error(err, 0)
end

-- Evaluates action on resource for the caller's policies (pol from
-- principals.caller), with extra context.
function M.evaluate(pol, action, resource, ctx, resource_policy)
  local context = {}
  for k, v in pairs(pol.context or {}) do
    context[k] = v
  end
  for k, v in pairs(ctx or {}) do
    context[k] = v
  end
  return aws.policy.evaluate({ identity = pol.identity, boundary = pol.boundary, session = pol.session,
    resource_policy = resource_policy, action = action, resource = resource, principal = pol.arn, context = context })
end

-- Whether credentials from GetSessionToken (without MFA) may make the call: not
-- an IAM call, and of STS only AssumeRole and GetCallerIdentity
-- (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
local function session_token_allows(r)
  if r.service == "iam" then
    return false
  end
  return r.op == "AssumeRole" or r.op == "GetCallerIdentity"
end

-- Authorizes the request r (def: the operation's definition) or raises.
function M.authorize(r, def, p)
  local c = r.caller
  if def.public or (def.self_authorizing and c) then
    return
  end
  if not c then
    errors.raise("MissingAuthenticationToken", "Request is missing Authentication Token")
  end
  if c.source == "session-token" and not session_token_allows(r) then
    errors.raise("AccessDenied", "Cannot call %s with credentials from GetSessionToken unless MFA authentication "
      .. "information is included in the request", r.op)
  end
  if c.kind == "root" then
    return
  end
  local action = r.service .. ":" .. r.op
  local resource = def.resource(r, p)
  local ctx = {}
  request_context(r, p, ctx)
  local pol = principals.caller(r)
  M.decide(r, c.arn, action, resource, M.evaluate(pol, action, resource, ctx))
end

return M
