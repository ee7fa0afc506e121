-- Small helpers shared by the shipped flows (scripts/sagemaker*.lua).

local context = require("provision.context")
local dotenv = require("dotenv")

local flow = {}

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

-- The region for AWS_REGION in .env: iamsh's (--region, env, profile), else
-- what the file already says, else the handbook's default.
function flow.region(env_path)
  local region = context.region()
  if region and region ~= "" then
    return region
  end
  local text = require("iamsh.fs").read(env_path)
  return (text and dotenv.get(text, "AWS_REGION")) or "eu-central-1"
end

-- A result line on stdout (apply mode only: in plan mode stdout is the plan).
function flow.say(line)
  if not context.planning() then
    io.stdout:write(line, "\n")
  end
end

function flow.done()
  local provision = require("provision")
  if not context.planning() then
    context.progress(provision.summary())
  end
end

return flow
