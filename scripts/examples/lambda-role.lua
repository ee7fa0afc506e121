-- A Lambda function's execution role: trusted by Lambda, allowed to write its
-- logs (AWS's managed AWSLambdaBasicExecutionRole), and an inline policy for
-- the one DynamoDB table the function uses; tagged for cost reports.
--
--   iamsh run scripts/examples/lambda-role.lua --plan
--   iamsh run scripts/examples/lambda-role.lua name=orders-fn table=orders env=prod
--   iamsh run scripts/examples/lambda-role.lua teardown=true

local provision = require("provision")
local policy = require("policy")

local function table_access(table_name)
  local arn = string.format("arn:%s:dynamodb:%s:%s:table/%s", provision.partition(), provision.region() or "*",
    provision.account(), table_name)
  return {
    Version = "2012-10-17",
    Statement = { {
      Effect = "Allow",
      Action = { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query" },
      Resource = { arn, arn .. "/index/*" },
    } },
  }
end

return {
  description = "Lambda execution role: logs, an inline policy for one DynamoDB table, tags",
  args = {
    name = { default = "orders-fn", doc = "the role's name" },
    table = { default = "orders", doc = "the DynamoDB table the function reads and writes" },
    env = { default = "dev", doc = "the env tag" },
    teardown = { default = "false", doc = "true: remove the role" },
  },
  run = function(args)
    if provision.flag(args.teardown, "teardown") then
      return provision.teardown_role({ name = args.name })
    end
    local role = provision.role({
      name = args.name,
      description = "Execution role of the " .. args.name .. " function",
      trust = policy.trust_service("lambda.amazonaws.com"),
      managed = { "service-role/AWSLambdaBasicExecutionRole" },
      inline = { ["dynamodb-" .. args.table] = table_access(args.table) },
      tags = { app = args.name, env = args.env },
    })
    if not provision.planning() then
      print("Role ARN: " .. role.arn)
    end
  end,
}
