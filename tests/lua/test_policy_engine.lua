-- aws.policy, the binding of the C policy engine: check (problems with paths,
-- never a crash on bad input), compile (aws.Policy userdata), evaluate (raw
-- documents and compiled ones, context values, misuse raising with the
-- parameter's name); policy.compile and policy.evaluate re-export it.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local P = require("aws").policy
local policy = require("policy")

local ACCT = "123456789012"
local S3READ = { Version = "2012-10-17", Statement = { { Sid = "Read", Effect = "Allow", Action = "s3:Get*",
  Resource = "arn:aws:s3:::b/*" } } }

t.test("check: a valid document has no problems; kinds decide what is required", function()
  t.eq(#P.check(S3READ), 0)
  t.eq(#P.check(S3READ, "managed"), 0)
  local p = P.check(S3READ, "trust")
  t.eq(p[1].path, "Statement[1].Action")
  t.eq(p[1].message, "AssumeRole policy may only specify STS AssumeRole actions.")
  t.eq(p[1].code, "MalformedPolicyDocument")
  local err = t.raises(function() P.check(S3READ, "bucket") end)
  t.check(tostring(err):find("aws.policy.check: unknown policy kind 'bucket'", 1, true), tostring(err))
end)

t.test("check: size quotas by kind, white space not counted", function()
  local actions = {}
  for i = 1, 300 do
    actions[i] = string.format("s3:GetObjectVersion%04d", i)
  end
  local big = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = actions, Resource = "*" } } }
  t.eq(#P.check(big, "identity"), 0, "no quota for a plain identity policy")
  t.eq(#P.check(big, "inline_role"), 0, "10,240 for a role's inline policies")
  local p = P.check(big, "managed")
  t.eq(#p, 1)
  t.eq(p[1].code, "LimitExceeded")
  t.check(p[1].message:find("^Cannot exceed quota for PolicySize: 6144"), p[1].message)
  t.check(P.check(big, "inline_user")[1].message:find("2048", 1, true))
  t.check(P.check(big, "inline_group")[1].message:find("5120", 1, true))
  t.check(P.check(big, "session")[1].message:find("2048", 1, true))
end)

t.test("check: bad input is one problem with its path, never a crash", function()
  local function one(doc, path, message)
    local p = P.check(doc)
    t.eq(#p, 1, "problems for " .. path)
    t.eq(p[1].path, path)
    t.check(p[1].message:find(message, 1, true), p[1].message)
  end
  one("not json", "", "This policy contains invalid Json (line 1, column 1)")
  one('{"Statement": [{"Effect": "Allow"', "Statement[1].Effect", "This policy contains invalid Json")
  one("\255\254", "", "This policy contains invalid Json (not UTF-8)")
  one(nil, "", "The policy must be a JSON object, not nil")
  one(true, "", "The policy must be a JSON object, not boolean")
  one({ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = io.stdout, Resource = "*" } } },
    "Statement[1].Action", "cannot encode a userdata value as JSON")
  one({ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*", Resource = "\255" } } },
    "Statement[1].Resource", "not valid UTF-8")
  local cyclic = { Version = "2012-10-17" }
  cyclic.Statement = { cyclic }
  local p = P.check(cyclic)
  t.eq(#p, 1)
  t.check(p[1].message:find("nested", 1, true), p[1].message)
  local deep = { Effect = "Allow", Action = "s3:*", Resource = "*", Condition = {} }
  local c = deep.Condition
  for _ = 1, 40 do
    c.x = {}
    c = c.x
  end
  p = P.check({ Version = "2012-10-17", Statement = { deep } })
  t.eq(#p, 1)
  t.check(p[1].message:find("nested deeper than 32 levels", 1, true), p[1].message)
  t.check(p[1].path:find("^Statement%[1%]%.Condition%.x%.x"), p[1].path)
  one({ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*", Resource = "*",
    Condition = { NumericLessThan = { ["s3:max-keys"] = "ten" } } } } },
    'Statement[1].Condition.NumericLessThan["s3:max-keys"]', 'NumericLessThan needs numbers: "ten"')
end)

t.test("compile: an aws.Policy with its name, kind and statements; warnings beside it", function()
  local p, warnings = P.compile(S3READ, "managed", "arn:aws:iam::123456789012:policy/Read")
  t.eq(tostring(p), "aws.Policy(managed arn:aws:iam::123456789012:policy/Read, 1 statement)")
  t.eq(#p, 1)
  t.eq(p.name, "arn:aws:iam::123456789012:policy/Read")
  t.eq(p.kind, "managed")
  local st = p:statements()[1]
  t.eq(st.sid, "Read")
  t.eq(st.effect, "Allow")
  t.eq(st.index, 1)
  t.eq(require("aws").json.decode(st.text).Action, "s3:Get*")
  t.eq(#warnings, 0)
  local _, w = P.compile({ Version = "2012-10-17", Statement = { { Sid = "not alnum", Effect = "Deny",
    Action = "*", Resource = "*" } } })
  t.eq(#w, 1, "the Sid's charset does not stop evaluation")
  t.eq(w[1].path, "Statement[1].Sid")
  local q = P.compile('{"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"}}', "boundary")
  t.eq(q.kind, "boundary")
  t.eq(q.name, "")
end)

t.test("compile: a document evaluation cannot get past raises MalformedPolicyDocument with the path", function()
  local err = t.raises(function() P.compile({ Version = "2012-10-17", Statement = { { Effect = "Maybe",
    Action = "s3:*", Resource = "*" } } }) end)
  t.check(require("aws").is_error(err), "an aws.Error")
  t.eq(err.code, "MalformedPolicyDocument")
  t.eq(err.kind, "param")
  t.eq(err.message, "Statement[1].Effect: Invalid effect: Maybe (Allow or Deny)")
  err = t.raises(function() P.compile("{") end)
  t.eq(err.message, "This policy contains invalid Json (line 1, column 1)")
  err = t.raises(function() P.compile({ Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*",
    Resource = "*", Condition = { StringEqualz = { ["aws:x"] = "y" } } } } }) end)
  t.eq(err.message, "Statement[1].Condition.StringEqualz: Invalid Condition type : StringEqualz")
end)

local function req(extra)
  local r = { action = "s3:GetObject", resource = "arn:aws:s3:::b/k",
    principal = "arn:aws:iam::" .. ACCT .. ":user/alice" }
  for k, v in pairs(extra) do
    r[k] = v
  end
  return r
end

t.test("evaluate: documents and compiled policies together; the deciding statements", function()
  local compiled = P.compile(S3READ, "managed", "Read")
  local deny = { Version = "2012-10-17", Statement = { { Sid = "NoSecret", Effect = "Deny", Action = "s3:*",
    Resource = "arn:aws:s3:::b/secret/*" } } }
  local r = P.evaluate(req { identity = { compiled, deny } })
  t.eq(r.decision, "allow")
  t.eq(#r.matched, 1)
  t.eq(r.matched[1].policy, "Read")
  t.eq(r.matched[1].sid, "Read")
  t.eq(r.matched[1].index, 1)
  t.eq(r.matched[1].effect, "Allow")
  t.eq(r.matched[1].role, "identity")
  t.check(r.matched[1].statement:find('"s3:Get*"', 1, true), r.matched[1].statement)
  r = P.evaluate(req { identity = { compiled, deny }, resource = "arn:aws:s3:::b/secret/x" })
  t.eq(r.decision, "explicit_deny")
  t.eq(r.matched[1].policy, "identity[2]", "a document compiled for the call is named by its place")
  t.eq(r.matched[1].sid, "NoSecret")
  t.eq(r.reason, "explicitly denied by a statement")
  r = P.evaluate(req { identity = { compiled }, action = "s3:PutObject" })
  t.eq(r.decision, "implicit_deny")
  t.eq(#r.matched, 0)
end)

t.test("evaluate: boundary, session policies, a resource policy, a trust policy", function()
  local all = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "*", Resource = "*" } } }
  local r = P.evaluate(req { identity = { all }, boundary = S3READ, action = "s3:PutObject" })
  t.eq(r.decision, "implicit_deny")
  t.check(r.reason:find("permissions boundary", 1, true), r.reason)
  r = P.evaluate(req { identity = { all }, session = { S3READ } })
  t.eq(r.decision, "allow")
  t.eq(#r.matched, 2)
  t.eq(r.matched[2].role, "session")
  local bucket = { Version = "2012-10-17", Statement = { { Effect = "Allow",
    Principal = { AWS = "arn:aws:iam::" .. ACCT .. ":user/alice" }, Action = "s3:GetObject",
    Resource = "arn:aws:s3:::b/*" } } }
  r = P.evaluate(req { resource_policy = bucket })
  t.eq(r.decision, "allow", "a same-account resource policy naming the user grants alone")
  t.eq(r.matched[1].policy, "resource_policy")
  t.eq(r.matched[1].role, "resource")
  local trust = { Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { AWS = ACCT },
    Action = "sts:AssumeRole" } } }
  local role = "arn:aws:iam::" .. ACCT .. ":role/R"
  r = P.evaluate(req { action = "sts:AssumeRole", resource = role, resource_policy = trust })
  t.eq(r.decision, "implicit_deny", "trusting the account asks the identity policies too")
  r = P.evaluate(req { action = "sts:AssumeRole", resource = role, resource_policy = trust, identity = { all } })
  t.eq(r.decision, "allow")
end)

t.test("evaluate: context values (strings, numbers, booleans, lists) and principal types", function()
  local doc = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:*", Resource = "*", Condition = {
    Bool = { ["aws:SecureTransport"] = true }, NumericLessThan = { ["s3:max-keys"] = 10 },
    ["ForAllValues:StringEquals"] = { ["aws:TagKeys"] = { "team", "env" } } } } } }
  local function decide(ctx)
    return P.evaluate(req { identity = { doc }, context = ctx }).decision
  end
  t.eq(decide { ["aws:SecureTransport"] = true, ["s3:max-keys"] = 5, ["aws:TagKeys"] = { "team" } }, "allow")
  t.eq(decide { ["aws:securetransport"] = "true", ["s3:max-keys"] = "5" }, "allow", "key names ignore case")
  t.eq(decide { ["aws:SecureTransport"] = false, ["s3:max-keys"] = 5 }, "implicit_deny")
  t.eq(decide { ["aws:SecureTransport"] = true, ["s3:max-keys"] = 50 }, "implicit_deny")
  t.eq(decide { ["aws:SecureTransport"] = true, ["s3:max-keys"] = 5, ["aws:TagKeys"] = { "team", "owner" } },
    "implicit_deny")
  local svc = { Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { Service = "sns.amazonaws.com" },
    Action = "sqs:SendMessage", Resource = "*" } } }
  local r = P.evaluate { action = "sqs:SendMessage", resource = "arn:aws:sqs:us-east-1:" .. ACCT .. ":q",
    principal = "sns.amazonaws.com", resource_policy = svc }
  t.eq(r.decision, "allow")
  r = P.evaluate { action = "sqs:SendMessage", resource = "arn:aws:sqs:us-east-1:" .. ACCT .. ":q",
    principal = "sns.amazonaws.com", principal_type = "AWS", resource_policy = svc }
  t.eq(r.decision, "implicit_deny", "an AWS principal of that text is not the service")
