-- policy.account: "can X do Y?" answered offline, over an account's whole IAM
-- picture (users with their groups, roles with their trust, managed policies'
-- default versions, inline policies, permissions boundaries) as one paginated
-- GetAccountAuthorizationDetails walk gives it, evaluated by the C engine
-- (aws.policy). Re-exported lazily by `policy` (which stays pure: this module
-- is the one that asks IAM), and behind the REPL's can, who_can and
-- who_can_assume.
--
--   policy.account_view()                   the cached view (refresh = true: walk again)
--   policy.can("user/alice", "s3:GetObject", "arn:aws:s3:::b/k")
--   policy.who_can("iam:PassRole", "arn:aws:iam::123456789012:role/R")
--   policy.who_can_assume("R")

local shown = require("policy.account_view")
local sorted_keys = require("iamsh.tables").sorted_keys

local account = {}

local STS_TRUST_ACTIONS = { "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity" }

local function engine()
  return require("aws").policy
end

local function list(v)
  return type(v) == "table" and v or {}
end

local function fail(fn, fmt, ...)
  error(string.format("policy.%s: " .. fmt, fn, ...), 0)
end

-- --- the view --------------------------------------------------------------

local View = {}
View.__index = View
View.__name = "policy.account_view"

local function tag_map(tags)
  local out = {}
  for _, t in ipairs(list(tags)) do
    out[t.Key] = t.Value or ""
  end
  return out
end

local function default_document(p)
  for _, v in ipairs(list(p.PolicyVersionList)) do
    if v.IsDefaultVersion == true or v.VersionId == p.DefaultVersionId then
      return v.Document
    end
  end
end

