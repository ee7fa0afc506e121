-- policy.lua: pure (no provision, no AWS call); semantic comparison, the
-- shape check, structured diffs, managed ARNs, trust policies, policy sets.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local mock = require("mock_iam")

t.test("policy is pure: loading and using it loads no provision module and calls nothing", function()
  local before = {}
  for k in pairs(package.loaded) do
    before[k] = true
  end
  local policy = require("policy")
  policy.managed("ReadOnlyAccess")
  policy.equal(policy.trust_service("x.amazonaws.com"), policy.trust_service("x.amazonaws.com"))
  policy.check(policy.trust_service("x.amazonaws.com"), "trust")
  policy.diff(policy.trust_service("a.amazonaws.com"), policy.trust_service("b.amazonaws.com"))
  for k in pairs(package.loaded) do
    t.check(before[k] or not (k:match("^provision") or k == "iam" or k == "sts"), "policy loaded " .. k)
  end
end)

local policy = require("policy")

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

t.test("managed policy ARNs: the partition is passed in (default aws)", function()
  t.eq(policy.managed("AmazonS3FullAccess"), "arn:aws:iam::aws:policy/AmazonS3FullAccess")
  t.eq(policy.managed("AmazonS3FullAccess", "aws-cn"), "arn:aws-cn:iam::aws:policy/AmazonS3FullAccess")
  t.eq(policy.managed("service-role/AWSLambdaBasicExecutionRole"),
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
  t.eq(policy.arn("arn:aws:iam::1:policy/X", "aws-cn"), "arn:aws:iam::1:policy/X")
  t.eq(policy.arn("ReadOnlyAccess", "aws-us-gov"), "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess")
  local err = t.raises(function() policy.managed(nil) end)
  t.check(tostring(err):find("policy name", 1, true), tostring(err))
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

-- policy.check: what IAM would refuse, found before anything is sent.
local function problem(doc, kind)
  local ok, why = policy.check(doc, kind or "identity")
  t.eq(ok, nil, "refused: " .. tostring(why))
  return why
end

local S3 = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "*" } } }

t.test("check: valid documents pass and come back decoded", function()
  t.eq(policy.check(S3, "identity"), S3)
  t.eq(policy.check(trust, "trust"), trust)
  local doc = policy.check('{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["iam:*"],'
    .. '"NotResource":"arn:aws:iam::*:role/x","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},'
    .. '"Bool":{"aws:MultiFactorAuthPresent":false}}}}', "identity")
  t.eq(doc.Statement.Effect, "Deny")
end)

t.test("check: JSON text that is not JSON names the place", function()
  t.check(problem('{"Version": "2012-10-17", "Statement": [') :find("not valid JSON", 1, true))
  t.check(problem("[1, 2]"):find("JSON object", 1, true))
  t.check(problem(42):find("JSON object", 1, true))
end)

t.test("check: each element's rule, with a did-you-mean for unknown ones", function()
  local function doc(st, extra)
    local d = { Version = "2012-10-17", Statement = { st } }
    for k, v in pairs(extra or {}) do d[k] = v end
    return d
  end
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*" }, { Statment = {} }))
    :find("unknown element 'Statment' (did you mean 'Statement'?)", 1, true))
  t.check(problem({ Version = "2012-10-17", Statement = {} }):find("Statement is missing or empty", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*" }, { Version = "2012-10-18" }))
    :find("Version must be", 1, true))
  t.check(problem(doc({ Effect = "allow", Action = "s3:*", Resource = "*" })):find("Effect must be", 1, true))
  t.check(problem(doc({ Effect = "Allow", Actoin = "s3:*", Resource = "*" }))
    :find("Statement 1: unknown element 'Actoin' (did you mean 'Action'?)", 1, true))
  t.check(problem(doc({ Effect = "Allow", Resource = "*" })):find("needs Action or NotAction", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", NotAction = "s3:Get*", Resource = "*" }))
    :find("both Action and NotAction", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3 GetObject", Resource = "*" })):find("is not an action", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = {}, Resource = "*" })):find("non-empty list", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*" })):find("needs Resource or NotResource", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "my-bucket" })):find("must be an ARN", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*", Principal = "*" }))
    :find("not in an identity policy", 1, true))
  t.check(problem(doc({ Sid = "a-b", Effect = "Allow", Action = "s3:*", Resource = "*" }))
    :find("letters and digits", 1, true))
  t.check(problem({ Version = "2012-10-17", Statement = {
    { Sid = "A", Effect = "Allow", Action = "s3:*", Resource = "*" },
    { Sid = "A", Effect = "Deny", Action = "s3:*", Resource = "*" } } }):find("used twice", 1, true))
  t.check(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*", Condition = { StringEquals = "x" } }))
    :find("Condition.StringEquals must be a table", 1, true))
end)

t.test("check: trust policies need a principal and have no resource", function()
  local function st(s) return { Version = "2012-10-17", Statement = { s } } end
  t.check(problem(st({ Effect = "Allow", Action = "sts:AssumeRole" }), "trust"):find("needs Principal", 1, true))
  t.check(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "x" }, Resource = "*" }),
    "trust"):find("has no Resource", 1, true))
  t.check(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Servce = "x" } }), "trust")
    :find("did you mean 'Service'", 1, true))
  t.check(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = "someone" }), "trust")
    :find("Principal must be", 1, true))
  local err = t.raises(function() policy.check(S3, "resource") end)
  t.check(tostring(err):find("kind must be", 1, true), tostring(err))
