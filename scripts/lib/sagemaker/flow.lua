-- What the shipped SageMaker flows (scripts/sagemaker*.lua) share: their
-- arguments, declared and checked once; the flow table built from a converge
-- function; the .env update with the handbook's default region; result lines.

local provision = require("provision")
local dotenv = require("dotenv")

local flow = {}

-- Every argument of the SageMaker flows; each flow picks the ones it takes.
local ARGS = {
  role_name = { default = "SageMakerExecutionRoleLLM", doc = "name of the SageMaker execution role" },
  user_name = { default = "sagemaker-deployer", doc = "name of the deployer user" },
  out_dir = { default = ".",
    doc = "folder for sagemaker_execution_role.json and sagemaker_user_credentials.json (must exist)" },
  env_file = { default = "",
    doc = "a .env file to set AWS_ARN_ROLE, AWS_ACCESS_KEY, AWS_SECRET_KEY, AWS_REGION in (optional)" },
  deployer_policy = { default = "handbook", doc = "handbook (5 managed policies) or least-privilege" },
  bucket = { default = "", doc = "S3 bucket the deploy code uses (for deployer_policy=least-privilege)" },
  exclusive = { default = "false", doc = "true: also detach/delete policies the sets do not list" },
  rotate = { default = "false", doc = "true: with 2 keys already, delete the oldest to make room" },
}

-- A bad argument value: one line, exit 252 (the host's usage error).
local usage = require("iamsh.errors").usage
flow.usage = usage

-- key=value arguments arrive as strings: "true" or "false", nothing else.
function flow.flag(args, name)
  return provision.flag(args[name], name)
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

local function is_dir(path)
  local st = require("iamsh.fs").stat(path)
  return st ~= nil and st.type == "dir"
end

-- An S3 bucket name as S3 defines it (3-63 of a-z 0-9 . -, letter or digit
-- at both ends). It goes into policy ARNs, where anything else (a *, a /)
-- would widen what the policy grants.
function flow.bucket(v)
  local b = flow.given(v)
  if not b then
    usage("deployer_policy=least-privilege needs bucket=NAME (the S3 bucket the deploy code uses)")
  end
  if #b < 3 or #b > 63 or not b:match("^[a-z0-9][a-z0-9.-]*[a-z0-9]$") or b:find("..", 1, true) then
    usage("bucket=%s is not a valid S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')", b)
  end
  return b
end

-- The arguments every flow shares, checked before anything is read: flags,
-- and the folders files go to.
local function check_common(a)
  for _, name in ipairs({ "exclusive", "rotate" }) do
    if a[name] ~= nil then
      flow.flag(a, name)
    end
  end
  if a.out_dir ~= nil and a.out_dir ~= "" and not is_dir(a.out_dir) then
    usage("out_dir=%s is not a folder", a.out_dir)
  end
  local env = flow.given(a.env_file)
  local dir = env and env:match("^(.*)/[^/]*$")
  if dir and dir ~= "" and not is_dir(dir) then
    usage("env_file=%s: folder %s does not exist", env, dir)
  end
end

-- A flow table (description, args, run) from a converge function. `converge`
-- and `check` are exported too, so that sagemaker.lua chains the flows;
-- t.check(args), if given, refuses bad arguments before anything is read.
-- The runner prints the Plan/Done line after run.
function flow.define(t)
  local args = {}
  for _, name in ipairs(t.args) do
    args[name] = assert(ARGS[name], name)
  end
  local function check(a)
    check_common(a)
    if t.check then
      t.check(a)
    end
  end
  return {
    description = t.description,
    args = args,
    check = check,
    converge = t.converge,
    run = function(a)
      check(a)
      return t.converge(a)
    end,
  }
end

-- The region for AWS_REGION in .env: iamsh's (--region, env, profile), else
-- what the file already says, else the handbook's default.
local function region(env_path)
  local r = provision.region()
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
  provision.env_file({ path = path, values = map, order = order })
end

-- A result line on stdout (apply mode only: in plan mode stdout is the plan).
function flow.say(line)
  if not provision.planning() then
    io.stdout:write(line, "\n")
  end
end

return flow