local function inline_list(items, owner)
  local out = {}
  for _, p in ipairs(list(items)) do
    out[#out + 1] = { name = owner .. "/inline/" .. p.PolicyName, document = p.PolicyDocument }
  end
  return out
end

local function attached_arns(items)
  local out = {}
  for _, p in ipairs(list(items)) do
    out[#out + 1] = p.PolicyArn
  end
  return out
end

local function boundary_arn(e)
  return type(e.PermissionsBoundary) == "table" and e.PermissionsBoundary.PermissionsBoundaryArn or nil
end

local function add_details(view, d)
  for _, u in ipairs(list(d.UserDetailList)) do
    view.users[u.UserName] = { kind = "user", name = u.UserName, arn = u.Arn, id = u.UserId,
      groups = list(u.GroupList), inline = inline_list(u.UserPolicyList, "user/" .. u.UserName),
      attached = attached_arns(u.AttachedManagedPolicies), boundary = boundary_arn(u), tags = tag_map(u.Tags) }
  end
  for _, g in ipairs(list(d.GroupDetailList)) do
    view.groups[g.GroupName] = { kind = "group", name = g.GroupName, arn = g.Arn,
      inline = inline_list(g.GroupPolicyList, "group/" .. g.GroupName),
      attached = attached_arns(g.AttachedManagedPolicies) }
  end
  for _, r in ipairs(list(d.RoleDetailList)) do
    view.roles[r.RoleName] = { kind = "role", name = r.RoleName, arn = r.Arn, id = r.RoleId,
      trust_document = r.AssumeRolePolicyDocument, inline = inline_list(r.RolePolicyList, "role/" .. r.RoleName),
      attached = attached_arns(r.AttachedManagedPolicies), boundary = boundary_arn(r), tags = tag_map(r.Tags) }
  end
  for _, p in ipairs(list(d.Policies)) do
    view.policies[p.Arn] = { arn = p.Arn, name = p.PolicyName, document = default_document(p) }
  end
end

-- The account and partition, from the first ARN of the account's own.
local function whose(view)
  for _, set in ipairs({ view.users, view.roles, view.groups }) do
    for _, e in pairs(set) do
      local partition, id = tostring(e.arn):match("^arn:([^:]+):iam::(%d+):")
      if id then
        return id, partition
      end
    end
  end
end

-- A view from GetAccountAuthorizationDetails pages (a list of them, or one
-- merged table). opts.fetch(arn) -> document: asked for a managed policy the
-- pages lack; opts.account, opts.partition when no entity tells them.
function account.from_details(pages, opts)
  opts = opts or {}
  if type(pages) ~= "table" then
    fail("account_view", "details must be a table of GetAccountAuthorizationDetails results, not %s", type(pages))
  end
  local view = setmetatable({ users = {}, roles = {}, groups = {}, policies = {}, compiled = {}, sets = {},
    problems = {}, fetch = opts.fetch, loaded_at = os.time() }, View)
  for _, page in ipairs(pages[1] and pages or { pages }) do
    add_details(view, page)
  end
  local id, partition = whose(view)
  view.account, view.partition = opts.account or id, opts.partition or partition or "aws"
  view.user_names, view.role_names = sorted_keys(view.users), sorted_keys(view.roles)
  return view
end

-- One paginated walk of GetAccountAuthorizationDetails; managed policies the
-- walk does not carry (an endpoint may leave AWS managed ones out) are read
-- with GetPolicy and GetPolicyVersion when first needed.
local function walk()
  local iam = require("iam")
  local pages = {}
  for page in iam.pages("get_account_authorization_details", {}) do
    pages[#pages + 1] = page
  end
  local function fetch(arn)
    local p = iam.get_policy({ PolicyArn = arn }).Policy
    local v = iam.get_policy_version({ PolicyArn = arn, VersionId = p.DefaultVersionId }).PolicyVersion
    return v.Document
  end
  return account.from_details(pages, { fetch = fetch })
end

local cached

-- The account's view, walked once and kept; opts.refresh walks again,
-- opts.details builds one from GetAccountAuthorizationDetails results
-- instead (nothing is asked; that view becomes the cached one).
function account.account_view(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    fail("account_view", "opts must be a table {refresh = true} or {details = ...}, not %s", type(opts))
  end
  if opts.details then
    cached = account.from_details(opts.details, opts)
  elseif opts.refresh or not cached then
    cached = walk()
  end
  return cached
end

-- Walk the account again.
function View:refresh()
  local fresh = walk()
  for k in pairs(self) do
    self[k] = nil
  end
  for k, v in pairs(fresh) do
    self[k] = v
  end
  return self
end

-- --- compiled policies -----------------------------------------------------

local function compile(view, doc, kind, name)
  local ok, p = pcall(engine().compile, doc, kind, name)
  if ok then
    return p
  end
  view.problems[#view.problems + 1] = string.format("%s: %s", name, tostring(p.message or p))
end

-- A managed policy, compiled once; nil and why when its document cannot be
-- had or compiled (noted in view.problems too).
function View:managed(arn)
  local c = self.compiled[arn]
  if c == nil then
    local p = self.policies[arn]
    local doc, why = p and p.document, nil
    if not doc and self.fetch then
      local ok, got = pcall(self.fetch, arn)
      doc, why = ok and got or nil, not ok and string.format("%s: cannot read it: %s", arn, tostring(got)) or nil
    elseif not doc then
      why = arn .. ": not in the account's details"
    end
    c = doc and compile(self, doc, "managed", arn) or { why = why or self.problems[#self.problems] }
    if why then
      self.problems[#self.problems + 1] = why
    end
    self.compiled[arn] = c
  end
  if type(c) == "table" then
    return nil, c.why
  end
  return c
end

local function add_inline(view, set, items, kind)
  for _, p in ipairs(items) do
    if p.compiled == nil then
      p.compiled = compile(view, p.document, kind, p.name) or false
    end
    set.identity[#set.identity + 1] = p.compiled or nil
    if not p.compiled then
      set.problems[#set.problems + 1] = view.problems[#view.problems]
    end
  end
end

local function add_managed(view, set, arn, slot)
  local c, why = view:managed(arn)
  if c and slot then
    set[slot] = c
  elseif c then
    set.identity[#set.identity + 1] = c
  else
    set.problems[#set.problems + 1] = why
  end
end

local function add_attached(view, set, arns)
  for _, arn in ipairs(arns) do
    add_managed(view, set, arn)
  end
end

-- A principal's identity-based policies (a user's own, its groups' and the
-- managed ones) and its boundary, compiled; kept on the entity.
-- set.problems: what of them could not be had (the answer then says so).
function View:policies_of(e)
  if e.set then
    return e.set
  end
  local set = { identity = {}, problems = {} }
  add_inline(self, set, e.inline, e.kind == "user" and "inline_user" or "inline_role")
  add_attached(self, set, e.attached)
  for _, g in ipairs(e.groups or {}) do
    local group = self.groups[g]
    if group then
      add_inline(self, set, group.inline, "inline_group")
      add_attached(self, set, group.attached)
    else
      set.problems[#set.problems + 1] = string.format("group %s: not in the account's details", g)
    end
  end
  if e.boundary then
    add_managed(self, set, e.boundary, "boundary")
  end
  e.set = set
  return set
end

function View:trust_of(role)
  if role.trust == nil then
    role.trust = role.trust_document and compile(self, role.trust_document, "trust", "role/" .. role.name .. "/trust")
      or false
  end
  return role.trust or nil
end

-- --- principals ------------------------------------------------------------

-- "user/NAME", "role/NAME", or an ARN of a user, a role or a role session ->
-- the entity and the ARN that makes the request.
function View:principal(p, fn)
  if type(p) ~= "string" or p == "" then
    fail(fn, 'principal must be "user/NAME", "role/NAME" or an ARN, not %s', tostring(p))
  end
  local kind, name = p:match("^(%a+)/(.+)$")
  local caller
  if not kind then
    local rest = p:match("^arn:[^:]+:iam::%d+:(.+)$")
    local role = p:match("^arn:[^:]+:sts::%d+:assumed%-role/([^/]+)/.+$")
    if role then
      kind, name, caller = "role", role, p
    elseif rest then
      kind, name = rest:match("^(%a+)/"), rest:match("([^/]+)$")
    end
  end
  local set = kind == "user" and self.users or kind == "role" and self.roles or nil
  local e = set and set[name]
  if not e then
    fail(fn, "%s is no user or role of account %s (principal: \"user/NAME\", \"role/NAME\" or an ARN)", p,
      tostring(self.account))
  end
  return e, caller or e.arn
end

-- The time of a question, as aws:CurrentTime and aws:EpochTime give it.
local function clock()
  local now = os.time()
  return { iso = os.date("!%Y-%m-%dT%H:%M:%SZ", now), epoch = tostring(now) }
end

-- The context AWS would put in the principal's requests: aws:PrincipalTag/*,
-- aws:userid, aws:CurrentTime and aws:EpochTime (now); then the caller's keys.
local function context_for(e, caller, extra, now)
  local ctx = {}
  for k, v in pairs(e.tags or {}) do
    ctx["aws:PrincipalTag/" .. k] = v
  end
  if e.kind == "user" then
    ctx["aws:userid"] = e.id
  elseif caller:match(":assumed%-role/") then
    ctx["aws:userid"] = tostring(e.id) .. ":" .. caller:match("([^/]+)$")
  end
  ctx["aws:CurrentTime"], ctx["aws:EpochTime"] = now.iso, now.epoch
  for k, v in pairs(extra or {}) do
    ctx[k] = v
  end
  return ctx
end

-- A role of this account named by an ARN (a request's resource), or nil.
function View:role_by_arn(arn)
  local id, name = tostring(arn):match("^arn:[^:]+:iam::(%d+):role/.-([^/]+)$")
  local r = id == self.account and self.roles[name] or nil
  return r and r.arn == arn and r or nil
end

local function trust_action(action)
  return action:lower():match("^sts:") ~= nil
end

-- --- evaluation ------------------------------------------------------------

local function request(view, e, caller, action, resource, context, now)
  local set = view:policies_of(e)
  local role = trust_action(action) and view:role_by_arn(resource) or nil
  return { action = action, resource = resource, principal = caller, identity = set.identity,
    boundary = set.boundary, resource_policy = role and view:trust_of(role) or nil,
    context = context_for(e, caller, context, now) }
end

local function check_request(fn, action, resource, context)
  if type(action) ~= "string" or not action:find(":", 1, true) and action ~= "*" then
    fail(fn, "action must be a string such as \"s3:GetObject\", not %s", tostring(action))
  end
  if type(resource) ~= "string" or resource == "" then
    fail(fn, "resource must be an ARN or \"*\", not %s", tostring(resource))
  end
  if context ~= nil and type(context) ~= "table" then
    fail(fn, "context must be a table {key = value}, not %s", type(context))
  end
end

function View:can(principal, action, resource, context)
  check_request("can", action, resource, context)
  local e, caller = self:principal(principal, "can")
  local r = engine().evaluate(request(self, e, caller, action, resource, context, clock()))
  r.principal, r.action, r.resource, r.problems = caller, action, resource, self:policies_of(e).problems
  return shown.decision(r)
end

-- Every user and role the account's policies allow action on resource, with
-- the statements that allow it.
function View:who_can(action, resource, context)
  check_request("who_can", action, resource, context)
  local evaluate, now, rows = engine().evaluate, clock(), {}
  for _, kind in ipairs({ "user", "role" }) do
    local set = kind == "user" and self.users or self.roles
    for _, name in ipairs(kind == "user" and self.user_names or self.role_names) do
      local e = set[name]
      local r = evaluate(request(self, e, e.arn, action, resource, context, now))
      if r.decision == "allow" then
        rows[#rows + 1] = { kind = kind, name = name, arn = e.arn, matched = r.matched }
      end
    end
  end
  return shown.who_can({ action = action, resource = resource, principals = rows,
    checked = #self.user_names + #self.role_names, problems = self.problems })
end

local function principal_rows(st)
  local out = {}
  if st.Principal == "*" then
    out[1] = { type = "AWS", principal = "*" }
  end
  for _, ptype in ipairs({ "AWS", "Service", "Federated", "CanonicalUser" }) do
    local v = type(st.Principal) == "table" and st.Principal[ptype]
    for _, p in ipairs(type(v) == "table" and v or { v or nil }) do
      out[#out + 1] = { type = ptype, principal = p }
    end
  end
  return out
end

-- The first sts: action a trust statement allows ("sts:AssumeRole", ...).
local function trusted_action(st)
  local actions = type(st.Action) == "table" and st.Action or { st.Action }
  for _, want in ipairs(STS_TRUST_ACTIONS) do
    for _, a in ipairs(actions) do
      local pat = "^" .. tostring(a):lower():gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
        .. "$"
      if want:lower():match(pat) then
        return want
      end
    end
  end
end

local function named_in_account(view, p)
  if p == "*" or p == view.account or p == string.format("arn:%s:iam::%s:root", view.partition, view.account) then
    return "account"
  end
  local kind, name = tostring(p):match("^arn:[^:]+:iam::" .. tostring(view.account) .. ":(%a+)/.-([^/]+)$")
  local e = (kind == "user" and view.users or kind == "role" and view.roles or {})[name]
  return e and e.arn == p and e or nil
end

-- Who the role's trust policy admits: each principal it names (for those of
-- this account, whether their own policies allow sts:AssumeRole too), and,
-- where it trusts the account (or everyone), the account's users and roles
-- whose identity-based policies allow it.
function View:who_can_assume(role)
  local r = type(role) == "string" and (self.roles[role] or self:role_by_arn(role)) or nil
  if not r then
    fail("who_can_assume", "%s is no role of account %s (a role name or ARN)", tostring(role), tostring(self.account))
  end
  local trust, now, rows, whole_account = self:trust_of(r), clock(), {}, false
  for i, st in ipairs(trust and trust:statements() or {}) do
    local doc = require("aws").json.decode(st.text)
    local action = st.effect == "Allow" and trusted_action(doc)
    for _, row in ipairs(action and principal_rows(doc) or {}) do
      row.sid, row.index, row.action, row.condition = st.sid, i, action, doc.Condition ~= nil
      local inside = row.type == "AWS" and named_in_account(self, row.principal)
      if inside == "account" then
        whole_account = true
      elseif inside then
        local res = engine().evaluate(request(self, inside, inside.arn, action, r.arn, nil, now))
        row.decision, row.matched = res.decision, res.matched
      end
      rows[#rows + 1] = row
    end
  end
  local via = {}
  if whole_account then
    via = self:who_can("sts:AssumeRole", r.arn).principals
  end
  return shown.who_can_assume({ role = r.arn, trusted = rows, account = via, problems = self.problems })
end

-- --- the module's face: the cached view ------------------------------------

-- policy.can(principal, action, resource, context) or policy.can{principal=,
-- action=, resource=, context=, remote = true, view = v}.
function account.can(principal, action, resource, context)
  if type(principal) == "table" and getmetatable(principal) == nil then
    local a = principal
    if a.remote then
      return require("policy.remote").can(a.principal, a.action, a.resource, a.context, a.view or cached)
    end
    return (a.view or account.account_view()):can(a.principal, a.action, a.resource, a.context)
  end
  return account.account_view():can(principal, action, resource, context)
end

function account.who_can(action, resource, context)
  return account.account_view():who_can(action, resource, context)
end

function account.who_can_assume(role)
  return account.account_view():who_can_assume(role)
end

return account
