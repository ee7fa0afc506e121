-- The conformance suite's way into iamsh.local's handlers while `iamsh serve` is
-- not there to answer over HTTP: one JSON request a line on stdin, one JSON answer
-- a line on stdout. Each call runs in one transaction of an in-memory store, as the
-- server runs it in one of SQLite's.
--   {"cmd": "reset", "account": "...", "root_key": "...", "root_secret": "..."}
--   {"cmd": "call", "service": "iam", "operation": "CreateRole", "params": {...},
--    "key": "<the caller's access key id, or null for an unsigned call>", "now": <epoch>}
--   -> {"result": {...}} | {"error": {"code":, "message":, "status":, "type":}}
-- The signature is not verified here (the server's part); the key names the caller.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = table.concat({ dir .. "/../../scripts/lib/?.lua", dir .. "/../../scripts/lib/?/init.lua",
  package.path }, ";")

local json = aws.json
local iamsh_local = require("iamsh.local")
local memstore = require("iamsh.local.memstore")

local store, inst

local function reset(req)
  store = memstore.new()
  inst = iamsh_local.new({ store = store, account = req.account })
  inst.bootstrap({ account = req.account, root_access_key_id = req.root_key, root_secret = req.root_secret })
  return { result = {} }
end

local function call(req)
  local caller
  if req.key and req.key ~= json.null then
    local creds = inst.credentials(req.key)
    if not creds then
      return { error = { code = "InvalidClientTokenId", status = 403, type = "Sender",
        message = "The security token included in the request is invalid." } }
    end
    if creds.expires and creds.expires <= (req.now or os.time()) then
      return { error = { code = "ExpiredToken", status = 400, type = "Sender",
        message = "The security token included in the request is expired" } }
    end
    caller = creds.principal
  end
  local params = req.params
  if params == json.null then
    params = {}
  end
  local ok, res = pcall(store.atomic, inst.handle, { service = req.service, operation = req.operation,
    params = params, caller = caller, request_id = "conformance", now = req.now or os.time(),
    enforce = req.enforce })
  if ok then
    return { result = res }
  end
  if type(res) ~= "table" then
    return { error = { code = "InternalError", status = 500, type = "Receiver", message = tostring(res) } }
  end
  return { error = { code = res.code, message = res.message, status = res.status, type = res.type } }
end

for line in io.lines() do
  local req = json.decode(line)
  local out = req.cmd == "reset" and reset(req) or call(req)
  io.stdout:write(json.encode(out), "\n")
  io.stdout:flush()
end
