-- iamsh.inspect without a network: aws.timestamp, the views' text from fixed
-- data (whole text at a fixed width), statements, and argument errors (which
-- are raised before any request). The helpers against moto: test_inspect.sh.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local aws = require("aws")
local render = require("iamsh.inspect.render")
local view = require("iamsh.inspect.view")
local inspect = require("iamsh.inspect")

local function lines(...)
  return table.concat({ ... }, "\n")
end

local function statement(st, width)
  return table.concat(render.statement_lines(st, "", width or 80, 20), "\n")
end

local function raises_with(fn, text)
  local err = t.raises(fn)
  t.check(tostring(err):find(text, 1, true), "error " .. tostring(err) .. " should say " .. text)
end

t.test("aws.timestamp reads IAM's timestamps with the core's parser", function()
  t.eq(aws.timestamp("2023-11-14T22:13:20Z"), 1700000000)
  t.eq(math.type(aws.timestamp("2023-11-14T22:13:20Z")), "integer")
  t.eq(aws.timestamp("2023-11-15T00:13:20+02:00"), 1700000000)
  t.eq(aws.timestamp("2011-12-19T23:16:46.5Z"), 1324336606.5)
  t.eq(aws.timestamp("2023-11-14"), 1699920000)
  raises_with(function() aws.timestamp("yesterday") end, "not an ISO 8601 timestamp: 'yesterday'")
  raises_with(function() aws.timestamp() end, "string expected")
end)

t.test("statements: one line when it fits, else one line per part", function()
  local st = { Sid = "Read", Effect = "Allow", Action = { "s3:GetObject", "s3:ListBucket" },
    Resource = { "arn:aws:s3:::data", "arn:aws:s3:::data/*" } }
  t.eq(statement(st, 100), "Read: Allow s3:GetObject, s3:ListBucket on arn:aws:s3:::data, arn:aws:s3:::data/*")
  t.eq(statement(st, 60), lines("Read: Allow s3:GetObject, s3:ListBucket",
    "  on arn:aws:s3:::data, arn:aws:s3:::data/*"))
  t.eq(statement({ Effect = "Deny", NotAction = "iam:*", NotResource = { "a", "b" } }),
    "Deny any action but iam:* on any resource but a, b")
  t.eq(statement({ Effect = "Allow", Action = "s3:*", Resource = "*", Sid = "" }), "Allow s3:* on *")
end)

t.test("statements: principals, conditions written readably", function()
  t.eq(statement({ Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" },
    Action = "sts:AssumeRole", Condition = { StringEquals = { ["sts:ExternalId"] = "abc" } } }),
    lines("Allow Service sagemaker.amazonaws.com to sts:AssumeRole",
      '  when sts:ExternalId StringEquals "abc"'))
  t.eq(statement({ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole",
    Condition = { Bool = { ["aws:SecureTransport"] = true },
      IpAddress = { ["aws:SourceIp"] = { "10.0.0.0/8", "192.168.0.0/16" } } } }),
    lines("Allow anyone (*) to sts:AssumeRole", "  when aws:SecureTransport Bool true",
      '  and aws:SourceIp IpAddress "10.0.0.0/8" or "192.168.0.0/16"'))
  t.eq(statement({ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
    Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
      AWS = { "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:role/ci" } } }),
    lines("Allow AWS arn:aws:iam::111122223333:root, AWS arn:aws:iam::444455556666:role/ci,",
      "      Federated arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
      "  to sts:AssumeRoleWithWebIdentity"))
  t.eq(statement({ Effect = "Deny", NotPrincipal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "*" }),
    "Deny anyone but AWS arn:aws:iam::111122223333:root to *")
end)

t.test("statements: long lists are cut with a count, a long Sid does not squeeze them", function()
  local actions = {}
  for i = 1, 30 do
    actions[i] = string.format("svc:Action%02d", i)
  end
  local text = table.concat(render.statement_lines({ Sid = "AVeryLongStatementIdentifier", Effect = "Allow",
    Action = actions, Resource = "*" }, "  ", 70, 5), "\n")
  t.eq(text, lines("  AVeryLongStatementIdentifier: Allow svc:Action01, svc:Action02,",
    "        svc:Action03, svc:Action04, svc:Action05, (+25 more)", "    on *"))
end)

