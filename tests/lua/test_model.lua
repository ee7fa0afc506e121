-- aws.model as data (help and completion read it): operations with their shapes and
-- errors, shapes, the sensitive names; aws.is_secret without any call.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local t = require("harness")
local model = aws.model

t.test("operation: shapes, result wrapper, errors", function()
  local op = model.operation("iam", "CreateRole")
  t.eq(op.snake, "create_role")
  t.eq(op.input_shape, "CreateRoleRequest")
  t.eq(op.output_shape, "CreateRoleResponse")
  t.eq(op.result_wrapper, "CreateRoleResult")
  t.eq(op.pageable, false)
  local codes = {}
  for _, e in ipairs(op.errors) do codes[e.code] = e end
  t.eq(codes.EntityAlreadyExists.status, 409)
  t.eq(codes.EntityAlreadyExists.shape, "EntityAlreadyExistsException")
  t.eq(codes.MalformedPolicyDocument.status, 400)
  t.eq(#op.errors, 6)
  t.eq(op.input[2].name, "RoleName", "the old member list is still there")
  t.eq(op.input[2].required, true)
  local none = model.operation("iam", "delete_role")
  t.eq(none.output_shape, nil, "no output")
  t.eq(none.result_wrapper, nil)
  local gci = model.operation("sts", "get_caller_identity")
  t.eq(gci.input_shape, "GetCallerIdentityRequest")
  t.eq(model.operation("iam", "nope"), nil)
  t.check(tostring(t.raises(function() model.operation("s3", "x") end)):find("unknown service 's3'", 1, true))
end)

t.test("shape: structures, lists, enums, lengths, patterns, flags", function()
  local s = model.shape("iam", "CreateRoleRequest")
  t.eq(s.type, "structure")
  t.eq(s.members[2].name, "RoleName")
  t.eq(s.members[2].shape, "roleNameType")
  t.eq(s.members[2].required, true)
  t.eq(s.members[1].required, false)
  local name = model.shape("iam", "roleNameType")
  t.eq(name.type, "string")
  t.eq(name.min, 1)
  t.eq(name.max, 64)
  t.eq(name.pattern, "[\\w+=,.@-]+")
  t.eq(name.sensitive, false)
  t.eq(name.members, nil)
  local tags = model.shape("iam", "tagListType")
  t.eq(tags.type, "list")
  t.eq(tags.member, "Tag")
  t.eq(tags.max, 50)
  t.eq(tags.min, nil, "no min in the model: none given")
  local status = model.shape("iam", "statusType")
  t.eq(table.concat(status.enums, ","), "Active,Inactive,Expired")
  t.eq(model.shape("iam", "accessKeySecretType").sensitive, true)
  t.eq(model.shape("iam", "policyDocumentType").policy, true)
  t.eq(model.shape("iam", "nope"), nil)
  t.eq(model.shape("sts", "Credentials").members[2].name, "SecretAccessKey")
end)

t.test("sensitive_names: the model's and the usual spellings, sorted, no repeats", function()
  local names = model.sensitive_names()
  local set = {}
  for i, n in ipairs(names) do
    t.check(not set[n], "no repeat: " .. n)
    set[n] = true
    if i > 1 then t.check(names[i - 1] < n, "sorted") end
  end
  for _, n in ipairs { "SecretAccessKey", "Password", "PrivateKey", "Base32StringSeed", "QRCodePNG",
    "ServiceCredentialSecret", "ServicePassword", "OldPassword", "NewPassword", "session_token",
    "aws_session_token", "aws_secret_access_key", "aws_secret_key", "secret_key" } do
    t.check(set[n], n .. " is a sensitive name")
  end
  t.eq(set.password, nil, "password is there as Password already")
  t.eq(set.AccessKeyId, nil)
end)

t.test("aws.is_secret: nothing is a secret before a result carried one", function()
  t.eq(aws.is_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), false)
  t.eq(aws.is_secret(nil), false)
  t.eq(aws.is_secret(42), false)
end)

t.finish()
