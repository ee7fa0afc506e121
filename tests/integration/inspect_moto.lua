-- whoami, show.* and stale against moto_server (run by test_inspect.sh, which made
-- the state with the AWS CLI and passes KEY1 (used once), KEY2 (never used), NOW
-- (400 days after the keys were made) and ENDPOINT; iamsh runs with --region eu-west-1).
local t = require("harness")
local tables = require("iamsh.tables")

local ACCOUNT = "123456789012"
local KEY1, KEY2 = os.getenv("KEY1"), os.getenv("KEY2")
local NOW = math.tointeger(tonumber(os.getenv("NOW")))
local SHARED = "arn:aws:iam::" .. ACCOUNT .. ":policy/team/inspect-shared"

-- The field names of a table, sorted and joined: "a b c".
local function fields(tbl)
  return table.concat(tables.sorted_keys(tbl), " ")
end

-- Every key anywhere in v (to show no secret-bearing field is in a view).
local function all_keys(v, out)
  out = out or {}
  if type(v) == "table" then
    for k, x in pairs(v) do
      out[#out + 1] = tostring(k)
      all_keys(x, out)
    end
  end
  return out
end

local function no_secret_fields(v)
  for _, k in ipairs(all_keys(v)) do
    t.check(not k:find("Secret") and not k:find("Password$") and not k:find("Token"), "field " .. k)
  end
end

local function missing(fn, ...)
  local ok, err = pcall(fn, ...)
  t.check(not ok, "an error was raised")
  return err
end

t.test("whoami: the caller and where the configuration points", function()
  local me = whoami()
  t.eq(fields(me), "Account Arn CredentialSource Endpoint Profile Region UserId")
  local id = sts.get_caller_identity()
  t.eq(me.Account, ACCOUNT)
  t.eq(me.Arn, id.Arn)
  t.eq(me.UserId, id.UserId)
  t.eq(me.Region, "eu-west-1")
  t.eq(me.Endpoint, os.getenv("ENDPOINT"))
  t.eq(me.CredentialSource, "env")
  t.eq(me.Profile, "default")
  for _, v in pairs(me) do
    t.check(v ~= os.getenv("AWS_SECRET_ACCESS_KEY"), "whoami holds no secret")
  end
end)

t.test("show.role: the gathered data", function()
  local v = show.role "inspect-role"
  -- last_used is absent: moto never fills RoleLastUsed.
  t.eq(fields(v), "attached boundary inline role tags trust")
  t.eq(v.role.Arn, "arn:aws:iam::" .. ACCOUNT .. ":role/svc/inspect-role")
  t.eq(v.role.MaxSessionDuration, 7200)
  local st = v.trust.Statement[1]
  t.eq(st.Principal.Service, "sagemaker.amazonaws.com")
  t.eq(st.Condition.StringEquals["sts:ExternalId"], "abc")
  local attached = {}
  for _, p in ipairs(v.attached) do attached[#attached + 1] = p.PolicyName end
  table.sort(attached)
  t.eq(table.concat(attached, " "), "AmazonS3ReadOnlyAccess inspect-shared")
  t.eq(#v.inline, 1)
  t.eq(fields(v.inline[1]), "PolicyDocument PolicyName")
  t.eq(v.inline[1].PolicyName, "inline-read")
  t.eq(v.inline[1].PolicyDocument.Statement[1].Sid, "Read")
  t.eq(v.boundary.PermissionsBoundaryArn, "arn:aws:iam::" .. ACCOUNT .. ":policy/inspect-boundary")
  t.eq(#v.tags, 2)
  t.eq(show.role(v.role.Arn).role.RoleName, "inspect-role", "a role by ARN")
end)

t.test("a view prints through __pp at the width asked, and through tostring", function()
  local v = show.role "inspect-role"
  local pp = getmetatable(v).__pp
  t.check(pp(v, { width = 200 }):find("\n    Read: Allow s3:GetObject, s3:ListBucket on arn:aws:s3:::data, ", 1, true),
    "wide: one line")
  t.check(pp(v, { width = 60 }):find("\n    Read: Allow s3:GetObject, s3:ListBucket\n      on ", 1, true),
    "narrow: wrapped")
  t.eq(tostring(v), pp(v, { width = require("iamsh").term_width() }))
end)

t.test("show.user: the gathered data, keys with age and last use", function()
  local v = show.user("inspect-user", { now = NOW })
  -- boundary and password_last_used are absent: moto returns neither.
  t.eq(fields(v), "access_keys attached groups inline login_profile mfa_devices tags user")
  t.eq(v.user.Arn, "arn:aws:iam::" .. ACCOUNT .. ":user/inspect-user")
  t.eq(#v.access_keys, 2)
  local keys = {}
  for _, k in ipairs(v.access_keys) do
    t.eq(fields(k), "AccessKeyId AgeDays CreateDate LastUsed Status UserName")
    t.eq(k.AgeDays, 400)
    t.eq(k.Status, "Active")
    keys[k.AccessKeyId] = k
  end
  t.check(keys[KEY1] and keys[KEY2], "both keys")
  t.check(keys[KEY1].LastUsed.LastUsedDate ~= nil, "key 1 was used")
  t.eq(keys[KEY1].LastUsed.ServiceName, "iam")
  t.eq(keys[KEY2].LastUsed.LastUsedDate, nil, "key 2 never was")
  t.eq(keys[KEY2].LastUsed.ServiceName, "N/A")
  t.eq(#v.groups, 1)
  t.eq(fields(v.groups[1]), "attached group inline")
  t.eq(v.groups[1].group.GroupName, "inspect-devs")
  t.eq(v.groups[1].attached[1].PolicyName, "ReadOnlyAccess")
  t.eq(v.groups[1].inline[1].PolicyName, "group-logs")
  t.eq(v.attached[1].PolicyArn, SHARED)
  t.eq(v.inline[1].PolicyName, "user-logs")
  t.eq(v.login_profile.UserName, "inspect-user")
  t.eq(v.mfa_devices[1].SerialNumber, "arn:aws:iam::" .. ACCOUNT .. ":mfa/inspect-mfa")
  t.eq(v.tags[1].Key, "dept")
  no_secret_fields(v)
  t.eq(show.user("inspect-idle").login_profile, nil, "no login profile")
end)

t.test("show.policy: by name (the account's or AWS's) or ARN", function()
  local v = show.policy "inspect-shared"
  t.eq(fields(v), "attached_to boundary_of document policy tags")
  t.eq(v.policy.Arn, SHARED)
  t.eq(v.policy.Description, "shared by the role and the user")
  t.eq(v.document.Statement[1].Sid, "Read")
  t.eq(v.attached_to.PolicyRoles[1].RoleName, "inspect-role")
  t.eq(v.attached_to.PolicyUsers[1].UserName, "inspect-user")
  t.eq(#v.attached_to.PolicyGroups, 0)
  t.eq(show.policy(SHARED).policy.PolicyName, "inspect-shared", "by ARN")
  t.eq(show.policy("Inspect-Shared").policy.Arn, SHARED, "names are not told apart by case")
  local ro = show.policy "ReadOnlyAccess"
  t.eq(ro.policy.Arn, "arn:aws:iam::aws:policy/ReadOnlyAccess")
  t.eq(ro.attached_to.PolicyGroups[1].GroupName, "inspect-devs")
  t.check(#ro.document.Statement >= 1)
  local svc = show.policy "AWSAppRunnerServicePolicyForECRAccess"
  t.eq(svc.policy.Arn, "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess",
    "an AWS managed policy off the root path")
end)

t.test("a name that does not exist: NoSuchEntity, one line", function()
  for _, call in ipairs({ { show.role, "no-such-role", "GetRole" }, { show.user, "no-such-user", "GetUser" },
    { show.policy, "no-such-policy", "show.policy" } }) do
    local err = missing(call[1], call[2])
    t.check(aws.is_error(err), "an aws.Error: " .. tostring(err))
    t.eq(err.code, "NoSuchEntity")
    t.eq(err.operation, call[3])
    t.check(not tostring(err):find("\n"), "one line")
  end
  local err = missing(show.policy, "arn:aws:iam::" .. ACCOUNT .. ":policy/no-such-policy")
  t.eq(err.code, "NoSuchEntity")
end)

t.test("show.policy: a name the account shares with AWS is ambiguous", function()
  local err = tostring(missing(show.policy, "AmazonS3ReadOnlyAccess"))
  t.check(err:find("arn:aws:iam::" .. ACCOUNT .. ":policy/AmazonS3ReadOnlyAccess", 1, true), err)
  t.check(err:find("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", 1, true), err)
  t.check(err:find("give the ARN", 1, true), err)
end)

-- "key inspect-user AKIA..." for each record, sorted.
local function names(list)
  local out = {}
  for _, r in ipairs(list) do
    out[#out + 1] = table.concat({ r.Type, r.Name, r.AccessKeyId }, " ")
  end
  table.sort(out)
  return table.concat(out, ", ")
end

local EVERYTHING = { "key inspect-user " .. KEY1, "key inspect-user " .. KEY2, "role inspect-role",
  "user inspect-idle", "user inspect-user" }
table.sort(EVERYTHING)
EVERYTHING = table.concat(EVERYTHING, ", ")

t.test("stale: days = 0 lists everything, with exact fields", function()
  local list = stale { days = 0 }
  t.eq(names(list), EVERYTHING)
  for _, r in ipairs(list) do
    if r.Type == "key" then
      t.eq(fields(r), "AccessKeyId Created DaysUnused LastUsed Name Status Type")
    else
      t.eq(fields(r), "Created DaysUnused LastUsed Name Type")
    end
    t.eq(r.DaysUnused, 0)
  end
end)

t.test("stale: days = 100000 lists nothing; nothing made today is stale at 90", function()
  local none = stale { days = 100000 }
  t.eq(#none, 0)
  t.check(aws.json.is_array(none), "an array, also when empty")
  t.eq(#stale(), 0)
end)

t.test("stale: 400 days on, everything is; never-used keys say so", function()
  local list = stale { now = NOW }
  t.eq(names(list), EVERYTHING)
  local by = {}
  for i, r in ipairs(list) do
    by[r.AccessKeyId or r.Name] = r
    t.eq(r.DaysUnused, 400)
    if i > 1 then
      t.check(list[i - 1].DaysUnused >= r.DaysUnused, "sorted by DaysUnused, longest first")
    end
  end
  t.eq(by[KEY2].LastUsed, "never")
  t.check(by[KEY1].LastUsed:match("^%d%d%d%d%-%d%d%-%d%dT"), "key 1's last use: " .. by[KEY1].LastUsed)
  t.eq(by["inspect-user"].LastUsed, by[KEY1].LastUsed, "a user is used when its key is")
  t.eq(by["inspect-idle"].LastUsed, "never")
  t.eq(by["inspect-role"].LastUsed, "never")
  for _, k in ipairs(iam.all("list_access_keys", { UserName = "inspect-user" })) do
    t.eq(by[k.AccessKeyId].Created, k.CreateDate)
  end
  t.eq(by["inspect-role"].Created, iam.get_role({ RoleName = "inspect-role" }).Role.CreateDate)
end)

t.test("stale: kinds picks what is listed", function()
  t.eq(names(stale { now = NOW, kinds = { "role" } }), "role inspect-role")
  t.eq(names(stale { now = NOW, kinds = { "user" } }), "user inspect-idle, user inspect-user")
  local keys = stale { now = NOW, kinds = { "key" }, days = 400 }
  t.eq(#keys, 2)
  t.eq(#stale { now = NOW, kinds = { "key" }, days = 401 }, 0)
end)

t.finish()