end)

t.test("check: size limits count characters without white space", function()
  local big = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = {}, Resource = "*" } } }
  for i = 1, 400 do
    big.Statement[1].Action[i] = string.format("s3:GetObject%04d", i)
  end
  t.check(policy.size(big) > 6144, "big: " .. policy.size(big))
  local ok, why = policy.check(big, "identity", { max_size = 6144, what = "a managed policy" })
  t.eq(ok, nil)
  t.check(why:find("IAM's limit for a managed policy is 6144", 1, true), why)
  t.eq(policy.size('{ "Version" : "2012-10-17" }'), #'{"Version":"2012-10-17"}')
end)

-- policy.diff: what a plan shows under "~ update ...".
t.test("diff: a changed principal is shown as old -> new in its statement", function()
  local lines = policy.diff(policy.trust_service("ec2.amazonaws.com"), policy.trust_service("sagemaker.amazonaws.com"))
  t.eq(table.concat(lines, "\n"), '    ~ Statement 1\n        ~ Principal.Service: "ec2.amazonaws.com" -> '
    .. '"sagemaker.amazonaws.com"')
end)

t.test("diff: equal documents (IAM's reformatting) show nothing", function()
  local text = '{"Statement":[{"Action":["sts:AssumeRole"],"Principal":{"Service":"sagemaker.amazonaws.com"},'
    .. '"Effect":"Allow"}],"Version":"2012-10-17"}'
  t.eq(#policy.diff(text, trust), 0)
end)

t.test("diff: statements added, removed and changed; set elements; Sid pairing; keys", function()
  local old = { Version = "2012-10-17", Statement = {
    { Sid = "Read", Effect = "Allow", Action = { "s3:GetObject", "s3:ListBucket" }, Resource = "arn:aws:s3:::b/*" },
    { Effect = "Allow", Action = "logs:*", Resource = "*" },
    { Effect = "Deny", Action = "iam:*", Resource = "*" },
  } }
  local new = { Version = "2012-10-17", Statement = {
    { Sid = "Read", Effect = "Allow", Action = { "s3:GetObject", "S3:PutObject", "s3:DeleteObject" },
      Resource = "arn:aws:s3:::b/*", Condition = { Bool = { ["aws:SecureTransport"] = "true" } } },
    { Effect = "Deny", Action = "IAM:*", Resource = "*" },
    { Effect = "Allow", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:eu-west-1:1:q" },
  } }
  local text = table.concat(policy.diff(old, new), "\n")
  t.check(text:find('    ~ Statement "Read"\n', 1, true), text)
  t.check(text:find('        ~ Action\n            - "s3:ListBucket"\n            + "s3:DeleteObject"\n'
    .. '            + "S3:PutObject"', 1, true), text)
  t.check(text:find('        + Condition: {"Bool":{"aws:SecureTransport":"true"}}', 1, true), text)
  t.check(not text:find("Deny", 1, true), "IAM:* equals iam:* (actions are case-insensitive): " .. text)
  t.check(text:find('    ~ Statement 3\n        ~ Action: "logs:*" -> "sqs:SendMessage"\n'
    .. '        ~ Resource: "*" -> "arn:aws:sqs:eu-west-1:1:q"', 1, true), text)
end)

t.test("diff: a statement with nothing in common is removed and another added", function()
  local old = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "a:b", Resource = "*" } } }
  local new = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "a:b", Resource = "*" },
    { Sid = "New", Effect = "Deny", Action = "c:d", Resource = "arn:x" } } }
  t.eq(table.concat(policy.diff(old, new), "\n"),
    '    + Statement "New": {"Action":"c:d","Effect":"Deny","Resource":"arn:x","Sid":"New"}')
  t.eq(table.concat(policy.diff(new, old), "\n"),
    '    - Statement "New": {"Action":"c:d","Effect":"Deny","Resource":"arn:x","Sid":"New"}')
  local v = policy.diff(old, { Version = "2008-10-17", Statement = old.Statement })
  t.eq(v[1], '    ~ Version: "2012-10-17" -> "2008-10-17"')
end)

t.test("trust_oidc: GitHub Actions' trust policy", function()
  local arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  local doc = policy.trust_oidc(arn, { audience = "sts.amazonaws.com", subjects = { "repo:o/r:ref:refs/heads/main" } })
  t.check(policy.check(doc, "trust"), "valid trust policy")
  local st = doc.Statement[1]
  t.eq(st.Principal.Federated, arn)
  t.eq(st.Action, "sts:AssumeRoleWithWebIdentity")
  t.eq(st.Condition.StringEquals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com")
  t.eq(st.Condition.StringLike["token.actions.githubusercontent.com:sub"][1], "repo:o/r:ref:refs/heads/main")
  t.raises(function() policy.trust_oidc("arn:aws:iam::1:role/x") end)
end)

t.finish()
