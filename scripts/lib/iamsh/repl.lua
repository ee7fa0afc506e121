-- iamsh.repl: the Lua side of the interactive shell (host/program/repl.c reads the
-- lines and runs them): the prompt, how values are shown, which lines may be
-- written to the history file, and Tab completion (iamsh.complete).
local iamsh = require "iamsh"

local M = {}

-- Where the session points: profile and region from the configuration (no
-- credential lookup, no network), the account once known.
local state = { config = nil, config_error = nil, account = nil, asked = false,
  answered = 0, calls = 0 }

local function config()
  if state.config == nil and state.config_error == nil then
    local ok, c = pcall(function() return require("aws").config { credentials = false } end)
    if ok then
      state.config = c
    else
      state.config_error = tostring(c)
      io.stderr:write(state.config_error, "\n")
    end
  end
  return state.config or {}
end

-- The account is asked for once, after a line whose calls were all answered by
-- the endpoint (so the first prompt costs no network, a session that only does
-- local work never calls STS, and an endpoint that just failed or hung is not
-- asked again at once). A failure is not retried: the prompt then shows none.
local function account()
  if state.account or state.asked or not package.loaded.aws then return state.account end
  local s = require("aws").stats()
  local all_answered = s.calls > state.calls and s.answered - state.answered == s.calls - state.calls
  state.calls, state.answered = s.calls, s.answered
  if not all_answered then return nil end
  state.asked = true
  local ok, id = pcall(function() return require("sts").get_caller_identity() end)
  if ok and type(id) == "table" then state.account = id.Account end
  return state.account
end

-- Tell the prompt the account when a helper learned it (whoami, say).
function M.set_account(id)
  state.account, state.asked = id, true
end

function M.prompt(continuation)
  if continuation then return ">> " end
  local c = config()
  local who = iamsh.options.profile or c.profile or "default"
  local acct = account()
  if acct then who = who .. "@" .. acct end
  local parts = { "iamsh", who }
  if c.region and c.region ~= "" then parts[#parts + 1] = c.region end
  if iamsh.options.plan then parts[#parts + 1] = "(plan)" end
  return table.concat(parts, " ") .. "> "
end

-- editing: whether readline is there (Tab completion, history).
function M.banner(editing)
  local c = config()
  local where = c.iam_endpoint and (" on " .. c.iam_endpoint) or ""
  return string.format("iamsh %s (%s)%s: help() for help,%s Ctrl-D leaves.",
    iamsh.version, _VERSION, where, editing and " Tab completes," or "")
end

-- The values of an expression: each through the pretty printer (a list of
-- records as a table), several on one line when they are all short. The first
-- is kept in `_` for the next line.
function M.show(...)
  local n = select("#", ...)
  if n == 0 then return end
  local pp = require "iamsh.pp"
  rawset(_G, "_", (...))
  local out = {}
  for i = 1, n do
    out[i] = pp.display((select(i, ...)))
  end
  local sep = "\t"
  for _, s in ipairs(out) do
    if s:find("\n", 1, true) then sep = "\n" end
  end
  io.stdout:write(table.concat(out, sep), "\n")
end

-- Lines that hold a secret-looking value are not written to the history file:
-- a secret's name, a 40-character run such as a secret access key, reveal(...).
local SECRET_WORDS = { "secret", "sessiontoken", "session_token", "password", "passphrase",
  "privatekey", "private_key", "reveal" }
local SECRET_RUN = ("[%w/+]"):rep(40)

function M.keep(line)
  local lower = line:lower()
  for _, w in ipairs(SECRET_WORDS) do
    if lower:find(w, 1, true) then return false end
  end
  return not line:find(SECRET_RUN)
end

function M.complete(line, start)
  return require("iamsh.complete").complete(line, start)
end

return M
