-- local_stub.lua - a minimal handlers module for the local endpoint's own tests
-- (IAMSH_LOCAL_HANDLERS=this file): the contract of docs/local-endpoint.md with just
-- enough IAM behind it to test the server's plumbing (the real handlers are
-- scripts/lib/iamsh/local/). Users and their access keys, tags, GetCallerIdentity;
-- a user may do nothing but read (AccessDenied with a reason, or notes.denied under
-- --enforce=soft); DeleteAccountAlias fails with a Lua error (a bug: a 500).
local store = require "iamsh.store"

local M = {}

local function fail(code, message, status, reason)
  error({ code = code, message = message, status = status or 400, type = "Sender",
    reason = reason }, 0)
end

local function root_principal(account)
  return { arn = "arn:aws:iam::" .. account .. ":root", account = account, kind = "root",
    name = account, id = account }
end

function M.bootstrap(args)
  local keys = store.get("root", "keys")
  if keys then return keys end
  keys = { access_key_id = store.random_id("AKIA", 16), secret = store.random_secret(40) }
  store.put("root", "keys", keys)
  store.put("meta", "account", { id = args.account })
  return { access_key_id = keys.access_key_id, secret = keys.secret, created = true }
end

function M.credentials(key_id)
  local root = store.get("root", "keys")
  local account = store.get("meta", "account").id
  if root and root.access_key_id == key_id then
    return { secret = root.secret, principal = root_principal(account) }
  end
  local k = store.get("keys", key_id)
  if not k then return nil end
  return { secret = k.secret, principal = { arn = "arn:aws:iam::" .. account .. ":user/" .. k.user,
    account = account, kind = "user", name = k.user, id = k.user_id } }
end

local function user_view(u)
  return { Path = "/", UserName = u.name, UserId = u.id, Arn = u.arn, CreateDate = u.created,
    Tags = (#u.tags > 0) and u.tags or nil }
end

local function get_user(name)
  local u = store.get("users", name:lower())
  if not u then fail("NoSuchEntity", "The user with name " .. name .. " cannot be found.", 404) end
  return u
end

local ops = {}

function ops.GetCallerIdentity(req)
  local c = req.caller
  return { UserId = c.kind == "root" and c.account or c.id, Account = c.account, Arn = c.arn }
end

function ops.CreateUser(req)
  local p = req.params
  if store.get("users", p.UserName:lower()) then
    fail("EntityAlreadyExists", "User with name " .. p.UserName .. " already exists.", 409)
  end
  local u = { name = p.UserName, id = store.random_id("AIDA", 17), created = req.now,
    arn = "arn:aws:iam::" .. req.account .. ":user/" .. p.UserName, tags = p.Tags or {} }
  store.put("users", p.UserName:lower(), u)
  return { User = user_view(u) }
end

function ops.GetUser(req)
  local name = req.params.UserName or req.caller.name
  return { User = user_view(get_user(name)) }
end

function ops.DeleteUser(req)
  get_user(req.params.UserName)
  if store.count("keys-of", req.params.UserName:lower() .. "/") > 0 then
    fail("DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
  end
  store.delete("users", req.params.UserName:lower())
end

function ops.ListUsers(req)
  local max = req.params.MaxItems or 100
  local rows = store.list("users", { after = req.params.Marker, limit = max + 1 })
  local out = {}
  for i = 1, math.min(#rows, max) do out[i] = user_view(rows[i].value) end
  local more = #rows > max
  return { Users = out, IsTruncated = more, Marker = more and rows[max].key or nil }
end

function ops.CreateAccessKey(req)
  local u = get_user(req.params.UserName)
  local k = { user = u.name, user_id = u.id, secret = store.random_secret(40) }
  local id = store.random_id("AKIA", 16)
  store.put("keys", id, k)
  store.put("keys-of", u.name:lower() .. "/" .. id, {})
  return { AccessKey = { UserName = u.name, AccessKeyId = id, Status = "Active",
    SecretAccessKey = k.secret, CreateDate = req.now } }
end

function ops.TagUser(req)
  local u = get_user(req.params.UserName)
  for _, t in ipairs(req.params.Tags) do u.tags[#u.tags + 1] = t end
  store.put("users", u.name:lower(), u)
end

function ops.DeleteAccountAlias()
  error("a bug in a handler")
end

local reads = { GetCallerIdentity = true, GetUser = true, ListUsers = true }

function M.handle(req)
  local op = ops[req.operation]
  if not op then fail("NotImplemented", req.operation .. " is not in the stub", 501) end
  local c, notes = req.caller, {}
  if c and c.kind == "user" and not reads[req.operation] then
    local why = "no statement of user " .. c.name .. " allows iam:" .. req.operation
    local msg = "User: " .. c.arn .. " is not authorized to perform: iam:" .. req.operation
    if req.enforce ~= "soft" then fail("AccessDenied", msg, 403, why) end
    notes.denied = "allowed by --enforce=soft: " .. why
  end
  return op(req), notes
end

return M
