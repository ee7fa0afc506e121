-- iamsh.local: the IAM and STS of iamsh's local endpoint, as strict as AWS. The
-- server (iamsh serve, iamsh --local) verifies signatures, parses and validates the
-- parameters against the model, and renders the result by the output shape; this
-- module answers (docs/local-endpoint.md has the contract):
--
--   credentials(access_key_id) -> nil | {secret =, session_token =, expires =,
--                                        principal = {arn =, account =, kind =, name =, id =}}
--   handle(request) -> result (the <OpResult>'s content), notes | raises an error
--                      {code =, message =, status =, type =, reason =}
--   bootstrap{account =} -> {access_key_id =, secret =, created =}: the root's keys
--
-- State lives in iamsh.store (SQLite); each request runs in one transaction of the
-- server's. new{store =, account =} makes an instance on another store with the
-- same API; the module's own functions use one on iamsh.store.
local errors = require("iamsh.local.errors")
local authz = require("iamsh.local.authz")
local util = require("iamsh.local.util")

local M = {}

-- Each service's handler files, the most used first: a file is loaded only when an
-- operation is asked for that the files before it do not have (a flow that makes a
-- role and a user never loads the simulator's or the OIDC providers').
local HANDLER_FILES = {
  iam = { "roles", "users", "policies", "attach", "keys", "groups", "profiles", "providers", "account", "simulate" },
  sts = { "sts" },
}

local registry = {} -- service -> operation -> {fn =, resource =, public =, self_authorizing =}
local loaded = {} -- service -> how many of its files are in registry

-- The definition of svc's operation op (nil when no file has it), loading svc's files
-- in order until one has it (op nil: all of them). An operation is defined in one
-- file only.
local function handler(svc, op)
  local files = HANDLER_FILES[svc]
  if not files then
    return nil
  end
  local ops = registry[svc] or {}
  registry[svc] = ops
  local n = loaded[svc] or 0
  while (op == nil or ops[op] == nil) and n < #files do
    n = n + 1
    for name, def in pairs(require("iamsh.local." .. files[n])) do
      if type(def) == "table" and def.fn then
        ops[name] = def
      end
    end
    loaded[svc] = n
  end
  return op ~= nil and ops[op] or nil
end

-- The operations the endpoint answers: {iam = {"AddRoleToInstanceProfile", ...}, sts = {...}}.
function M.operations()
  local out = {}
  for svc in pairs(HANDLER_FILES) do
    handler(svc, nil)
    out[svc] = require("iamsh.tables").sorted_keys(registry[svc])
  end
  return out
end

-- An instance -----------------------------------------------------------------------------

local function root_principal(account, partition)
  return { arn = string.format("arn:%s:iam::%s:root", partition, account), account = account, kind = "root",
    name = account, id = account }
end

-- Records the use of an access key (service and time, to the minute).
local function note_key_use(r)
  local id = r.caller and r.caller.access_key_id
  local k = id and id:sub(1, 4) == "AKIA" and r.store.get("access_key", id)
  if not k then
    return
  end
  local used = k.last_used
  if used and used.service == r.service and used.date:sub(1, 16) == r.iso:sub(1, 16) then
    return
  end
  k.last_used = { date = r.iso, service = r.service, region = r.region or "us-east-1" }
  r.store.put("access_key", id, k)
end

function M.new(opts)
  local store = assert(opts.store, "iamsh.local.new: store is required")
  local inst = { store = store, account = opts.account or "123456789012", partition = opts.partition or "aws" }

  -- The state's root keys, made the first time a state is opened.
  function inst.bootstrap(b)
    inst.account = b.account or inst.account
    local root = store.get("account", "root") or { keys = {} }
    if root.key_id then
      return { access_key_id = root.key_id, secret = root.secret }
    end
    root.key_id, root.secret = store.random_id("AKIA", 16), store.random_secret(40)
    root.created = root.created or util.iso(os.time())
    store.put("account", "root", root)
    return { access_key_id = root.key_id, secret = root.secret, created = true }
  end

  function inst.credentials(id)
    if type(id) ~= "string" then
      return nil
    end
    local root = store.get("account", "root")
    if root and root.key_id == id then
      local p = root_principal(inst.account, inst.partition)
      p.access_key_id = id
      return { secret = root.secret, principal = p }
    end
    local k = store.get("access_key", id)
    if k then
      if k.status ~= "Active" then
        return nil
      end
      if not k.user then
        local p = root_principal(inst.account, inst.partition)
        p.access_key_id = id
        return { secret = k.secret, principal = p }
      end
      local u = store.get("user", k.user)
      return { secret = k.secret, principal = { arn = string.format("arn:%s:iam::%s:user%s%s", inst.partition,
        inst.account, u.path, u.name), account = inst.account, kind = "user", name = u.name, id = u.id,
        access_key_id = id } }
    end
    local s = store.get("session", id)
    if s then
      return { secret = s.secret, session_token = s.token, expires = s.expires, principal = s.principal }
    end
    return nil
  end

  function inst.handle(req)
    local svc, op = req.service, req.operation
    local def = handler(svc, op)
    if not def then -- the server routes only the model's operations here
      errors.raise("NotImplemented", "%s is not implemented by iamsh's local endpoint", tostring(op))
    end
    local p = req.params or {}
    local now = req.now or os.time()
    local r = { store = store, account = req.account or inst.account, partition = inst.partition, now = now,
      iso = util.iso(now), caller = req.caller, request_id = req.request_id, service = svc, op = op,
      enforce = req.enforce or "hard", region = req.region }
    authz.authorize(r, def, p)
    note_key_use(r)
    return def.fn(r, p), { denied = r.denied }
  end

  return inst
end

-- The module's own instance -----------------------------------------------------------------

local default

local function instance()
  default = default or M.new({ store = require("iamsh.store") })
  return default
end

function M.handle(req)
  return instance().handle(req)
end

function M.credentials(id)
  return instance().credentials(id)
end

function M.bootstrap(b)
  return instance().bootstrap(b)
end

M.errors = errors

return M
