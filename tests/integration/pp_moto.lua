-- The printer and help against moto_server (run by test_pp_moto.sh): redaction of
-- the secrets real results carry, column tables of real lists.
local t = require("harness")
local pp = require "iamsh.pp"

local trust = { Version = "2012-10-17", Statement = { { Effect = "Allow",
  Principal = { Service = "sagemaker.amazonaws.com" }, Action = "sts:AssumeRole" } } }

local function has(text, piece)
  return text:find(piece, 1, true) ~= nil
end

t.test("an access key's secret never prints, unless revealed", function()
  iam.create_user { UserName = "pp-keys" }
  local k = iam.create_access_key { UserName = "pp-keys" }
  local secret = k.AccessKey.SecretAccessKey
  t.check(type(secret) == "string" and #secret >= 20, "moto returned a secret")
  t.eq(aws.is_secret(secret), true, "the call path recorded it")
  t.eq(aws.is_secret(k.AccessKey.AccessKeyId), false, "the key id is no secret")
  local text = pp.format(k, { width = 100 })
  t.check(not has(text, secret), "pp.format hides it: " .. text)
  t.check(has(text, "SecretAccessKey = <redacted>"), text)
  t.check(has(text, 'AccessKeyId = "' .. k.AccessKey.AccessKeyId .. '"'), text)
  t.eq(pp.format(secret), "<redacted>", "the bare value, away from its key")
  t.eq(pp.display(secret), "<redacted>")
  t.eq(pp.format({ copied = secret }, { width = 80 }), "{ copied = <redacted> }", "under another key")
  local listed = pp.display({ k.AccessKey }, { width = 200 })
  t.check(not has(listed, secret), "a column table hides it: " .. listed)
  t.check(not has(tostring(tabulate({ { s = secret } })), secret), "tabulate hides it by value")
  t.check(has(pp.format(pp.reveal(k), { width = 200 }), '"' .. secret .. '"'), "reveal shows it")
  t.eq(pp.display(pp.reveal(secret)), '"' .. secret .. '"')
  t.eq(tostring(reveal(secret)), '"' .. secret .. '"', "the lazy global reveal")
  t.eq(k.AccessKey.SecretAccessKey, secret, "the value itself is untouched")
end)

t.test("a session token and its secret key from STS print redacted", function()
  local role = iam.create_role { RoleName = "pp-assume", AssumeRolePolicyDocument = trust }.Role
  local c = sts.assume_role { RoleArn = role.Arn, RoleSessionName = "pp" }.Credentials
  t.eq(aws.is_secret(c.SessionToken), true, "SessionToken is recorded by its name")
  t.eq(aws.is_secret(c.SecretAccessKey), true)
  t.eq(pp.format(c.SessionToken), "<redacted>")
  local text = pp.format(c, { width = 200 })
  t.check(not has(text, c.SessionToken) and not has(text, c.SecretAccessKey), text)
  t.check(has(text, 'AccessKeyId = "' .. c.AccessKeyId .. '"'), text)
end)

t.test("a list of roles prints as a table", function()
  for _, n in ipairs { "pp-a", "pp-bb", "pp-ccc" } do
    iam.create_role { RoleName = n, Path = "/pp/", AssumeRolePolicyDocument = trust }
  end
  local roles = iam.all("list_roles", { PathPrefix = "/pp/" })
  t.eq(#roles, 3)
  table.sort(roles, function(a, b) return a.RoleName < b.RoleName end) -- rows print in list order
  t.eq(tostring(tabulate(roles, { "RoleName", "Path", "MaxSessionDuration" }, { width = 80 })), table.concat({
    "RoleName  Path  MaxSessionDuration",
    "--------  ----  ------------------",
    "pp-a      /pp/                3600",
    "pp-bb     /pp/                3600",
    "pp-ccc    /pp/                3600" }, "\n"))
  local shown = pp.display(roles, { width = 80 })
  t.check(shown:match("^RoleName  RoleId                 Arn  +Path\n%-%-%-%-%-%-%-%-  %-+  %-+  %-%-%-%-\n"
    .. "pp%-a      AROA%w+  arn:aws:iam::123456789012:role/pp/pp%-a  +/pp/\n"), "CreateDate does not fit 80: " .. shown)
  t.eq(select(2, shown:gsub("\n", "")), 4, "header, rule, three rows")
  local all = pp.display(roles, { width = 200 })
  t.check(all:match("^RoleName  RoleId  +Arn  +CreateDate  +Path  +MaxSessionDuration\n"), all)
  t.check(has(all, "arn:aws:iam::123456789012:role/pp/pp-ccc"), all)
end)

t.test("a result prints whole, documents decoded", function()
  local got = iam.get_role { RoleName = "pp-a" }
  local text = pp.format(got, { width = 100 })
  t.check(text:match('^{\n  Role = {\n    Arn = "arn:aws:iam::123456789012:role/pp/pp%-a",\n'), text)
  t.check(has(text, '      Statement = {\n        {\n          Action = "sts:AssumeRole",\n'), text)
  t.check(has(text, '          Principal = { Service = "sagemaker.amazonaws.com" }\n'), text)
  t.check(has(text, '    RoleName = "pp-a"'), text)
end)

t.finish()
