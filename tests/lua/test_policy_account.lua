-- policy.account_view, can, who_can, who_can_assume over an account built in
-- memory (GetAccountAuthorizationDetails results), the walk against a fake
-- IAM (pagination, a managed policy the walk lacks, caching and refresh),
-- can{remote = true} against a fake simulator, and how the answers print.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local policy = require("policy")

local A = "123456789012"
local function arn(rest)
  return "arn:aws:iam::" .. A .. ":" .. rest
end
local function doc(...)
  return { Version = "2012-10-17", Statement = { ... } }
end
local function managed(name, document, account)
  local a = account and arn("policy/" .. name) or "arn:aws:iam::aws:policy/" .. name
  return { Arn = a, PolicyName = name, DefaultVersionId = "v2", PolicyVersionList = {
    { VersionId = "v1", IsDefaultVersion = false, Document = doc({ Effect = "Allow", Action = "*", Resource = "*" }) },
    { VersionId = "v2", IsDefaultVersion = true, Document = document } } }
end
local function attach(...)
  local out = {}
  for i, a in ipairs({ ... }) do
    out[i] = { PolicyArn = a, PolicyName = a:match("([^/]+)$") }
  end
  return out
end

local DETAILS = {
  UserDetailList = {
    { UserName = "alice", UserId = "AIDAALICE", Arn = arn("user/alice"), GroupList = { "devs" },
      UserPolicyList = { { PolicyName = "own", PolicyDocument = doc({ Sid = "OwnBucket", Effect = "Allow",
        Action = "s3:*", Resource = "arn:aws:s3:::${aws:username}-*" }) } },
      AttachedManagedPolicies = attach("arn:aws:iam::aws:policy/ReadOnly"),
      Tags = { { Key = "team", Value = "blue" } } },
    { UserName = "bob", UserId = "AIDABOB", Arn = arn("user/ops/bob"), GroupList = {},
      AttachedManagedPolicies = attach("arn:aws:iam::aws:policy/Admin"),
      PermissionsBoundary = { PermissionsBoundaryType = "Policy", PermissionsBoundaryArn = arn("policy/NoIam") } },
    { UserName = "carol", UserId = "AIDACAROL", Arn = arn("user/carol"), GroupList = {},
      AttachedManagedPolicies = attach(arn("policy/AssumeDeploy")) },
  },
  GroupDetailList = {
    { GroupName = "devs", Arn = arn("group/devs"), GroupPolicyList = { { PolicyName = "team", PolicyDocument = doc(
      { Sid = "TeamTag", Effect = "Allow", Action = "ec2:StartInstances", Resource = "*",
        Condition = { StringEquals = { ["aws:ResourceTag/team"] = "${aws:PrincipalTag/team}" } } }) } },
      AttachedManagedPolicies = attach(arn("policy/DenyDelete")) },
  },
  RoleDetailList = {
    { RoleName = "deploy", RoleId = "AROADEPLOY", Arn = arn("role/deploy"),
      AssumeRolePolicyDocument = doc(
        { Sid = "Account", Effect = "Allow", Principal = { AWS = arn("root") }, Action = "sts:AssumeRole",
          Condition = { Bool = { ["aws:MultiFactorAuthPresent"] = "true" } } },
        { Sid = "Ci", Effect = "Allow", Principal = { AWS = arn("user/alice") }, Action = "sts:AssumeRole" },
        { Sid = "Ec2", Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" },
        { Sid = "Other", Effect = "Allow", Principal = { AWS = "arn:aws:iam::444455556666:root" },
          Action = "sts:AssumeRole" }),
      RolePolicyList = { { PolicyName = "pass", PolicyDocument = doc({ Sid = "PassSelf", Effect = "Allow",
        Action = "iam:PassRole", Resource = arn("role/deploy") }) } },
      AttachedManagedPolicies = attach("arn:aws:iam::aws:policy/ReadOnly"), Tags = {} },
    { RoleName = "timed", RoleId = "AROATIMED", Arn = arn("role/timed"),
      AssumeRolePolicyDocument = doc({ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" },
        Action = "sts:AssumeRole" }),
      RolePolicyList = { { PolicyName = "since2000", PolicyDocument = doc({ Sid = "Since2000", Effect = "Allow",
        Action = "s3:GetObject", Resource = "*", Condition = {
          DateGreaterThan = { ["aws:CurrentTime"] = "2000-01-01T00:00:00Z" },
          StringEquals = { ["aws:PrincipalTag/env"] = "prod", ["aws:userid"] = "AROATIMED:nightly" } } }) } },
      Tags = { { Key = "env", Value = "prod" } } },
    { RoleName = "lambda", RoleId = "AROALAMBDA", Arn = arn("role/service/lambda"),
      AssumeRolePolicyDocument = doc({ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" },
        Action = "sts:AssumeRole" }),
      AttachedManagedPolicies = attach("arn:aws:iam::aws:policy/Missing") },
  },
  Policies = {
    managed("ReadOnly", doc({ Sid = "Read", Effect = "Allow", Action = { "s3:Get*", "s3:List*", "ec2:Describe*" },
      Resource = "*" })),
    managed("Admin", doc({ Sid = "All", Effect = "Allow", Action = "*", Resource = "*" })),
    managed("NoIam", doc({ Sid = "NotIam", Effect = "Allow", NotAction = "iam:*", Resource = "*" }), true),
    managed("DenyDelete", doc({ Sid = "NoDelete", Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }), true),
    managed("AssumeDeploy", doc({ Sid = "Assume", Effect = "Allow", Action = "sts:AssumeRole",
      Resource = arn("role/deploy") }), true),
  },
}

local view = policy.account_view({ details = DETAILS })

t.test("the view: entities, the account, its partition; cached", function()
  t.eq(view.account, A)
  t.eq(view.partition, "aws")
  t.eq(table.concat(view.user_names, " "), "alice bob carol")
  t.eq(table.concat(view.role_names, " "), "deploy lambda timed")
  t.eq(policy.account_view(), view, "the cached view")
end)

t.test("can: a user's own inline, its group's inline and managed, its managed policies", function()
  local r = policy.can("user/alice", "s3:PutObject", "arn:aws:s3:::alice-data/x")
  t.eq(r.decision, "allow", "own inline with ${aws:username}")
  t.eq(r.matched[1].policy, "user/alice/inline/own")
  t.eq(r.matched[1].sid, "OwnBucket")
  t.eq(policy.can("user/alice", "s3:PutObject", "arn:aws:s3:::bob-data/x").decision, "implicit_deny")
  r = policy.can("user/alice", "s3:DeleteBucket", "arn:aws:s3:::alice-data")
  t.eq(r.decision, "explicit_deny", "the group's managed deny")
  t.eq(r.matched[1].policy, arn("policy/DenyDelete"))
  t.eq(policy.can("user/alice", "s3:GetObject", "arn:aws:s3:::any/k").decision, "allow", "attached managed")
  r = policy.can("user/alice", "ec2:StartInstances", "arn:aws:ec2:us-east-1:" .. A .. ":instance/i-1",
    { ["aws:ResourceTag/team"] = "blue" })
  t.eq(r.decision, "allow", "the group's inline with the user's tag as aws:PrincipalTag/team")
  t.eq(policy.can("user/alice", "ec2:StartInstances", "*", { ["aws:ResourceTag/team"] = "red" }).decision,
    "implicit_deny")
  t.eq(policy.can(arn("user/alice"), "s3:GetObject", "*").decision, "allow", "by ARN")
end)

t.test("can: a permissions boundary limits a user; roles and role sessions", function()
  t.eq(policy.can("user/bob", "s3:PutObject", "*").decision, "allow")
  local r = policy.can(arn("user/ops/bob"), "iam:CreateUser", "*")
  t.eq(r.decision, "implicit_deny")
  t.check(r.reason:find("permissions boundary", 1, true), r.reason)
  t.eq(r.matched[1].policy, "arn:aws:iam::aws:policy/Admin")
  t.eq(policy.can("role/deploy", "iam:PassRole", arn("role/deploy")).decision, "allow")
  t.eq(policy.can("role/deploy", "iam:PassRole", arn("role/service/lambda")).decision, "implicit_deny")
  r = policy.can("arn:aws:sts::" .. A .. ":assumed-role/deploy/ci-run", "ec2:DescribeInstances", "*")
  t.eq(r.decision, "allow")
  t.eq(r.principal, "arn:aws:sts::" .. A .. ":assumed-role/deploy/ci-run")
  t.eq(policy.can{ principal = "role/deploy", action = "s3:GetObject", resource = "*" }.decision, "allow", "table form")
end)

t.test("can: the context holds the time, the principal's tags and aws:userid; the caller's keys win", function()
  local session = "arn:aws:sts::" .. A .. ":assumed-role/timed/nightly"
  local r = policy.can(session, "s3:GetObject", "arn:aws:s3:::b/k")
  t.eq(r.decision, "allow", r.reason)
  t.eq(r.matched[1].sid, "Since2000")
  t.eq(policy.can(session, "s3:GetObject", "*", { ["aws:CurrentTime"] = "1999-12-31T00:00:00Z" }).decision,
    "implicit_deny")
  t.eq(policy.can(session, "s3:GetObject", "*", { ["aws:PrincipalTag/env"] = "dev" }).decision, "implicit_deny")
  t.eq(policy.can("role/timed", "s3:GetObject", "*").decision, "implicit_deny", "the role itself has no session id")
end)

t.test("can: sts:AssumeRole uses the role's trust policy", function()
  local role = arn("role/deploy")
  local r = policy.can("user/alice", "sts:AssumeRole", role)
  t.eq(r.decision, "allow", "the trust names alice herself")
  t.eq(r.matched[1].policy, "role/deploy/trust")
  t.eq(r.matched[1].sid, "Ci")
  t.eq(policy.can("user/carol", "sts:AssumeRole", role).decision, "implicit_deny", "the account trust needs MFA")
  r = policy.can("user/carol", "sts:AssumeRole", role, { ["aws:MultiFactorAuthPresent"] = "true" })
  t.eq(r.decision, "allow", "account trust + MFA + her identity policy")
  t.eq(#r.matched, 2)
  t.eq(policy.can("user/bob", "sts:AssumeRole", role, { ["aws:MultiFactorAuthPresent"] = "true" }).decision, "allow")
end)

t.test("can: missing policies are noted, not fatal; unknown principals and bad arguments raise", function()
  local r = policy.can("role/lambda", "s3:GetObject", "*")
  t.eq(r.decision, "implicit_deny")
  t.check(#r.problems >= 1 and r.problems[1]:find("arn:aws:iam::aws:policy/Missing: not in the account's details", 1,
    true), tostring(r.problems[1]))
  t.check(tostring(r):find("note: 1 policy left out: arn:aws:iam::aws:policy/Missing", 1, true), tostring(r))
  local err = t.raises(function() policy.can("user/nobody", "s3:GetObject", "*") end)
  t.check(tostring(err):find("policy.can: user/nobody is no user or role of account " .. A, 1, true), tostring(err))
  err = t.raises(function() policy.can("alice", "s3:GetObject", "*") end)
  t.check(tostring(err):find("is no user or role", 1, true), tostring(err))
  err = t.raises(function() policy.can("user/alice", "GetObject", "*") end)
  t.check(tostring(err):find('action must be a string such as "s3:GetObject"', 1, true), tostring(err))
  err = t.raises(function() policy.can("user/alice", "s3:GetObject", nil) end)
  t.check(tostring(err):find("resource must be an ARN", 1, true), tostring(err))
end)

t.test("who_can: every user and role allowed, with the statement that allows it", function()
  local w = policy.who_can("s3:GetObject", "arn:aws:s3:::b/k")
  local names = {}
  for _, p in ipairs(w.principals) do
    names[#names + 1] = p.kind .. "/" .. p.name
  end
  t.eq(table.concat(names, " "), "user/alice user/bob role/deploy")
  t.eq(w.checked, 6)
  t.eq(w.principals[2].matched[1].policy, "arn:aws:iam::aws:policy/Admin")
  t.eq(#policy.who_can("iam:CreateUser", "*").principals, 0, "bob's boundary")
  local text = tostring(policy.who_can("iam:PassRole", arn("role/deploy")))
  t.eq(text, "who can iam:PassRole on " .. arn("role/deploy") .. "\n  1 of 6 users and roles:\n"
    .. "  role deploy  role/deploy/inline/pass statement 1 (PassSelf)\n"
    .. "  note: 1 policy left out: arn:aws:iam::aws:policy/Missing: not in the accoun...")
end)

t.test("who_can_assume: the principals the trust names, and the account's that may", function()
  local w = policy.who_can_assume("deploy")
  t.eq(w.role, arn("role/deploy"))
  t.eq(#w.trusted, 4)
  t.eq(w.trusted[1].principal, arn("root"))
  t.eq(w.trusted[1].condition, true)
  t.eq(w.trusted[2].principal, arn("user/alice"))
  t.eq(w.trusted[2].decision, "allow")
  t.eq(w.trusted[3].type, "Service")
  t.eq(w.trusted[3].decision, nil)
  t.eq(w.trusted[4].principal, "arn:aws:iam::444455556666:root")
  local through = {}
  for _, p in ipairs(w.account) do
    through[#through + 1] = p.name
  end
  t.eq(table.concat(through, " "), "alice", "without MFA only alice, whom the trust names")
  t.eq(policy.who_can_assume(arn("role/service/lambda")).trusted[1].principal, "lambda.amazonaws.com")
  local err = t.raises(function() policy.who_can_assume("nope") end)
  t.check(tostring(err):find("nope is no role of account", 1, true), tostring(err))
end)

t.test("the answers print the decision and the deciding statements", function()
  local text = tostring(policy.can("user/alice", "s3:DeleteBucket", "arn:aws:s3:::alice-data"))
  t.eq(text, table.concat({
    "explicit_deny: user/alice may not s3:DeleteBucket on arn:aws:s3:::alice-data",
    "  explicitly denied by a statement",
    "  statements that deny it:",
    "    DenyDelete statement 1 (NoDelete), identity policy",
    "      NoDelete: Deny s3:DeleteBucket on *",
  }, "\n"))
  local pp = require("iamsh.pp")
  t.eq(pp.display(policy.can("user/alice", "s3:DeleteBucket", "arn:aws:s3:::alice-data"), { width = 120 }), text)
  text = tostring(policy.who_can_assume("deploy"))
  t.check(text:find("Service ec2.amazonaws.com  sts:AssumeRole, statement 3: trusted", 1, true), text)
  t.check(text:find("AWS " .. arn("user/alice") .. "  sts:AssumeRole, statement 2: allow", 1, true), text)
  t.check(text:find("through the trusted account (1):\n    user alice", 1, true), text)
end)

t.test("the walk: every page, a managed policy fetched when missing, cached until refresh", function()
  local calls = {}
  local page2 = { RoleDetailList = DETAILS.RoleDetailList, Policies = { DETAILS.Policies[1] } }
  local fake = {
    pages = function(op)
      calls[#calls + 1] = op
      local i = 0
      local pages = { { UserDetailList = { DETAILS.UserDetailList[3] }, Policies = {}, IsTruncated = true }, page2 }
      return function()
        i = i + 1
        return pages[i]
      end
    end,
    get_policy = function(p)
      calls[#calls + 1] = "get_policy " .. p.PolicyArn
      return { Policy = { Arn = p.PolicyArn, DefaultVersionId = "v3" } }
    end,
    get_policy_version = function(p)
      calls[#calls + 1] = "get_policy_version " .. p.VersionId
      return { PolicyVersion = { Document = doc({ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }) } }
    end,
  }
  local saved = package.loaded.iam
  package.loaded.iam = fake
  local v = policy.account_view({ refresh = true })
  t.eq(table.concat(v.user_names, " "), "carol")
  t.eq(table.concat(v.role_names, " "), "deploy lambda timed")
  t.eq(policy.can("user/carol", "sts:AssumeRole", arn("role/deploy"),
    { ["aws:MultiFactorAuthPresent"] = "true" }).decision, "allow")
  t.eq(table.concat(calls, ", "), "get_account_authorization_details, get_policy " .. arn("policy/AssumeDeploy")
    .. ", get_policy_version v3")
  policy.can("user/carol", "sts:AssumeRole", arn("role/deploy"))
  t.eq(#calls, 3, "compiled once, the view cached")
  v:refresh()
  t.eq(#calls, 4, "refresh walks again")
  package.loaded.iam = saved
end)

t.test("can{remote = true} asks SimulatePrincipalPolicy", function()
  local sent
  local saved = package.loaded.iam
  package.loaded.iam = { simulate_principal_policy = function(p)
    sent = p
    return { EvaluationResults = { { EvalActionName = "s3:GetObject", EvalDecision = "explicitDeny",
      MatchedStatements = { { SourcePolicyId = "DenyAll", SourcePolicyType = "IAM Policy",
        StartPosition = { Line = 3, Column = 5 } } } } } }
  end }
  local r = policy.can{ principal = "user/alice", action = "s3:GetObject", resource = "arn:aws:s3:::b/k", remote = true,
    context = { ["aws:SourceIp"] = "203.0.113.5", ["aws:MultiFactorAuthPresent"] = true, ["s3:max-keys"] = 5 },
    view = view }
  package.loaded.iam = saved
  t.eq(sent.PolicySourceArn, arn("user/alice"))
  t.eq(sent.ActionNames[1], "s3:GetObject")
  t.eq(sent.ContextEntries[1].ContextKeyName, "aws:MultiFactorAuthPresent")
  t.eq(sent.ContextEntries[1].ContextKeyType, "boolean")
  t.eq(sent.ContextEntries[2].ContextKeyType, "ip")
  t.eq(sent.ContextEntries[3].ContextKeyType, "numeric")
  t.eq(sent.ContextEntries[3].ContextKeyValues[1], "5")
  t.eq(r.decision, "explicit_deny")
  t.eq(r.matched[1].policy, "DenyAll")
  t.check(tostring(r):find("DenyAll line 3, column 5, IAM Policy policy", 1, true), tostring(r))
end)

t.finish()
