-- iamsh.local.memstore: the state of the local IAM in Lua tables, with the API of
-- the SQLite store (iamsh.store) so the handlers run on either: tests, the
-- in-memory mode and the conformance driver use this one.
--
--   store.get(collection, key) -> value | nil      (a copy: change it, then put it)
--   store.put(collection, key, value)
--   store.delete(collection, key) -> existed
--   store.list(collection, {prefix =, after =, limit =}) -> {{key =, value =}...}
--   store.count(collection, prefix) -> n
--   store.random_id(prefix, n) -> prefix .. n random characters [A-Z0-9]
--   store.atomic(fn, ...) -> fn's results, or its error after undoing its writes
--                            (what the server's per-request transaction does)
--
-- Values are copied in and out, so a handler cannot change the state without a
-- put, as with a database. Keys are listed in byte order.
local M = {}

local function copy(v)
  if type(v) ~= "table" then
    return v
  end
  local out = {}
  for k, x in pairs(v) do
    out[k] = copy(x)
  end
  return setmetatable(out, getmetatable(v))
end

-- The first index of sorted at which key belongs.
local function position(sorted, key)
  local lo, hi = 1, #sorted + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if sorted[mid] < key then
      lo = mid + 1
    else
      hi = mid
    end
  end
  return lo
end

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

-- n random bytes from the kernel (math.random is no source for secrets).
local function random_bytes(n)
  local f = assert(io.open("/dev/urandom", "rb"))
  local bytes = f:read(n)
  f:close()
  return bytes
end

function M.new()
  local data = {} -- collection -> {map = {key -> value}, keys = sorted array}
  local journal -- during atomic(): {collection, key, previous value or false}...
  local store = {}

  local function coll(name)
    local c = data[name]
    if not c then
      c = { map = {}, keys = {} }
      data[name] = c
    end
    return c
  end

  local function remember(name, key)
    if journal then
      local old = coll(name).map[key]
      journal[#journal + 1] = { name, key, old == nil and false or old }
    end
  end

  local function set(name, key, value)
    local c = coll(name)
    if c.map[key] == nil and value ~= nil then
      table.insert(c.keys, position(c.keys, key), key)
    elseif c.map[key] ~= nil and value == nil then
      table.remove(c.keys, position(c.keys, key))
    end
    c.map[key] = value
  end

  local function check_key(fn, key)
    if type(key) ~= "string" then
      error("store." .. fn .. ": the key must be a string, not " .. type(key), 3)
    end
  end

  function store.get(name, key)
    check_key("get", key)
    return copy(coll(name).map[key])
  end

  function store.put(name, key, value)
    check_key("put", key)
    if type(value) ~= "table" then
      error("store.put: the value must be a table", 2)
    end
    remember(name, key)
    set(name, key, copy(value))
  end

  function store.delete(name, key)
    check_key("delete", key)
    if coll(name).map[key] == nil then
      return false
    end
    remember(name, key)
    set(name, key, nil)
    return true
  end

  function store.list(name, opts)
    opts = opts or {}
    local c, out = coll(name), {}
    local prefix = opts.prefix or ""
    local start = position(c.keys, prefix)
    if opts.after and opts.after >= prefix then
      start = position(c.keys, opts.after .. "\0")
    end
    for i = start, #c.keys do
      local key = c.keys[i]
      if key:sub(1, #prefix) ~= prefix or (opts.limit and #out >= opts.limit) then
        break
      end
      out[#out + 1] = { key = key, value = copy(c.map[key]) }
    end
    return out
  end

  function store.count(name, prefix)
    local c = coll(name)
    if not prefix or prefix == "" then
      return #c.keys
    end
    local n = 0
    for i = position(c.keys, prefix), #c.keys do
      if c.keys[i]:sub(1, #prefix) ~= prefix then
        break
      end
      n = n + 1
    end
    return n
  end

  -- Bytes at or above 252 are skipped, so that each character is equally likely.
  function store.random_id(prefix, n)
    local out = {}
    while #out < n do
      for b in random_bytes(2 * n):gmatch(".") do
        local x = b:byte()
        if x < 252 and #out < n then
          x = x % #ALPHABET + 1
          out[#out + 1] = ALPHABET:sub(x, x)
        end
      end
    end
    return (prefix or "") .. table.concat(out)
  end

  -- Runs fn(...); when it raises, every write it made is undone and the error
  -- raised again. Nested calls join the outer one.
  function store.atomic(fn, ...)
    if journal then
      return fn(...)
    end
    journal = {}
    local res = table.pack(pcall(fn, ...))
    local undo = journal
    journal = nil
    if not res[1] then
      for i = #undo, 1, -1 do
        local e = undo[i]
        set(e[1], e[2], e[3] or nil)
      end
      error(res[2], 0)
    end
    return table.unpack(res, 2, res.n)
  end

  return store
end

return M
