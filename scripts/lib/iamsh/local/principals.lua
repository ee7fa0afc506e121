-- iamsh.local.principals: what the policy engine needs to decide for a principal
-- of the account: its identity-based policies (a user's own and its groups', a
-- role's), its permissions boundary, a role session's session policies, and the
-- request context AWS fills for it (principal tags, aws:userid, the time, MFA).
-- Policies are compiled once per text and kept in a small cache.
local entities = require("iamsh.local.entities")

local M = {}

local cache, cached = {}, 0
local CACHE_MAX = 1024

-- The compiled policy for text (of kind), named "<source type> <id>": the type and
-- id SimulatePrincipalPolicy reports (user, group, role, aws-managed,
-- user-managed, resource, session).
function M.compile(text, kind, source_type, id)
  local name = source_type .. " " .. id
  local key = kind .. "\0" .. name .. "\0" .. text
  local p = cache[key]
  if not p then
    if cached >= CACHE_MAX then
      cache, cached = {}, 0
    end
    p = aws.policy.compile(text, kind, name)
    cache[key], cached = p, cached + 1
  end
  return p
end

-- The source type and id of a compiled policy's name.
function M.source(name)
  return name:match("^(%S+) (.*)$")
end

-- Appends the compiled default versions of the managed policies ARNs (those that
-- no longer exist are left out).
local function add_managed(r, out, arns)
  for _, a in ipairs(arns or {}) do
    local pol = entities.managed(r, a)
    if pol then
      out[#out + 1] = M.compile(entities.document(pol), "managed", pol.aws and "aws-managed" or "user-managed", a)
    end
  end
end

local function add_inline(out, e, source_type)
  for name, text in pairs(e.inline or {}) do
    out[#out + 1] = M.compile(text, "identity", source_type, name)
  end
end

local function boundary_of(r, e)
  local pol = e.boundary and entities.managed(r, e.boundary)
  return pol and M.compile(entities.document(pol), "boundary", pol.aws and "aws-managed" or "user-managed", e.boundary)
end

local function tag_context(ctx, tags)
  for _, t in ipairs(tags or {}) do
    ctx["aws:PrincipalTag/" .. t.Key] = t.Value
  end
end

local function base_context(r)
  return { ["aws:CurrentTime"] = r.iso, ["aws:EpochTime"] = r.now, ["aws:RequestedRegion"] = r.region or "us-east-1" }
end

-- {arn =, identity = {...}, boundary =, session = {...}, context = {...}} for a user.
function M.user(r, u)
  local identity = {}
  add_inline(identity, u, "user")
  add_managed(r, identity, u.attached)
  for _, key in ipairs(u.groups or {}) do
    local g = r.store.get("group", key)
    if g then
      add_inline(identity, g, "group")
      add_managed(r, identity, g.attached)
    end
  end
  local ctx = base_context(r)
  ctx["aws:userid"] = u.id
  tag_context(ctx, u.tags)
  return { arn = entities.arn(r, "user", u), identity = identity, boundary = boundary_of(r, u), context = ctx }
end

-- The same for a role; session = the session record of a role session.
function M.role(r, role, session)
  local identity = {}
  add_inline(identity, role, "role")
  add_managed(r, identity, role.attached)
  local ctx = base_context(r)
  tag_context(ctx, role.tags)
  local out = { arn = entities.arn(r, "role", role), identity = identity, boundary = boundary_of(r, role),
    context = ctx }
  if session then
    out.arn = session.principal.arn
    ctx["aws:userid"] = session.principal.id
    ctx["aws:MultiFactorAuthPresent"] = false
    ctx["aws:TokenIssueTime"] = session.issued
    tag_context(ctx, session.tags)
    out.session = {}
    for i, text in ipairs(session.policies or {}) do
      out.session[#out.session + 1] = M.compile(text, "session", "session", "Policy" .. i)
    end
    add_managed(r, out.session, session.policy_arns)
  end
  return out
end

-- The caller's policies (r.caller, a principal from credentials()), or nil for
-- the account's root user (which IAM does not evaluate policies for). Raises
-- AccessDenied-worthy nil for principals that no longer exist: their identity is
-- empty, so nothing is allowed.
function M.caller(r)
  local c = r.caller
  if c.kind == "root" then
    return nil
  end
  if c.kind == "user" then
    local u = entities.get(r, "user", c.name)
    return u and M.user(r, u) or { arn = c.arn, identity = {}, context = base_context(r) }
  end
  local session = c.access_key_id and r.store.get("session", c.access_key_id)
  local role = entities.get(r, "role", c.role_name or (c.arn or ""):match("assumed%-role/([^/]+)/"))
  if not role or not session then
    return { arn = c.arn, identity = {}, context = base_context(r) }
  end
  return M.role(r, role, session)
end

return M
