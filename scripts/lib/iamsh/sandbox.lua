-- iamsh.sandbox: run a chunk that should only declare data (a policy set, a
-- script loaded for its description) with a budget of instructions, so that a
-- file with a loop in it fails with a clear message instead of hanging.
local M = {}

-- Enough for any real data file (a table literal costs a few instructions an
-- entry); a loop runs out of it in well under a second.
M.DEFAULT_BUDGET = 10000000

-- run(chunk [, budget]) -> true, results... | false, message
function M.run(chunk, budget)
  budget = budget or M.DEFAULT_BUDGET
  local co = coroutine.create(chunk)
  debug.sethook(co, function()
    error(string.format("took more than %d instructions (a data file must only declare data)",
      budget), 0)
  end, "", budget)
  local results = table.pack(coroutine.resume(co))
  if results[1] and coroutine.status(co) ~= "dead" then
    return false, "yielded (a data file must only declare data)"
  end
  return table.unpack(results, 1, results.n)
end

return M