local ROLE = {
  role = { RoleName = "ml", Arn = "arn:aws:iam::123456789012:role/svc/ml", Path = "/svc/",
    CreateDate = "2026-01-02T03:04:05Z", MaxSessionDuration = 7200, Description = "the ML role" },
  trust = { Version = "2012-10-17", Statement = { { Effect = "Allow",
    Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole",
    Condition = { StringEquals = { ["sts:ExternalId"] = "abc" } } } } },
  attached = { { PolicyName = "shared", PolicyArn = "arn:aws:iam::123456789012:policy/team/shared" },
    { PolicyName = "AmazonS3FullAccess", PolicyArn = "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
    { PolicyName = "AWSCloudFormationFullAccess", PolicyArn = "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess" } },
  inline = { { PolicyName = "logs", PolicyDocument = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" } } } } },
  boundary = { PermissionsBoundaryType = "PermissionsBoundaryPolicy",
    PermissionsBoundaryArn = "arn:aws:iam::123456789012:policy/boundary" },
  tags = { { Key = "team", Value = "ml" }, { Key = "env", Value = "dev" } },
  last_used = { LastUsedDate = "2026-03-04T05:06:07Z", Region = "eu-west-1" },
}

t.test("role view: the whole text (policies by name, case aside)", function()
  t.eq(render.role(ROLE, { width = 80 }), lines(
    "Role ml",
    "  arn          arn:aws:iam::123456789012:role/svc/ml",
    "  path         /svc/",
    "  created      2026-01-02",
    "  max session  2 h",
    "  description  the ML role",
    "  last used    2026-03-04 in eu-west-1",
    "  boundary     arn:aws:iam::123456789012:policy/boundary",
    "  tags         env=dev, team=ml",
    "",
    "Trusted by (1)",
    "  Allow Service sagemaker.amazonaws.com to sts:AssumeRole",
    '    when sts:ExternalId StringEquals "abc"',
    "",
    "Attached policies (3)",
    "  AmazonS3FullAccess           arn:aws:iam::aws:policy/AmazonS3FullAccess",
    "  AWSCloudFormationFullAccess  arn:aws:iam::aws:policy/AWSCloudFormationFullAccess",
    "  shared                       arn:aws:iam::123456789012:policy/team/shared",
    "",
    "Inline policies (1)",
    "  logs",
    "    Allow logs:PutLogEvents on *"))
end)

local USER = {
  user = { UserName = "dev", Arn = "arn:aws:iam::123456789012:user/dev", Path = "/",
    CreateDate = "2026-01-02T03:04:05Z" },
  login_profile = { UserName = "dev", CreateDate = "2026-01-03T00:00:00Z", PasswordResetRequired = true },
  password_last_used = "2026-02-01T10:00:00Z",
  mfa_devices = { { SerialNumber = "arn:aws:iam::123456789012:mfa/dev", EnableDate = "2026-01-04T00:00:00Z" } },
  tags = {},
  access_keys = {
    { AccessKeyId = "AKIDFAKEFAKEFAKE01", Status = "Active", CreateDate = "2026-01-02T03:04:05Z", AgeDays = 400,
      LastUsed = { ServiceName = "N/A", Region = "N/A" } },
    { AccessKeyId = "AKIDFAKEFAKEFAKE02", Status = "Inactive", CreateDate = "2026-01-05T00:00:00Z", AgeDays = 3,
      LastUsed = { LastUsedDate = "2026-01-06T00:00:00Z", ServiceName = "s3", Region = "us-east-1" } },
  },
  groups = { { group = { GroupName = "devs", Arn = "arn:aws:iam::123456789012:group/devs" },
    attached = { { PolicyName = "ReadOnlyAccess", PolicyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess" } },
    inline = {} } },
  attached = {},
  inline = {},
}

t.test("user view: the whole text", function()
  t.eq(render.user(USER, { width = 80 }), lines(
    "User dev",
    "  arn       arn:aws:iam::123456789012:user/dev",
    "  path      /",
    "  created   2026-01-02",
    "  password  set 2026-01-03, last used 2026-02-01, reset required",
    "  MFA       arn:aws:iam::123456789012:mfa/dev (since 2026-01-04)",
    "  boundary  none",
    "  tags      none",
    "",
    "Access keys (2)",
    "  AKIDFAKEFAKEFAKE01  Active    400 days old  last used never",
    "  AKIDFAKEFAKEFAKE02  Inactive  3 days old    last used 2026-01-06 (s3, us-east-1)",
    "",
    "Groups (1)",
    "  devs  arn:aws:iam::123456789012:group/devs",
    "    Attached policies (1)",
    "      ReadOnlyAccess  arn:aws:iam::aws:policy/ReadOnlyAccess",
    "    Inline policies: none",
    "",
    "Attached policies: none",
    "",
    "Inline policies: none"))
end)

local POLICY = {
  policy = { PolicyName = "ReadOnlyAccess", Arn = "arn:aws:iam::aws:policy/ReadOnlyAccess", Path = "/",
    DefaultVersionId = "v9", AttachmentCount = 2, PermissionsBoundaryUsageCount = 1,
    CreateDate = "2015-02-06T18:39:48Z", UpdateDate = "2026-04-03T15:27:12Z" },
  document = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = { "s3:Get*", "s3:List*" },
    Resource = "*" } } },
  tags = { { Key = "owner", Value = "aws" } },
  attached_to = { PolicyGroups = { { GroupName = "devs" } }, PolicyUsers = { { UserName = "dev" } },
    PolicyRoles = {} },
  boundary_of = { PolicyGroups = {}, PolicyUsers = {}, PolicyRoles = { { RoleName = "ml" } } },
}

t.test("policy view: the whole text", function()
  t.eq(render.policy(POLICY, { width = 80 }), lines(
    "Policy ReadOnlyAccess (AWS managed)",
    "  arn              arn:aws:iam::aws:policy/ReadOnlyAccess",
    "  path             /",
    "  default version  v9",
    "  attachments      2",
    "  boundary uses    1",
    "  created          2015-02-06",
    "  updated          2026-04-03",
    "  tags             owner=aws",
    "",
    "Statements of v9 (1)",
    "  Allow s3:Get*, s3:List* on *",
    "",
    "Attached to (2)",
    "  group  devs",
    "  user   dev",
    "",
    "Permissions boundary of (1)",
    "  role  ml"))
end)

t.test("a view prints the same through __pp and tostring, and keeps its data", function()
  local v = view.new("role", ROLE)
  local mt = getmetatable(v)
  t.eq(type(mt.__pp), "function")
  t.eq(tostring(v), mt.__pp(v, { width = require("iamsh").term_width() }))
  t.eq(mt.__pp(v, { width = 80 }), render.role(ROLE, { width = 80 }))
  t.eq(v.role.RoleName, "ml")
  t.eq(getmetatable(view.new("user", USER)).__tostring(USER), render.user(USER))
end)

t.test("misuse raises naming the function and the argument, before any request", function()
  raises_with(function() inspect.show.role() end, "show.role: name must be a string")
  raises_with(function() inspect.show.role("") end, "show.role: name must not be empty")
  raises_with(function() inspect.show.user(42) end, "show.user: name must be a string")
  raises_with(function() inspect.show.user("dev", { now = "today" }) end,
    "show.user: now must be a number (seconds since the epoch)")
  raises_with(function() inspect.show.user("dev", 5) end, "show.user: options must be a table")
  raises_with(function() inspect.show.policy({}) end, "show.policy: arn_or_name must be a string")
  raises_with(function() inspect.stale("90") end, "stale: options must be a table")
  raises_with(function() inspect.stale { days = -1 } end, "stale: days must be a number >= 0")
  raises_with(function() inspect.stale { day = 30 } end, "stale: unknown option 'day' (days, now, kinds)")
  raises_with(function() inspect.stale { kinds = { "keys" } } end, 'stale: kinds: unknown kind "keys"')
  raises_with(function() inspect.stale { kinds = "key" } end, "stale: kinds must be a list")
  raises_with(function() inspect.stale { now = "2030-01-01" } end, "stale: now must be a number")
end)

t.test("the errors point at the caller's line", function()
  local line = debug.getinfo(1, "l").currentline + 1
  local ok, err = pcall(function() inspect.show.role(nil) end)
  t.check(not ok and tostring(err):find("test_inspect.lua:" .. line .. ":", 1, true), tostring(err))
  ok, err = pcall(function() inspect.stale { kinds = { "x" } } end)
  t.check(not ok and tostring(err):find("test_inspect.lua:" .. (line + 2) .. ":", 1, true), tostring(err))
end)

t.finish()
