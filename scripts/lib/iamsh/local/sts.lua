-- iamsh.local.sts: STS. GetCallerIdentity; GetSessionToken; AssumeRole when the
-- role's trust policy admits the caller and the caller's own policies allow it
-- (the policy engine decides both, the trust policy as the resource-based
-- policy); AssumeRoleWithWebIdentity for a registered OIDC provider.
--
-- A web identity token's signature is not checked: that needs the issuer's keys,
-- fetched over the network, and this endpoint works offline. A token is taken
-- when it is a JWT whose issuer is a registered provider, whose audience is one
-- of its client ids and which has not expired; the role's trust policy then
-- decides, with the token's claims as <provider>:aud, :sub and :amr.
local errors = require("iamsh.local.errors")
local util = require("iamsh.local.util")
local entities = require("iamsh.local.entities")
local principals = require("iamsh.local.principals")
local authz = require("iamsh.local.authz")

local M = {}

local ROLE_CHAINING_MAX = 3600
local ROOT_SESSION_MAX = 3600
local PACKED_LIMIT = 2048 -- characters of session policy, ARNs and tags, packed

local function caller_identity(r, c)
  if c.kind == "root" then
    return { UserId = r.account, Account = r.account, Arn = c.arn }
  end
  return { UserId = c.id, Account = r.account, Arn = c.arn }
end

M.GetCallerIdentity = { public = true, fn = function(r)
  return caller_identity(r, r.caller)
end }

-- New temporary credentials for principal, kept as a session; the Credentials
-- of the result.
local function new_session(r, principal, duration, extra)
  local s = { id = r.store.random_id("ASIA", 16), secret = r.store.random_secret(40),
    token = "IQoJb3JpZ2luX2VjE" .. r.store.random_secret(180), issued = r.iso, expires = r.now + duration,
    principal = principal }
  for k, v in pairs(extra or {}) do
    s[k] = v
  end
  principal.access_key_id = s.id
  r.store.put("session", s.id, s)
  return { AccessKeyId = s.id, SecretAccessKey = s.secret, SessionToken = s.token, Expiration = util.iso(s.expires) }
end

local function no_mfa(p)
  if p.SerialNumber or p.TokenCode then
    errors.raise("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.")
  end
end

M.GetSessionToken = { self_authorizing = true, fn = function(r, p)
  local c = r.caller
  if c.kind ~= "user" and c.kind ~= "root" or c.session_token then
    errors.raise("AccessDenied", "Cannot call GetSessionToken with session credentials")
  end
  no_mfa(p)
  local duration = p.DurationSeconds or 43200
  if c.kind == "root" then
    duration = math.min(duration, ROOT_SESSION_MAX)
  end
  local principal = util.copy(c)
  principal.source, principal.session_token = "session-token", true
  return { Credentials = new_session(r, principal, duration, { source = "session-token" }) }
end }

-- Session policies ---------------------------------------------------------------------

