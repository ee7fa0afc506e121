-- What the shipped SageMaker flows (scripts/sagemaker*.lua) share: their
-- arguments, declared once; the flow table built from a converge function;
-- argument parsing; the .env update; result lines and the summary.

local context = require("provision.context")
local step = require("provision.step")
local dotenv = require("dotenv")

local flow = {}

-- Every argument of the SageMaker flows; each flow picks the ones it takes.
local ARGS = {
  role_name = { default = "SageMakerExecutionRoleLLM", doc = "name of the SageMaker execution role" },
  user_name = { default = "sagemaker-deployer", doc = "name of the deployer user" },
  out_dir = { default = ".",
    doc = "folder for sagemaker_execution_role.json and sagemaker_user_credentials.json" },
  env_file = { default = "",
    doc = "a .env file to set AWS_ARN_ROLE, AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_REGION in (optional)" },
  deployer_policy = { default = "handbook", doc = "handbook (5 managed policies) or least-privilege" },
  bucket = { default = "", doc = "S3 bucket the deploy code uses (for deployer_policy=least-privilege)" },
  exclusive = { default = "false", doc = "true: also detach/delete policies the sets do not list" },
  rotate = { default = "false", doc = "true: with 2 keys already, delete the oldest to make room" },
}

-- A flow table (description, args, run) from a converge function: `run`
-- converges (the runner prints the summary); `converge` lets sagemaker.lua chain
-- flows under one summary. t.check(args), if given, refuses bad arguments
-- before anything is read or written.
function flow.define(t)
  local args = {}
  for _, name in ipairs(t.args) do
    args[name] = assert(ARGS[name], name)
  end
  local check = t.check or function() end
  local function converge(a)
    check(a)
    return t.converge(a)
  end
  return {
    description = t.description,
    args = args,
    check = check,
    converge = converge,
    run = converge, -- the runner prints the summary after any script
  }
end

-- key=value arguments arrive as strings: "true", "1", "yes" mean yes.
function flow.flag(v)
  return v == true or v == "true" or v == "1" or v == "yes"
end

-- An optional string argument: "" means not given.
function flow.given(v)
  if v == nil or v == "" then
    return nil
  end
  return v
end

function flow.path(dir, name)
  if dir == nil or dir == "" or dir == "." then
    return name
  end
  return (dir:gsub("/+$", "")) .. "/" .. name
end

-- An S3 bucket name as S3 defines it (3-63 of a-z 0-9 . -, letter or digit
-- at both ends). It goes into policy ARNs, where anything else (a *, a /)
-- would widen what the policy grants.
function flow.bucket(v)
  local b = flow.given(v)
  if not b then
    error("deployer_policy=least-privilege needs bucket=NAME (the S3 bucket the deploy code uses)", 0)
  end
  if #b < 3 or #b > 63 or not b:match("^[a-z0-9][a-z0-9.-]*[a-z0-9]$") or b:find("..", 1, true) then
    error(string.format("bucket=%s is not a valid S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')", b), 0)
  end
  return b
end

-- The region for AWS_REGION in .env: iamsh's (--region, env, profile), else
-- what the file already says, else the handbook's default.
local function region(env_path)
  local r = context.region()
  if r and r ~= "" then
    return r
  end
  local text = require("iamsh.fs").read(env_path)
  return (text and dotenv.get(text, "AWS_REGION")) or "eu-central-1"
end

-- Set the flow's keys, and AWS_REGION, in the .env file named by env_file=
-- (if any), keeping every other line. values: list of {KEY, value}.
function flow.update_env(args, values)
  local path = flow.given(args.env_file)
  if not path then
    return
  end
  local map, order = {}, {}
  values[#values + 1] = { "AWS_REGION", region(path) }
  for _, kv in ipairs(values) do
    map[kv[1]] = kv[2]
    order[#order + 1] = kv[1]
  end
  require("provision").env_file({ path = path, values = map, order = order })
end

-- Managed policies still attached that the set does not list: left alone
-- unless exclusive=true, and said so.
function flow.warn_extra(kind, name, res, args)
  if #res.extra_managed > 0 and not flow.flag(args.exclusive) then
    step.warn(string.format("%s %s still has %s attached; run with exclusive=true to detach",
      kind, name, table.concat(res.extra_managed, ", ")))
  end
end

-- A result line on stdout (apply mode only: in plan mode stdout is the plan).
function flow.say(line)
  if not context.planning() then
    io.stdout:write(line, "\n")
  end
end

return flow
