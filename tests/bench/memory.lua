-- Where iamsh's memory is, for the benchmark's profile (tests/bench/run):
--   iamsh run tests/bench/memory.lua PREFIX [OUT_DIR]
-- Copies /proc/self/smaps and /proc/self/status to PREFIX.aws.smaps and
-- PREFIX.aws.status once the AWS module is loaded; with OUT_DIR, then runs the
-- shipped SageMaker set-up in this process (files in OUT_DIR) and copies them
-- again to PREFIX.setup.*.
local prefix, out_dir = arg[1], arg[2]

local function copy(from, to)
  local f = assert(io.open(from, "r"))
  local text = f:read("a")
  f:close()
  f = assert(io.open(to, "w"))
  f:write(text)
  f:close()
end

local function snapshot(name)
  copy("/proc/self/smaps", prefix .. "." .. name .. ".smaps")
  copy("/proc/self/status", prefix .. "." .. name .. ".status")
end

local _ = aws.config
snapshot("aws")
if out_dir then
  local flow = dofile(require("iamsh").scripts_dir .. "/sagemaker.lua")
  local args = {}
  for name, spec in pairs(flow.args) do
    args[name] = spec.default
  end
  args.out_dir = out_dir
  flow.run(args)
  snapshot("setup")
end