-- The session policy text and policy ARNs, checked, and the packed size as the
-- percentage STS reports (nil when there is nothing to pack).
local function session_policies(p)
  local size, any = 0, false
  local texts = {}
  if p.Policy then
    local text = util.doc_text(p.Policy)
    util.check_doc(text, "session")
    texts[1], size, any = text, util.doc_size(text), true
  end
  for _, a in ipairs(p.PolicyArns or {}) do
    entities.check_arn(a.arn)
    size, any = size + #a.arn, true
  end
  for _, t in ipairs(p.Tags or {}) do
    size, any = size + #t.Key + #t.Value, true
  end
  local packed = any and math.ceil(size * 100 / PACKED_LIMIT) or nil
  if packed and packed > 100 then
    errors.raise("PackedPolicyTooLarge", "Packed size of consolidated policies exceeds the size limit by %d%%",
      packed - 100)
  end
  local arns = {}
  for _, a in ipairs(p.PolicyArns or {}) do
    arns[#arns + 1] = a.arn
  end
  return texts, arns, packed
end

-- The role a RoleArn names in this account, or nil.
local function role_of(r, a)
  local name, path = util.arn_name(a, "role", r.account)
  local e = name and entities.get(r, "role", name)
  if e and e.path == path and e.name == name then
    return e
  end
  return nil
end

local function check_duration(p, role, chaining)
  local d = p.DurationSeconds or 3600
  if chaining and d > ROLE_CHAINING_MAX then
    errors.raise("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles "
      .. "assuming other roles.")
  end
  if d > role.max_session then
    errors.raise("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
  end
  return d
end

-- The credentials of a new session of role, and the result's AssumedRoleUser.
local function role_session(r, role, p, packed, extra)
  local arn = string.format("arn:%s:sts::%s:assumed-role/%s/%s", r.partition, r.account, role.name, p.RoleSessionName)
  local principal = { kind = "assumed-role", arn = arn, account = r.account, name = p.RoleSessionName,
    id = role.id .. ":" .. p.RoleSessionName, role_name = role.name }
  local texts, arns = table.unpack(packed)
  extra.policies, extra.policy_arns, extra.tags = texts, arns, util.copy(p.Tags)
  local creds = new_session(r, principal, p.DurationSeconds or 3600, extra)
  role.last_used = { date = r.iso, region = r.region or "us-east-1" }
  entities.save(r, "role", role)
  return creds, { AssumedRoleId = principal.id, Arn = arn }
end

local function session_context(p, ctx)
  ctx["sts:RoleSessionName"] = p.RoleSessionName
  ctx["sts:ExternalId"] = p.ExternalId
  ctx["sts:SourceIdentity"] = p.SourceIdentity
  for _, t in ipairs(p.Tags or {}) do
    ctx["aws:RequestTag/" .. t.Key] = t.Value
  end
  if p.Tags then
    local keys = {}
    for _, t in ipairs(p.Tags) do
      keys[#keys + 1] = t.Key
    end
    ctx["aws:TagKeys"] = keys
  end
  return ctx
end

M.AssumeRole = { self_authorizing = true, fn = function(r, p)
  local c = r.caller
  if c.kind == "root" then
    errors.raise("AccessDenied", "Roles may not be assumed by root accounts.")
  end
  no_mfa(p)
  local texts, arns, packed = session_policies(p)
  local role = role_of(r, p.RoleArn)
  local pol = principals.caller(r)
  local ctx = session_context(p, {})
  local actions = { "sts:AssumeRole", p.Tags and "sts:TagSession" or nil, p.SourceIdentity and "sts:SetSourceIdentity"
    or nil }
  for _, action in ipairs(actions) do
    local result = role and authz.evaluate(pol, action, p.RoleArn, ctx, role.trust)
      or { decision = "implicit_deny", reason = "implicitly denied: no such role", matched = {} }
    if result.decision ~= "allow" then
      local err = errors.new("AccessDenied", string.format("User: %s is not authorized to perform: %s on resource: %s",
        c.arn, action, p.RoleArn))
      err.reason = authz.reason(c.arn, action, p.RoleArn, result)
      if r.enforce ~= "soft" or not role then
        error(err, 0)
      end
      r.denied = err.reason
    end
  end
  check_duration(p, role, c.kind == "assumed-role")
  local creds, user = role_session(r, role, p, { texts, arns }, { source = "assume-role" })
  return { Credentials = creds, AssumedRoleUser = user, PackedPolicySize = packed, SourceIdentity = p.SourceIdentity }
end }

-- Web identity ---------------------------------------------------------------------------

local function b64url(s)
  s = s:gsub("-", "+"):gsub("_", "/")
  s = s .. string.rep("=", (4 - #s % 4) % 4)
  local ok, text = pcall(aws.base64.decode, s)
  return ok and text or nil
end

-- The token's claims, or InvalidIdentityToken.
local function claims_of(token)
  local header, payload = token:match("^([%w_%-]+)%.([%w_%-]+)%.[%w_%-]*$")
  local h, c = header and b64url(header), payload and b64url(payload)
  local okh, hj = pcall(aws.json.decode, h or "")
  local okc, cj = pcall(aws.json.decode, c or "")
  if not (okh and okc and type(hj) == "table" and type(cj) == "table") then
    errors.raise("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you "
      .. "sent an Access Token)")
  end
  return cj
end

local function list_of(v)
  return type(v) == "table" and v or { v }
end

-- The registered provider of the token's issuer (and its ARN and host), or
-- InvalidIdentityToken in STS's words.
local function provider_of(r, claims)
  local iss = type(claims.iss) == "string" and claims.iss or ""
  local host = iss:gsub("^https://", ""):gsub("/$", "")
  local a = util.arn(r, "oidc-provider/", "", host)
  local o = host ~= "" and r.store.get("oidc", a)
  if not o then
    errors.raise("InvalidIdentityToken", "No OpenIDConnect provider found in your account for %s", iss)
  end
  local aud
  for _, x in ipairs(list_of(claims.aud)) do
    if util.contains(o.clients, x) then
      aud = x
    end
  end
  if not aud then
    errors.raise("InvalidIdentityToken", "Incorrect token audience")
  end
  if type(claims.exp) ~= "number" or claims.exp <= r.now then
    errors.raise("ExpiredTokenException", "Token expired: current date/time %d must be before the expiration "
      .. "date/time %s", r.now, tostring(claims.exp))
  end
  return a, host, aud
end

M.AssumeRoleWithWebIdentity = { public = true, fn = function(r, p)
  local claims = claims_of(p.WebIdentityToken)
  local provider, host, aud = provider_of(r, claims)
  local texts, arns, packed = session_policies(p)
  local role = role_of(r, p.RoleArn)
  local ctx = { [host .. ":aud"] = aud, [host .. ":sub"] = claims.sub, [host .. ":amr"] = claims.amr,
    ["sts:RoleSessionName"] = p.RoleSessionName, ["aws:CurrentTime"] = r.iso, ["aws:EpochTime"] = r.now }
  local result = role and aws.policy.evaluate({ resource_policy = role.trust, action = "sts:AssumeRoleWithWebIdentity",
    resource = p.RoleArn, principal = provider, principal_type = "Federated", context = ctx })
  if not result or result.decision ~= "allow" then
    local err = errors.new("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    err.reason = result and authz.reason(provider, "sts:AssumeRoleWithWebIdentity", p.RoleArn, result)
      or "no such role: " .. p.RoleArn
    error(err, 0)
  end
  check_duration(p, role, false)
  local creds, user = role_session(r, role, p, { texts, arns }, { source = "web-identity" })
  return { Credentials = creds, SubjectFromWebIdentityToken = claims.sub, AssumedRoleUser = user,
    PackedPolicySize = packed, Provider = claims.iss, Audience = aud }
end }

return M
