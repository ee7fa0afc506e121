-- Where iamsh's memory is, for the benchmark's profile (tests/bench/run):
--   iamsh --endpoint-url URL run tests/bench/memory.lua PREFIX OUT_DIR
-- Copies /proc/self/smaps and /proc/self/status to PREFIX.<point>.smaps and
-- .status at each point, in order: "aws" (the AWS module loaded), "signed" (one
-- SigV4 signature made, no network), "called" (one GetCallerIdentity answered),
-- "setup" (the shipped SageMaker set-up run in this process, files in OUT_DIR).
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
aws.sigv4.sign({
  method = "POST", url = "https://iam.amazonaws.com/", body = "Action=ListRoles&Version=2010-05-08",
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" },
  region = "us-east-1", service = "iam", access_key = "AKIDEXAMPLE", secret_key = "wJalrXUtnFEMI/K7MDENG",
})
snapshot("signed")
sts.get_caller_identity()
snapshot("called")
local flow = dofile(require("iamsh").scripts_dir .. "/sagemaker.lua")
local args = {}
for name, spec in pairs(flow.args) do
  args[name] = spec.default
end
args.out_dir = out_dir
flow.run(args)
snapshot("setup")
