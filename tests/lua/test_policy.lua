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
  t.eq(problem('{"Version": "2012-10-17", "Statement": ['),
    "Statement: This policy contains invalid Json (line 1, column 40)")
  t.eq(problem("[1, 2]"), "Syntax errors in policy. The policy must be a JSON object")
  t.eq(problem(42), "Syntax errors in policy. The policy must be a JSON object, not number")
  t.eq(problem({ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = print, Resource = "*" } } }),
    "Statement[1].Action: This policy contains invalid Json (cannot encode a function value as JSON)")
end)

t.test("check: each element's rule in IAM's words, at its path, with a did-you-mean for misspelt names", function()
  local function doc(st, extra)
    local d = { Version = "2012-10-17", Statement = { st } }
    for k, v in pairs(extra or {}) do d[k] = v end
    return d
  end
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*" }, { Statment = {} })),
    "Statment: Syntax errors in policy. Unknown field Statment (did you mean 'Statement'?)")
  t.eq(problem({ Version = "2012-10-17", Statement = {} }), "Statement: Syntax errors in policy. Statement is empty")
  t.eq(problem({ Version = "2012-10-17" }), "Syntax errors in policy. Missing required field Statement")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*" }, { Version = "2012-10-18" })),
    "Version: The policy failed legacy parsing")
  t.eq(problem(doc({ Effect = "allow", Action = "s3:*", Resource = "*" })),
    "Statement[1].Effect: Invalid effect: allow (Allow or Deny)")
  t.eq(problem(doc({ Effect = "Allow", Actoin = "s3:*", Resource = "*" })),
    "Statement[1].Actoin: Syntax errors in policy. Unknown field Actoin (did you mean 'Action'?)")
  t.eq(problem(doc({ Effect = "Allow", Resource = "*" })), "Statement[1]: Policy statement must contain actions.")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", NotAction = "s3:Get*", Resource = "*" })),
    "Statement[1]: Syntax errors in policy. A statement has Action or NotAction, not both")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3GetObject", Resource = "*" })),
    "Statement[1].Action: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:Get Object", Resource = "*" })),
    "Statement[1].Action: Syntax errors in policy. Action s3:Get Object is not service:ActionName")
  t.eq(problem(doc({ Effect = "Allow", Action = {}, Resource = "*" })),
    "Statement[1]: Policy statement must contain actions.")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*" })), "Statement[1]: Policy statement must contain resources.")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "my-bucket" })),
    'Statement[1].Resource: Resource my-bucket must be in ARN format or "*".')
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*", Principal = "*" })),
    "Statement[1].Principal: Policy document should not specify a principal.")
  t.eq(problem(doc({ Sid = "a-b", Effect = "Allow", Action = "s3:*", Resource = "*" })),
    "Statement[1].Sid: Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
    .. "expression [0-9A-Za-z]*")
  t.eq(problem({ Version = "2012-10-17", Statement = {
    { Sid = "A", Effect = "Allow", Action = "s3:*", Resource = "*" },
    { Sid = "A", Effect = "Deny", Action = "s3:*", Resource = "*" } } }),
    "Statement[2].Sid: Statement IDs (SID) in a single policy must be unique.")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*", Condition = { StringEquals = "x" } })),
    "Statement[1].Condition.StringEquals: Syntax errors in policy. The condition operator StringEquals must map "
    .. "keys to values")
  t.eq(problem(doc({ Effect = "Allow", Action = "s3:*", Resource = "*",
    Condition = { ["ForAnyValue:StringEqual"] = { ["aws:TagKeys"] = "a" } } })),
    'Statement[1].Condition["ForAnyValue:StringEqual"]: Invalid Condition type : ForAnyValue:StringEqual '
    .. "(did you mean 'StringEquals'?)", "operator")
end)

t.test("check: all problems come back, each with its path and IAM's error code", function()
  local ok, first, all = policy.check({ Version = "2012-10-17", Statement = {
    { Sid = "a b", Effect = "Permit", Action = "s3", Resource = "bucket" } } }, "managed")
  t.eq(ok, nil)
  t.eq(first, "Statement[1].Sid: Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
    .. "regular expression [0-9A-Za-z]*")
  t.eq(#all, 4)
  t.eq(all[2].path, "Statement[1].Effect")
  t.eq(all[4].code, "MalformedPolicyDocument")
  local _, why, sized = policy.check({ Version = "2012-10-17", Statement = { {
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = string.rep("a", 3000) } } } }, "trust")
  t.check(why:find("^Statement%[1%]%.Principal%.AWS: Invalid principal"), why)
  t.eq(sized[#sized].code, "LimitExceeded")
end)

t.test("check: trust policies need a principal and have no resource", function()
  local function st(s) return { Version = "2012-10-17", Statement = { s } } end
  t.eq(problem(st({ Effect = "Allow", Action = "sts:AssumeRole" }), "trust"),
    "Statement[1]: Missing required field Principal")
  t.eq(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "x.amazonaws.com" },
    Resource = "*" }), "trust"), "Statement[1].Resource: Has prohibited field Resource")
  t.eq(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Servce = "x" } }), "trust"),
    "Statement[1].Principal.Servce: Invalid principal in policy: \"Servce\" (did you mean 'Service'?)")
  t.eq(problem(st({ Effect = "Allow", Action = "sts:AssumeRole", Principal = "someone" }), "trust"),
    "Statement[1].Principal: Syntax errors in policy. Principal must be \"*\" or an object such as {\"AWS\": ...}")
  t.eq(problem(st({ Effect = "Allow", Action = "s3:GetObject", Principal = { Service = "x.amazonaws.com" } }), "trust"),
    "Statement[1].Action: AssumeRole policy may only specify STS AssumeRole actions.")
  t.eq(problem(st({ Effect = "Deny", Action = "sts:AssumeRole", NotPrincipal = { AWS = "123456789012" } }), "trust"),
    "Statement[1].NotPrincipal: Has prohibited field NotPrincipal")
  local err = t.raises(function() policy.check(S3, "bogus") end)
  t.check(tostring(err):find("kind must be one of identity, managed", 1, true), tostring(err))
end)

t.test("check: resource-based policies and the other kinds", function()
  local bucket = { Version = "2012-10-17", Statement = { { Sid = "Public read", Effect = "Allow", Principal = "*",
    Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" } } }
  t.eq(policy.check(bucket, "resource"), bucket)
  t.eq(problem(S3, "resource"), "Statement[1]: Missing required field Principal")
  t.eq(policy.check(S3, "session"), S3)
  t.eq(policy.check(S3, "boundary"), S3)
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