end)

t.test("evaluate: misuse raises naming the parameter", function()
  local function raises(r, text)
    local err = t.raises(function() P.evaluate(r) end)
    t.check(tostring(err):find(text, 1, true), tostring(err))
  end
  raises({ resource = "*" }, "aws.policy.evaluate: action (string) is required")
  raises({ action = "s3:GetObject" }, "resource (string) is required")
  raises({ action = 5, resource = "*" }, "action must be a string, not number")
  raises(req { identity = S3READ }, "identity must be a list of policies, e.g. {doc}")
  raises(req { session = P.compile(S3READ) }, "session must be a list of policies")
  raises(req { identity = { { Statement = "x" } } }, "identity[1]: Statement: Syntax errors in policy.")
  raises(req { boundary = "{" }, "boundary: This policy contains invalid Json")
  raises(req { context = "x" }, "context must be a table")
  raises(req { context = { ["aws:x"] = print } }, 'context["aws:x"] must be a string, number, boolean')
  raises(req { principal_type = "Robot" }, "principal_type must be AWS, Service, Federated or CanonicalUser")
  t.raises(function() P.evaluate("s3:GetObject") end)
end)

t.test("policy.compile and policy.evaluate are the engine's", function()
  local p = policy.compile(S3READ, "managed", "R")
  t.eq(policy.evaluate(req { identity = { p } }).decision, "allow")
  t.eq(policy.evaluate(req { identity = { S3READ }, action = "s3:DeleteObject" }).decision, "implicit_deny")
end)

t.test("many evaluations of compiled policies stay fast and leak nothing", function()
  local p = P.compile(S3READ, "managed", "R")
  local before = collectgarbage("count")
  local t0 = os.clock()
  for i = 1, 20000 do
    P.evaluate(req { identity = { p }, resource = "arn:aws:s3:::b/" .. i })
  end
  collectgarbage()
  collectgarbage()
  t.check(os.clock() - t0 < 5, "20,000 evaluations in " .. (os.clock() - t0) .. " s")
  t.check(collectgarbage("count") - before < 512, "memory grew by " .. (collectgarbage("count") - before) .. " KiB")
end)

t.finish()
