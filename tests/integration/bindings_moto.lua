-- The IAM and STS bindings against moto_server (run by test_bindings.sh).
local t = require("harness")

local trust = {
  Version = "2012-10-17",
  Statement = { { Effect = "Allow", Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" } },
}

t.test("sts.get_caller_identity", function()
  local id, request_id = sts.get_caller_identity()
  t.eq(id.Account, "123456789012")
  t.check(id.Arn:match("^arn:aws:"), id.Arn)
  t.check(id.UserId ~= nil)
  t.check(type(request_id) == "string" and #request_id > 0, "request id returned")
end)

t.test("role life cycle with a table trust policy", function()
  local created = iam.create_role { RoleName = "life", Path = "/t/", AssumeRolePolicyDocument = trust,
    Description = "first", Tags = { { Key = "team", Value = "ml" } } }
  t.eq(created.Role.RoleName, "life")
  t.eq(created.Role.Path, "/t/")
  local got = iam.get_role { RoleName = "life" }
  local doc = got.Role.AssumeRolePolicyDocument
  t.eq(type(doc), "table", "trust policy decoded into a table")
  t.eq(doc.Statement[1].Principal.Service, "sagemaker.amazonaws.com")
  t.eq(math.type(got.Role.MaxSessionDuration), "integer")
  t.check(got.Role.CreateDate:match("^%d%d%d%d%-%d%d%-%d%dT"), got.Role.CreateDate)
  local newtrust = { Version = "2012-10-17", Statement = { { Effect = "Allow",
    Principal = { Service = { "sagemaker.amazonaws.com", "ec2.amazonaws.com" } }, Action = "sts:AssumeRole" } } }
  t.eq(next((iam.update_assume_role_policy { RoleName = "life", PolicyDocument = aws.json.encode(newtrust) })), nil,
    "an operation without output returns an empty table")
  doc = iam.get_role { RoleName = "life" }.Role.AssumeRolePolicyDocument
  t.eq(#doc.Statement[1].Principal.Service, 2)
  iam.update_role { RoleName = "life", Description = "second" }
  iam.tag_role { RoleName = "life", Tags = { { Key = "env", Value = "test" } } }
  local tags = iam.list_role_tags { RoleName = "life" }.Tags
  t.eq(#tags, 2)
  iam.untag_role { RoleName = "life", TagKeys = { "env" } }
  t.eq(#iam.list_role_tags { RoleName = "life" }.Tags, 1)
  iam.delete_role { RoleName = "life" }
  local err = t.raises(function() iam.get_role { RoleName = "life" } end)
  t.check(aws.is_error(err))
  t.eq(err.code, "NoSuchEntity")
  t.eq(err.status, 404)
  t.eq(err.operation, "GetRole")
  t.check(tostring(err):match("^GetRole: NoSuchEntity %(404%): "), tostring(err))
end)

t.test("attach, list over several pages, detach", function()
  iam.create_role { RoleName = "pager", AssumeRolePolicyDocument = trust }
  local names = { "AmazonS3FullAccess", "CloudWatchLogsFullAccess", "AmazonSageMakerFullAccess" }
  for _, n in ipairs(names) do
    iam.attach_role_policy { RoleName = "pager", PolicyArn = "arn:aws:iam::aws:policy/" .. n }
  end
  -- IAM may end with an empty page (moto does): count items, not pages.
  local pages, items = 0, 0
  for page in iam.pages("list_attached_role_policies", { RoleName = "pager", MaxItems = 1 }) do
    pages = pages + 1
    t.check(#page.AttachedPolicies <= 1, "at most one per page")
    items = items + #page.AttachedPolicies
  end
  t.check(pages >= 3, "at least three pages")
  t.eq(items, 3, "every item on some page")
  local all = iam.all("list_attached_role_policies", { RoleName = "pager", MaxItems = 1 })
  t.eq(#all, 3)
  local seen = {}
  for _, p in ipairs(all) do seen[p.PolicyName] = true end
  for _, n in ipairs(names) do t.check(seen[n], n .. " listed") end
  local err = t.raises(function() iam.delete_role { RoleName = "pager" } end)
  t.eq(err.code, "DeleteConflict")
  t.eq(err.status, 409)
  for _, p in ipairs(all) do iam.detach_role_policy { RoleName = "pager", PolicyArn = p.PolicyArn } end
  local empty = iam.list_attached_role_policies { RoleName = "pager" }.AttachedPolicies
  t.eq(type(empty), "table")
  t.eq(#empty, 0, "an empty list is an empty array")
  t.eq(aws.json.encode(empty), "[]")
  iam.delete_role { RoleName = "pager" }
end)

t.test("inline role and user policies round-trip", function()
  local doc = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = { "s3:GetObject", "s3:PutObject" },
    Resource = "arn:aws:s3:::bucket/*" } } }
  iam.create_role { RoleName = "inline", AssumeRolePolicyDocument = trust }
  iam.put_role_policy { RoleName = "inline", PolicyName = "p1", PolicyDocument = doc }
  local got = iam.get_role_policy { RoleName = "inline", PolicyName = "p1" }
  t.eq(got.PolicyDocument.Statement[1].Action[2], "s3:PutObject")
  t.eq(iam.list_role_policies { RoleName = "inline" }.PolicyNames[1], "p1")
  iam.delete_role_policy { RoleName = "inline", PolicyName = "p1" }
  iam.delete_role { RoleName = "inline" }
  iam.create_user { UserName = "inline-user" }
  iam.put_user_policy { UserName = "inline-user", PolicyName = "u1", PolicyDocument = aws.json.encode(doc) }
  got = iam.get_user_policy { UserName = "inline-user", PolicyName = "u1" }
  t.eq(got.PolicyDocument.Statement[1].Resource, "arn:aws:s3:::bucket/*")
  iam.delete_user_policy { UserName = "inline-user", PolicyName = "u1" }
  iam.delete_user { UserName = "inline-user" }
end)

t.test("a user has at most two access keys", function()
  iam.create_user { UserName = "keys", Tags = { { Key = "k", Value = "v" } } }
  local k1 = iam.create_access_key { UserName = "keys" }.AccessKey
  local k2 = iam.create_access_key { UserName = "keys" }.AccessKey
  t.check(#k1.SecretAccessKey > 0 and k1.AccessKeyId ~= k2.AccessKeyId)
  t.eq(k1.Status, "Active")
  local err = t.raises(function() iam.create_access_key { UserName = "keys" } end)
  t.eq(err.code, "LimitExceeded")
  t.eq(err.status, 409)
  t.eq(err.retryable, false)
  t.eq(#iam.list_access_keys { UserName = "keys" }.AccessKeyMetadata, 2)
  io.open(os.getenv("KEYS_OUT"), "w"):write(k1.AccessKeyId, "\n", k2.AccessKeyId, "\n"):close()
end)

t.test("EntityAlreadyExists arrives as an error object", function()
  iam.create_role { RoleName = "twice", AssumeRolePolicyDocument = trust }
  local err = t.raises(function() iam.create_role { RoleName = "twice", AssumeRolePolicyDocument = trust } end)
  t.eq(err.code, "EntityAlreadyExists")
  t.eq(err.status, 409)
  t.eq(err.operation, "CreateRole")
  t.eq(err.kind, "service")
  t.check(err.request_id == nil or type(err.request_id) == "string")
  local ok, again = pcall(error, err)
  t.check(not ok and again == err, "error(err) re-raises the same object")
end)

t.test("aws.call by wire name", function()
  local r = aws.call("iam", "GetRole", { RoleName = "twice" })
  t.eq(r.Role.RoleName, "twice")
  t.eq(aws.call("sts", "GetCallerIdentity").Account, "123456789012")
end)

t.test("a waiter succeeds and one times out", function()
  local r = iam.wait("role_exists", { RoleName = "twice" }, { timeout = 10 })
  t.eq(r.Role.RoleName, "twice")
  local iamsh = require "iamsh"
  local started = iamsh.clock()
  local err = t.raises(function() iam.wait("user_exists", { UserName = "nobody" }, { timeout = 2, delay = 0.5 }) end)
  t.eq(err.code, "WaiterTimeout")
  t.check(tostring(err):find("user_exists", 1, true), tostring(err))
  local took = iamsh.clock() - started
  t.check(took < 5, "timed out in time: " .. took)
end)

t.finish()
