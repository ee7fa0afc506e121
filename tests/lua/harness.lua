-- Minimal test harness: test(name, fn), checks that raise, and a summary
-- line "N passed, N failed" that errors (non-zero exit) on any failure.

local harness = { passed = 0, failed = 0 }

local function show(v)
  if type(v) == "string" then
    return string.format("%q", v)
  end
  return tostring(v)
end

function harness.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    harness.passed = harness.passed + 1
  else
    harness.failed = harness.failed + 1
    io.stdout:write("FAIL ", name, ": ", tostring(err), "\n")
  end
end

function harness.check(cond, msg)
  if not cond then
    error(msg or "check failed", 2)
  end
end

function harness.eq(got, want, msg)
  if got ~= want then
    error(string.format("%s: got %s, want %s", msg or "eq", show(got), show(want)), 2)
  end
end

-- Runs fn, which must raise; returns the error.
function harness.raises(fn, msg)
  local ok, err = pcall(fn)
  if ok then
    error((msg or "expected an error") .. ", but none was raised", 2)
  end
  return err
end

function harness.finish()
  local line = string.format("%d passed, %d failed", harness.passed, harness.failed)
  io.stdout:write(line, "\n")
  io.stdout:flush()
  if harness.failed > 0 then
    error(line, 0)
  end
end

return harness
