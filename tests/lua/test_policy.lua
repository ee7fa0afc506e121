-- policy.lua: semantic comparison, managed ARNs, trust policies, policy sets.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local mock = require("mock_iam")
local provision = require("provision")
local policy = require("policy")

local function fresh(partition)
  local m = mock.new({ partition = partition })
  provision.reset()
  provision.configure(m:clients())
  return m
end

fresh()

local trust = {
  Version = "2012-10-17",
  Statement = { { Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" } },
}

t.test("a string equals a one-element array", function()
  local other = {
    Version = "2012-10-17",
    Statement = { { Action = { "sts:AssumeRole" }, Effect = "Allow", Principal = { Service = { "sagemaker.amazonaws.com" } } } },
  }
  t.check(policy.equal(trust, other))
end)

t.test("a single statement object equals a one-element statement list", function()
  local other = { Version = "2012-10-17", Statement = trust.Statement[1] }
  t.check(policy.equal(trust, other))
end)

t.test("JSON text with other key order and spacing equals the table", function()
  local text = '{"Statement":[{"Action":"sts:AssumeRole","Principal":{"Service":"sagemaker.amazonaws.com"},'
    .. '"Effect":"Allow"}],  "Version":"2012-10-17"}'
  t.check(policy.equal(text, trust))
end)

t.test("statement order and list order do not matter; Action is case-insensitive", function()
  local a = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = { "s3:GetObject", "s3:PutObject" }, Resource = { "arn:aws:s3:::b/*", "arn:aws:s3:::b" } },
    { Effect = "Deny", Action = "iam:*", Resource = "*" },
  } }
  local b = { Version = "2012-10-17", Statement = {
    { Effect = "Deny", Action = { "IAM:*" }, Resource = { "*" } },
    { Resource = { "arn:aws:s3:::b", "arn:aws:s3:::b/*" }, Action = { "s3:putobject", "s3:GetObject" }, Effect = "Allow" },
  } }
  t.check(policy.equal(a, b))
end)

t.test("real differences are differences", function()
  local other = { Version = "2012-10-17", Statement = { {
    Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" } } }
  t.check(not policy.equal(trust, other), "principal")
  local deny = { Version = "2012-10-17", Statement = { {
    Effect = "Deny", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" } } }
  t.check(not policy.equal(trust, deny), "effect")
  local noversion = { Statement = trust.Statement }
  t.check(not policy.equal(trust, noversion), "Version is kept")
  local resources = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*", Resource = { "a", "b" } } } }
  local fewer = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*", Resource = "a" } } }
  t.check(not policy.equal(resources, fewer), "resource set")
  t.check(not policy.equal(trust, nil), "nil")
end)

t.test("Resource values are case-sensitive, Action values are not", function()
  local a = { Version = "1", Statement = { { Effect = "Allow", Action = "S3:GetObject", Resource = "arn:aws:s3:::B" } } }
  local b = { Version = "1", Statement = { { Effect = "Allow", Action = "s3:getobject", Resource = "arn:aws:s3:::b" } } }
  t.check(not policy.equal(a, b))
end)

t.test("conditions compare as sets; an account id equals its root ARN", function()
  local a = { Version = "1", Statement = { { Effect = "Allow", Action = "iam:PassRole", Resource = "*",
    Principal = { AWS = "123456789012" },
    Condition = { StringEquals = { ["iam:PassedToService"] = "sagemaker.amazonaws.com" } } } } }
  local b = { Version = "1", Statement = { { Effect = "Allow", Action = "iam:PassRole", Resource = "*",
    Principal = { AWS = { "arn:aws:iam::123456789012:root" } },
    Condition = { StringEquals = { ["iam:PassedToService"] = { "sagemaker.amazonaws.com" } } } } } }
  t.check(policy.equal(a, b))
end)

t.test("normalize gives a canonical form", function()
  local n = policy.normalize('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:Get*","Resource":"*"}}')
  t.eq(n.Version, "2012-10-17")
  t.eq(#n.Statement, 1)
  t.eq(n.Statement[1].Action[1], "s3:get*")
  t.eq(n.Statement[1].Resource[1], "*")
end)

t.test("managed policy ARNs use the caller's partition", function()
  fresh("aws")
  t.eq(policy.managed("AmazonS3FullAccess"), "arn:aws:iam::aws:policy/AmazonS3FullAccess")
  fresh("aws-cn")
  t.eq(policy.managed("AmazonS3FullAccess"), "arn:aws-cn:iam::aws:policy/AmazonS3FullAccess")
  t.eq(policy.arn("arn:aws:iam::1:policy/X"), "arn:aws:iam::1:policy/X")
  fresh()
end)

t.test("partition falls back to the configuration without STS", function()
  provision.reset()
  provision.configure({
    sts = { get_caller_identity = function() error({ code = "TransportError", message = "down" }) end },
    aws_config = { partition = "aws-us-gov" },
  })
  t.eq(policy.managed("X"), "arn:aws-us-gov:iam::aws:policy/X")
  fresh()
end)

t.test("trust_service builds the handbook's trust policy", function()
  t.check(policy.equal(policy.trust_service("sagemaker.amazonaws.com"), trust))
end)

t.test("policy sets load as data with placeholders filled", function()
  local exec = policy.load_set("sagemaker-execution")
  t.check(policy.equal(exec.trust, trust), "trust")
  t.eq(#exec.managed, 4)
  local dep = policy.load_set("sagemaker-deployer")
  t.eq(#dep.managed, 5)
  local lp = policy.load_set("sagemaker-deployer-least-privilege", {
    bucket = "my-bucket", execution_role_arn = "arn:aws:iam::123456789012:role/R",
    partition = "aws", account = "123456789012",
  })
  local text = mock.json.encode(lp.document)
  t.check(not text:find("${", 1, true), "no placeholder left")
  t.check(text:find("arn:aws:s3:::my-bucket/*", 1, true), "bucket objects")
  local found_passrole = false
  for _, st in ipairs(lp.document.Statement) do
    local actions = type(st.Action) == "table" and st.Action or { st.Action }
    for _, a in ipairs(actions) do
      t.check(not a:match("^iam:%*"), "no iam:*")
      if a == "iam:PassRole" then
        found_passrole = true
        t.eq(st.Resource, "arn:aws:iam::123456789012:role/R", "PassRole only on the role")
        t.eq(st.Condition.StringEquals["iam:PassedToService"], "sagemaker.amazonaws.com")
      end
    end
  end
  t.check(found_passrole, "PassRole present")
end)

t.test("a missing placeholder value is a clear error", function()
  local err = t.raises(function() policy.load_set("sagemaker-deployer-least-privilege", {}) end)
  t.check(tostring(err):find("no value for ${", 1, true), tostring(err))
end)

t.test("policy set files get an empty environment", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write("return { x = os.getenv('HOME') }")
  f:close()
  local err = t.raises(function() policy.load_set(path .. ".lua") end)
  t.check(tostring(err):find("cannot read", 1, true), tostring(err))
  os.rename(path, path .. ".lua")
  err = t.raises(function() policy.load_set(path .. ".lua") end)
  t.check(tostring(err):find("must return a table", 1, true), tostring(err))
  os.remove(path .. ".lua")
end)

t.finish()
