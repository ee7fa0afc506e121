-- provision: convergence, plan mode, drift, exclusive, access keys, teardown,
-- eventual consistency, customer-managed policies; against the in-memory IAM.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local mock = require("mock_iam")
local provision = require("provision")
local policy = require("policy")
local fs = require("iamsh.fs")

local ROLE = "SageMakerExecutionRoleLLM"
local USER = "sagemaker-deployer"
local S3 = "arn:aws:iam::aws:policy/AmazonS3FullAccess"

local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p " .. tmpdir)

local fixture = require("provision_fixture")
local setup, again = fixture.setup, fixture.again

local function role_def(extra)
  local set = policy.load_set("sagemaker-execution")
  local def = { name = ROLE, path = set.path, description = set.description, trust = set.trust, managed = set.managed }
  for k, v in pairs(extra or {}) do
    def[k] = v
  end
  return def
end

local counts = fixture.counts

local function file(name)
  return tmpdir .. "/" .. name
end

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local function keys_of(m, user)
  local n = 0
  for _ in pairs(m:user(user).keys) do
    n = n + 1
  end
  return n
end

t.test("role: created with the handbook's policies, second run writes nothing", function()
  local m = setup()
  local r = provision.role(role_def())
  t.eq(r.arn, "arn:aws:iam::123456789012:role/" .. ROLE)
  t.eq(counts(), "5/0/0")
  t.eq(#m.writes, 5)
  local role = m:role(ROLE)
  t.check(role.attached[S3], "S3 attached")
  t.eq(role.description, "Execution role for SageMaker")
  m:clear_log()
  again()
  local r2 = provision.role(role_def())
  t.eq(#m.writes, 0, "no write on re-run")
  t.eq(counts(), "0/0/0")
  t.eq(r2.arn, r.arn)
  t.eq(r2.created, false)
end)

t.test("role: plan on an empty account sends no write and counts the adds", function()
  local m, env = setup({ plan = true })
  local r = provision.role(role_def())
  t.eq(#m.writes, 0)
  t.eq(counts(), "5/0/0")
  t.eq(env.lines[1], "+ create role " .. ROLE)
  t.eq(env.lines[2], "+ attach arn:aws:iam::aws:policy/AmazonSageMakerFullAccess to role " .. ROLE)
  t.eq(r.arn, "arn:aws:iam::123456789012:role/" .. ROLE, "predicted ARN")
  t.eq(#env.progress, 0, "plan prints nothing on the progress stream")
end)

t.test("role: drift is repaired; extras stay unless exclusive", function()
  local m, env = setup()
  provision.role(role_def())
  local role = m:role(ROLE)
  role.attached[S3] = nil
  role.attached["arn:aws:iam::aws:policy/AdministratorAccess"] = true
  role.trust = policy.trust_service("ec2.amazonaws.com")
  role.description = "changed"
  m:clear_log()
  again(true)
  provision.role(role_def())
  t.eq(#m.writes, 0, "plan first: no write")
  t.eq(counts(), "1/2/0")
  again()
  provision.role(role_def())
  t.eq(counts(), "1/2/0")
  t.check(role.attached[S3], "reattached")
  t.check(policy.equal(role.trust, policy.trust_service("sagemaker.amazonaws.com")), "trust repaired")
  t.eq(role.description, "Execution role for SageMaker")
  t.check(role.attached["arn:aws:iam::aws:policy/AdministratorAccess"], "extra kept")
  again()
  env.progress = {}
  provision.role(role_def({ exclusive = true }))
  t.eq(counts(), "0/0/1")
  t.check(not role.attached["arn:aws:iam::aws:policy/AdministratorAccess"], "extra detached")
  t.eq(env.progress[#env.progress], "- detach arn:aws:iam::aws:policy/AdministratorAccess from role " .. ROLE)
end)

t.test("role: inline policies put, changed, compared semantically, pruned when exclusive", function()
  local m = setup()
  local doc = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = { "s3:GetObject", "s3:ListBucket" }, Resource = "*" },
    { Effect = "Deny", Action = "iam:*", Resource = "*" } } }
  provision.role(role_def({ inline = { read = doc } }))
  t.check(m:role(ROLE).inline.read, "put")
  m.mangle = true
  m:clear_log()
  again()
  provision.role(role_def({ inline = { read = doc } }))
  t.eq(#m.writes, 0, "IAM's reordering is not a change")
  m:role(ROLE).inline.extra = { Version = "2012-10-17", Statement = {} }
  doc.Statement[1].Action = "s3:GetObject"
  again()
  provision.role(role_def({ inline = { read = doc } }))
  t.eq(counts(), "0/1/0")
  again()
  provision.role(role_def({ inline = { read = doc }, exclusive = true }))
  t.eq(counts(), "0/0/1")
  t.check(m:role(ROLE).inline.extra == nil, "extra deleted")
end)

t.test("role: the handbook's own role (JSON trust, no tags) is adopted without writes", function()
  local m = setup()
  m.iam.create_role({ RoleName = ROLE, Description = "Execution role for SageMaker",
    AssumeRolePolicyDocument = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
      .. '"Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}' })
  for _, p in ipairs(policy.load_set("sagemaker-execution").managed) do
    m.iam.attach_role_policy({ RoleName = ROLE, PolicyArn = policy.managed(p) })
  end
  m:clear_log()
  provision.role(role_def())
  t.eq(#m.writes, 0)
end)

t.test("role: tags converge", function()
  local m = setup()
  provision.role(role_def({ tags = { project = "llm" } }))
  t.eq(m:role(ROLE).tags.project, "llm")
  m:role(ROLE).tags.other = "x"
  again()
  provision.role(role_def({ tags = { project = "llm" } }))
  t.eq(counts(), "0/0/0")
  again()
  provision.role(role_def({ tags = { project = "llm" }, exclusive = true }))
  t.eq(counts(), "0/1/0")
  t.eq(m:role(ROLE).tags.other, nil)
end)

t.test("eventual consistency: NoSuchEntity after create is retried", function()
  local m, env = setup()
  m.lag = 3
  provision.role(role_def())
  t.check(m:role(ROLE).attached[S3], "attached after waiting")
  t.check(env.slept > 0, "waited")
  t.check(env.slept <= 120, "within the timeout")
end)

t.test("eventual consistency gives up after the propagation timeout", function()
  local m = setup({ timeout = 5 })
  m.lag = 1000
  local err = t.raises(function() provision.role(role_def()) end)
  t.eq(err.code, "NoSuchEntity")
end)

t.test("a MalformedPolicyDocument that is not about principals is not retried", function()
  local m, env = setup()
  m:fail("create_role", { code = "MalformedPolicyDocument", message = "Syntax errors in policy." })
  local err = t.raises(function() provision.role(role_def()) end)
  t.eq(err.code, "MalformedPolicyDocument")
  t.eq(env.slept, 0)
end)

local function user_def(extra)
  local set = policy.load_set("sagemaker-deployer")
  local def = { name = USER, path = set.path, managed = set.managed }
  for k, v in pairs(extra or {}) do
    def[k] = v
  end
  return def
end

-- A role that trusts a user made in the same run: IAM refuses the new
-- principal for a while ("Invalid principal in policy").
local function trusting(user_arn)
  return { Version = "2012-10-17", Statement = { {
    Effect = "Allow", Principal = { AWS = user_arn }, Action = "sts:AssumeRole" } } }
end

t.test("eventual consistency: a trust policy naming a just-created user is retried until IAM knows it", function()
  local m, env = setup()
  m.lag, m.principal_lag = 2, 3
  local u = provision.user({ name = "ci" })
  local r = provision.role({ name = "ci-role", trust = trusting(u.arn) })
  t.check(m:role("ci-role"), "role created")
  t.eq(r.created, true)
  t.check(env.slept > 0 and env.slept <= 120, "waited within the timeout: " .. env.slept)
  -- and the same for UpdateAssumeRolePolicy naming another new user (the
  -- role itself has propagated by the next run)
  m:role("ci-role").hidden = 0
  again()
  local u2 = provision.user({ name = "ci2" })
  provision.role({ name = "ci-role", trust = trusting(u2.arn) })
  t.check(policy.equal(m:role("ci-role").trust, trusting(u2.arn)), "trust updated")
end)

t.test("eventual consistency: gives up after the configured time with a clear message", function()
  local m, env = setup({ timeout = 30 })
  m.principal_lag = 1000
  local u = provision.user({ name = "ci" })
  local err = t.raises(function() provision.role({ name = "ci-role", trust = trusting(u.arn) }) end)
  t.eq(err.code, "MalformedPolicyDocument", "the code stays")
  t.check(tostring(err):find("Invalid principal in policy", 1, true), tostring(err))
  t.check(tostring(err):find("gave up after 30 s", 1, true), "says it waited: " .. tostring(err))
  t.check(env.slept <= 30, "within the timeout: " .. env.slept)
  t.check(m:role("ci-role") == nil, "no role")
end)

t.test("eventual consistency: a new user that never shows up is an error, not 'absent'", function()
  local m = setup({ timeout = 20 })
  m.lag = 1000
  local err = t.raises(function()
    provision.user(user_def())
    provision.access_key({ user = USER, file = file("never.json") })
  end)
  t.eq(err.code, "NoSuchEntity")
  t.check(tostring(err):find("gave up after 20 s", 1, true), tostring(err))
end)

t.test("a role created by someone else between our read and our create is adopted", function()
  local m, env = setup()
  m.iam.create_role({ RoleName = ROLE, AssumeRolePolicyDocument = policy.trust_service("ec2.amazonaws.com") })
  m:fail("get_role", { code = "NoSuchEntity", message = "The role with name " .. ROLE .. " cannot be found." })
  m:clear_log()
  local r = provision.role(role_def())
  t.eq(r.arn, "arn:aws:iam::123456789012:role/" .. ROLE)
  t.eq(r.created, false, "adopted, not created")
  t.check(policy.equal(m:role(ROLE).trust, policy.trust_service("sagemaker.amazonaws.com")), "trust converged")
  t.check(m:role(ROLE).attached[S3], "policies converged")
  t.eq(env.lines[1], nil)
end)

t.test("a role whose name differs only in case: said clearly", function()
  local m, env = setup()
  m.iam.create_role({ RoleName = ROLE:lower(), AssumeRolePolicyDocument = policy.trust_service("sagemaker.amazonaws.com") })
  -- IAM finds it under either spelling: converged, with a warning naming both
  provision.role(role_def())
  t.check(env.warnings[1] and env.warnings[1]:find(ROLE:lower(), 1, true), "warned: " .. tostring(env.warnings[1]))
  t.eq(m.roles[ROLE:lower()].name, ROLE:lower(), "no second role")
  -- a lookup that does not find it (case-sensitive): CreateRole's conflict is explained
  again()
  m:fail("get_role", { code = "NoSuchEntity", message = "not found" }, { times = 2 })
  local err = t.raises(function() provision.role(role_def()) end)
  t.check(tostring(err):find("differs only in case", 1, true), tostring(err))
end)

t.test("two keys, one of them inactive, still fill the quota: clear message, no write", function()
  local m = setup()
  provision.user(user_def())
  local a = m.iam.create_access_key({ UserName = USER }).AccessKey.AccessKeyId
  m.iam.create_access_key({ UserName = USER })
  m.iam.update_access_key({ UserName = USER, AccessKeyId = a, Status = "Inactive" })
  m:clear_log()
  local err = t.raises(function() provision.access_key({ user = USER, file = file("inactive.json") }) end)
  t.check(tostring(err):find("already has 2 access keys", 1, true), tostring(err))
  t.check(tostring(err):find("Inactive", 1, true), "names the inactive one: " .. tostring(err))
  t.eq(#m.writes, 0)
end)

t.test("teardown waits out DeleteConflict right after the last detach", function()
  local m, env = setup()
  provision.role(role_def())
  provision.user(user_def())
  m.conflict_lag = 2
  again()
  provision.teardown_user({ name = USER })
  provision.teardown_role({ name = ROLE })
  t.check(m:user(USER) == nil and m:role(ROLE) == nil, "gone")
  t.check(env.slept > 0, "waited")
end)

t.test("user groups: added, and with exclusive removed in a stable order", function()
  local m, env = setup()
  for _, g in ipairs({ "zeta", "alpha", "mid" }) do
    m.iam.create_group({ GroupName = g })
  end
  provision.user(user_def({ groups = { "zeta", "alpha", "mid" } }))
  t.check(m:user(USER).groups.alpha and m:user(USER).groups.zeta, "added")
  again(true)
  provision.user(user_def({ groups = {}, exclusive = true }))
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "- remove user " .. USER .. " from group alpha", "- remove user " .. USER .. " from group mid",
    "- remove user " .. USER .. " from group zeta" }, "\n"))
end)

t.test("names IAM refuses are refused before any call", function()
  local m, env = setup()
  local err = t.raises(function() provision.role(role_def({ name = "bad name!" })) end)
  t.eq(err.code, "InvalidDefinition")
  t.check(tostring(err):find('provision.role{name = "bad name!"}: name "bad name!" is not a name IAM accepts', 1, true),
    tostring(err))
  t.eq(#m.calls, 0)
  t.eq(env.slept, 0)
end)

t.test("user and key: created, file 0600 in the handbook's format, re-run writes nothing", function()
  local m, env = setup()
  local path = file("creds1.json")
  provision.user(user_def())
  local k = provision.access_key({ user = USER, file = path })
  t.eq(counts(), "8/0/0", "user, 5 attachments, key, file")
  t.check(k.id and k.id:match("^AKIA"), "id")
  local st = fs.stat(path)
  t.eq(st.mode, tonumber("600", 8), "mode")
  local doc = mock.json.decode(fs.read(path))
  t.eq(doc.AccessKeyId, k.id)
  t.check(fs.read(path):find('^{\n  "AccessKeyId"'), "AccessKeyId first")
  for _, line in ipairs(env.progress) do
    t.check(not line:find(doc.SecretAccessKey, 1, true), "secret never printed")
  end
  m:clear_log()
  again()
  provision.user(user_def())
  local k2 = provision.access_key({ user = USER, file = path })
  t.eq(#m.writes, 0)
  t.eq(k2.id, k.id)
  t.eq(keys_of(m, USER), 1)
end)

t.test("plan with the user missing plans user, attachments, key and file without failing", function()
  local m, env = setup({ plan = true })
  local path = file("creds-plan.json")
  provision.user(user_def())
  provision.access_key({ user = USER, file = path })
  t.eq(#m.writes, 0)
  t.eq(counts(), "8/0/0")
  t.eq(env.lines[#env.lines - 1], "+ create access key for user " .. USER)
  t.check(fs.read(path) == nil, "no file in plan mode")
end)

t.test("a file iamsh did not write is never overwritten, and no key is made", function()
  local m = setup()
  local path = file("foreign.json")
  write(path, "my notes\n")
  provision.user(user_def())
  m:clear_log()
  local err = t.raises(function() provision.access_key({ user = USER, file = path }) end)
  t.check(tostring(err):find("not a credentials file", 1, true), tostring(err))
  t.eq(#m.writes, 0)
  t.eq(fs.read(path), "my notes\n")
end)

t.test("the handbook's credentials file is adopted when its key exists", function()
  local m = setup()
  provision.user(user_def())
  local key = m.iam.create_access_key({ UserName = USER }).AccessKey
  local path = file("book.json")
  write(path, string.format('{"AccessKeyId": "%s", "SecretAccessKey": "%s"}', key.AccessKeyId, key.SecretAccessKey))
  m:clear_log()
  local k = provision.access_key({ user = USER, file = path })
  t.eq(k.id, key.AccessKeyId)
  t.eq(#m.writes, 0)
end)

t.test("two keys already: stop with a clear message; rotate deletes the oldest", function()
  local m = setup()
  provision.user(user_def())
  local first = m.iam.create_access_key({ UserName = USER }).AccessKey.AccessKeyId
  local second = m.iam.create_access_key({ UserName = USER }).AccessKey.AccessKeyId
  local path = file("rotate.json")
  m:clear_log()
  local err = t.raises(function() provision.access_key({ user = USER, file = path }) end)
  t.check(tostring(err):find("already has 2 access keys", 1, true), tostring(err))
  t.check(tostring(err):find("rotate=true", 1, true), "hint")
  t.eq(#m.writes, 0)
  again()
  local k = provision.access_key({ user = USER, file = path, rotate = true })
  t.eq(counts(), "2/0/1")
  local u = m:user(USER)
  t.check(u.keys[first] == nil, "oldest deleted")
  t.check(u.keys[second] ~= nil, "newer kept")
  t.check(u.keys[k.id] ~= nil, "new key")
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id)
end)

t.test("a stale file of ours gets the new key", function()
  local m = setup()
  provision.user(user_def())
  local path = file("stale.json")
  write(path, '{"AccessKeyId": "AKIAGONE", "SecretAccessKey": "x"}')
  local k = provision.access_key({ user = USER, file = path })
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id)
  t.eq(keys_of(m, USER), 1)
end)

t.test("ambiguous CreateAccessKey failure: the key made without its secret is deleted", function()
  local m = setup()
  provision.user(user_def())
  local kept = m.iam.create_access_key({ UserName = USER }).AccessKey.AccessKeyId
  local path = file("ambiguous.json")
  m:fail("create_access_key", { code = "TransportError", message = "timed out", status = 0 }, { after = true })
  local err = t.raises(function() provision.access_key({ user = USER, file = path }) end)
  t.eq(err.code, "TransportError", "the failure is re-raised")
  t.eq(keys_of(m, USER), 1, "no orphan")
  t.check(m:user(USER).keys[kept], "the key that was there before stays")
  t.check(fs.read(path) == nil, "no file")
  m:fail("create_access_key", { code = "ServiceFailure", status = 500 }, { after = true })
  t.raises(function() provision.access_key({ user = USER, file = path }) end)
  t.eq(keys_of(m, USER), 1, "no orphan after a 500 either")
end)

t.test("client retries that made keys before a clean last failure leave no orphan", function()
  local m = setup()
  provision.user(user_def())
  -- What the client's own retries look like: attempt 1 makes a key and loses
  -- the answer (500), attempt 2 does the same, attempt 3 hits the quota.
  local create = m.ops.create_access_key
  local attempts = 0
  m.ops.create_access_key = function(p)
    attempts = attempts + 1
    create(p)
    create(p)
    mock.raise("create_access_key", "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
  end
  local err = t.raises(function() provision.access_key({ user = USER, file = file("retried.json") }) end)
  t.eq(err.code, "LimitExceeded")
  t.eq(keys_of(m, USER), 0, "both strays deleted")
  m.ops.create_access_key = create
end)

t.test("a CreateAccessKey the client retried after a lost answer leaves one key", function()
  local m = setup()
  provision.user(user_def())
  -- The client's own retry: attempt 1 makes a key and its answer is lost (a
  -- 500 after IAM acted, a dropped connection), attempt 2 succeeds.
  local create = m.ops.create_access_key
  local lost
  m.ops.create_access_key = function(p)
    lost = create(p).AccessKey.AccessKeyId
    return create(p)
  end
  local path = file("retried-ok.json")
  local k = provision.access_key({ user = USER, file = path })
  m.ops.create_access_key = create
  t.eq(keys_of(m, USER), 1, "the key whose answer was lost is deleted")
  t.check(m:user(USER).keys[lost] == nil, "the lost one went")
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id, "the file has the key that is left")
  t.check(fs.read(path .. ".iamsh-pending") == nil, "no pending note left")
end)

-- The client's retry of a CreateAccessKey whose answer was lost, then the
-- sweep's ListAccessKeys throttled beyond the client's own three attempts.
local function lost_answer_then_throttled(m, times)
  local create = m.ops.create_access_key
  local lost
  m.ops.create_access_key = function(p)
    lost = create(p).AccessKey.AccessKeyId
    m.ops.create_access_key = create
    m:fail("list_access_keys", { code = "Throttling", message = "Rate exceeded" }, { times = times })
    return create(p)
  end
  return function() return lost end
end

t.test("the sweep after a retried CreateAccessKey waits out throttling", function()
  local m = setup()
  provision.user(user_def())
  local lost = lost_answer_then_throttled(m, 4)
  local path = file("throttled.json")
  local k = provision.access_key({ user = USER, file = path })
  t.eq(keys_of(m, USER), 1, "the key whose answer was lost is deleted")
  t.check(m:user(USER).keys[lost()] == nil, "the lost one went")
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id)
  t.check(fs.read(path .. ".iamsh-pending") == nil, "no pending note left")
end)

t.test("a sweep that cannot list the keys fails the run; the next run deletes the stray", function()
  local m = setup()
  provision.user(user_def())
  local lost = lost_answer_then_throttled(m, 1000)
  local path = file("throttled-long.json")
  local err = t.raises(function() provision.access_key({ user = USER, file = path }) end)
  t.eq(err.code, "Throttling")
  t.check(err.message:find("run again: the next run deletes the other key", 1, true), err.message)
  t.eq(keys_of(m, USER), 2, "the stray is still there")
  t.check(fs.read(path) ~= nil, "the saved key's file is written")
  t.check(fs.read(path .. ".iamsh-pending") ~= nil, "the note stays for the next run")
  m.faults.list_access_keys = nil
  again()
  local k = provision.access_key({ user = USER, file = path })
  t.eq(keys_of(m, USER), 1, "the next run deleted the stray")
  t.check(m:user(USER).keys[lost()] == nil, "the lost one went")
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id, "and kept the saved key")
  t.check(fs.read(path .. ".iamsh-pending") == nil, "no pending note left")
end)

-- A run killed (SIGKILL) once CreateAccessKey has made the key, before the
-- file is written: the mock yields inside the call and the coroutine is
-- never resumed, so none of the run's own clean-up happens.
local function killed_after_create(m, path)
  local create = m.ops.create_access_key
  local made
  m.ops.create_access_key = function(p)
    local r = create(p)
    made = r.AccessKey.AccessKeyId
    coroutine.yield()
    return r
  end
  local co = coroutine.create(function() provision.access_key({ user = USER, file = path }) end)
  local ok, err = coroutine.resume(co)
  t.check(ok and coroutine.status(co) == "suspended", "killed inside CreateAccessKey: " .. tostring(err))
  m.ops.create_access_key = create
  return made
end

t.test("a run killed between CreateAccessKey and the file: the re-run deletes the key nobody has", function()
  local m, env = setup()
  provision.user(user_def())
  local path = file("killed.json")
  local orphan = killed_after_create(m, path)
  t.eq(keys_of(m, USER), 1, "the killed run made its key")
  t.check(fs.read(path) == nil, "and wrote no file")
  again(true)
  provision.access_key({ user = USER, file = path })
  t.eq(env.lines[1], "- delete access key " .. orphan .. " of user " .. USER
    .. " (made by an interrupted run; its secret was never saved)", "plan shows it")
  t.eq(counts(), "2/0/1")
  again()
  env.warnings = {}
  local k = provision.access_key({ user = USER, file = path })
  t.eq(keys_of(m, USER), 1, "one key")
  t.check(m:user(USER).keys[orphan] == nil, "the killed run's key deleted")
  t.eq(mock.json.decode(fs.read(path)).AccessKeyId, k.id)
  t.eq(#env.warnings, 0, "no 'not recorded' warning for a key we deleted")
  t.check(fs.read(path .. ".iamsh-pending") == nil, "no pending note left")
end)

t.test("a key made long after an interrupted run is not taken for its stray", function()
  local m, env = setup()
  provision.user(user_def())
  local path = file("old-note.json")
  -- an interrupted run's note from long before the key the user made by hand
  fs.write_atomic(path .. ".iamsh-pending", '{"user": "' .. USER .. '", "keys": [], "time": 1000}', tonumber("600", 8))
  local theirs = m.iam.create_access_key({ UserName = USER }).AccessKey.AccessKeyId
  again()
  env.warnings = {}
  provision.access_key({ user = USER, file = path })
  t.check(m:user(USER).keys[theirs] ~= nil, "their key stays")
  t.check(env.warnings[1] and env.warnings[1]:find("access key " .. theirs .. " of user " .. USER
    .. " is not recorded", 1, true), tostring(env.warnings[1]))
end)

t.test("teardown after an interrupted run leaves no pending note", function()
  local m = setup()
  provision.user(user_def())
  local path = file("killed-td.json")
  killed_after_create(m, path)
  t.check(fs.read(path .. ".iamsh-pending") ~= nil, "the killed run left its note")
  again()
  provision.teardown_user({ name = USER })
  provision.remove_credentials_file({ user = USER, file = path })
  t.check(m:user(USER) == nil, "user gone")
  t.check(fs.read(path .. ".iamsh-pending") == nil, "note gone")
end)

t.test("teardown of a half-finished set-up removes everything in order", function()
  local m = setup()
  m.iam.create_role({ RoleName = ROLE, AssumeRolePolicyDocument = policy.trust_service("sagemaker.amazonaws.com") })
  m.iam.attach_role_policy({ RoleName = ROLE, PolicyArn = S3 })
  m.iam.put_role_policy({ RoleName = ROLE, PolicyName = "x", PolicyDocument = { Version = "2012-10-17", Statement = {} } })
  m.iam.create_instance_profile({ InstanceProfileName = "p" })
  m.iam.add_role_to_instance_profile({ InstanceProfileName = "p", RoleName = ROLE })
  m.iam.create_user({ UserName = USER })
  m.iam.create_group({ GroupName = "g" })
  m.iam.add_user_to_group({ UserName = USER, GroupName = "g" })
  m.iam.create_access_key({ UserName = USER })
  m.iam.create_login_profile({ UserName = USER, Password = "x" })
  m.iam.enable_mfa_device({ UserName = USER, SerialNumber = "arn:aws:iam::123456789012:mfa/d" })
  m.iam.attach_user_policy({ UserName = USER, PolicyArn = S3 })
  m.iam.put_user_policy({ UserName = USER, PolicyName = "y", PolicyDocument = { Version = "2012-10-17", Statement = {} } })
  m:clear_log()
  again(true)
  provision.teardown_user({ name = USER })
  provision.teardown_role({ name = ROLE })
  t.eq(#m.writes, 0, "plan: no write")
  t.eq(counts(), "0/0/11")
  again()
  provision.teardown_user({ name = USER })
  provision.teardown_role({ name = ROLE })
  t.check(m:user(USER) == nil and m:role(ROLE) == nil, "gone")
  local order = {}
  for _, w in ipairs(m.writes) do
    order[#order + 1] = w.op
  end
  t.eq(table.concat(order, ","), table.concat({
    "remove_user_from_group", "delete_access_key", "delete_login_profile", "deactivate_mfa_device",
    "delete_virtual_mfa_device", "detach_user_policy", "delete_user_policy", "delete_user",
    "remove_role_from_instance_profile", "detach_role_policy", "delete_role_policy", "delete_role" }, ","))
  m:clear_log()
  again()
  provision.teardown_user({ name = USER })
  provision.teardown_role({ name = ROLE })
  t.eq(#m.writes, 0, "absent counts as done")
end)

t.test("credentials file is deleted only after its key is gone", function()
  local m = setup()
  local path = file("td.json")
  provision.user(user_def())
  provision.access_key({ user = USER, file = path })
  again()
  provision.remove_credentials_file({ user = USER, file = path })
  t.check(fs.read(path) ~= nil, "kept while the key exists")
  provision.teardown_user({ name = USER })
  provision.remove_credentials_file({ user = USER, file = path })
  t.check(fs.read(path) == nil, "deleted")
  t.eq(#m.writes > 0, true)
end)

local LP_VARS = { bucket = "b", execution_role_arn = "arn:aws:iam::123456789012:role/R", partition = "aws",
  account = "123456789012" }

t.test("customer-managed policy: created with a marker, updated as a new version, torn down", function()
  local m = setup()
  local set = policy.load_set("sagemaker-deployer-least-privilege", LP_VARS)
  local def = { name = set.policy_name, description = set.description, document = set.document }
  local p = provision.managed_policy(def)
  t.eq(p.arn, "arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege")
  provision.user(user_def({ managed = { p.arn } }))
  m.mangle = true
  m:clear_log()
  again()
  provision.managed_policy(def)
  t.eq(#m.writes, 0, "unchanged")
  for i = 1, 5 do
    def.document = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::r" .. i } } }
    provision.managed_policy(def)
  end
  local pol = m.policies[p.arn]
  t.eq(pol.default, "v6")
  again()
  provision.teardown_user({ name = USER })
  provision.teardown_managed_policy({ name = set.policy_name })
  t.check(m.policies[p.arn] == nil, "deleted")
end)

t.test("a customer-managed policy without our marker is left alone", function()
  local m, env = setup()
  m.iam.create_policy({ PolicyName = "SageMakerDeployerLeastPrivilege", PolicyDocument = { Version = "2012-10-17", Statement = {} } })
  provision.teardown_managed_policy({ name = "SageMakerDeployerLeastPrivilege" })
  t.check(m.policies["arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege"], "kept")
  t.check(env.warnings[1]:find("not made by iamsh", 1, true), "warned")
end)

t.test("local files: written once, 0600 kept, not in plan mode", function()
  local _, env = setup({ plan = true })
  local path = file("role.json")
  provision.file({ path = path, content = "{}\n" })
  t.check(fs.read(path) == nil)
  t.eq(env.lines[1], "+ write " .. path)
  again()
  provision.file({ path = path, content = "{}\n", mode = tonumber("600", 8) })
  t.eq(fs.stat(path).mode, tonumber("600", 8))
  again()
  provision.file({ path = path, content = "{}\n", mode = tonumber("600", 8) })
  t.eq(counts(), "0/0/0")
end)

-- A plan that is a promise -------------------------------------------------------

t.test("a misspelled managed policy fails at once, before any write, in plan and in apply", function()
  for _, plan in ipairs({ true, false }) do
    local m, env = setup({ plan = plan })
    local err = t.raises(function() provision.role(role_def({ managed = { "AmazonS3FullAcess" } })) end)
    t.eq(tostring(err), "NoSuchEntity: policy arn:aws:iam::aws:policy/AmazonS3FullAcess does not exist "
      .. "(referenced by role " .. ROLE .. ")")
    t.eq(err.code, "NoSuchEntity")
    t.eq(err.kind, "service")
    t.eq(#m.writes, 0, "no write")
    t.eq(env.slept, 0, "no propagation wait")
    t.eq(#env.lines, 0, "nothing planned")
    t.check(m:role(ROLE) == nil, "no half-made role")
  end
end)

t.test("a missing group, user, boundary or principal is named with what refers to it", function()
  local m = setup({ plan = true })
  local function fails(fn, want)
    local err = t.raises(fn)
    t.eq(tostring(err), want)
  end
  fails(function() provision.user({ name = "u", groups = { "devs" } }) end,
    "NoSuchEntity: group devs does not exist (referenced by user u)")
  fails(function() provision.group({ name = "g", members = { "nobody" } }) end,
    "NoSuchEntity: user nobody does not exist (referenced by group g)")
  fails(function() provision.role(role_def({ permissions_boundary = "Boundary" })) end,
    "NoSuchEntity: policy arn:aws:iam::aws:policy/Boundary does not exist (referenced by role " .. ROLE .. ")")
  fails(function() provision.role({ name = "r", trust = trusting("arn:aws:iam::123456789012:user/ghost") }) end,
    "NoSuchEntity: user ghost does not exist (referenced by role r)")
  fails(function() provision.access_key({ user = "ghost", file = file("ghost.json") }) end,
    "NoSuchEntity: user ghost does not exist (referenced by access key file " .. file("ghost.json") .. ")")
  fails(function() provision.instance_profile({ name = "ip", role = "ghost" }) end,
    "NoSuchEntity: role ghost does not exist (referenced by instance profile ip)")
  t.eq(#m.writes, 0)
end)

t.test("what the run makes (or plans to) counts as there; each reference is read once", function()
  local m, env = setup({ plan = true })
  local p = provision.managed_policy({ name = "ci-deploy", document = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::b/*" } } } })
  provision.group({ name = "deployers", managed = { p.arn, "ReadOnlyAccess" } })
  local u = provision.user({ name = "ci", groups = { "deployers" }, managed = { "ReadOnlyAccess" } })
  provision.role({ name = "ci-role", trust = trusting(u.arn) })
  provision.access_key({ user = "ci", file = file("plan-ci.json") })
  t.eq(#m.writes, 0)
  t.eq(counts(), "10/0/0", table.concat(env.lines, "\n"))
  local reads = 0
  for _, c in ipairs(m.calls) do
    if c.op == "get_policy" and c.params.PolicyArn == "arn:aws:iam::aws:policy/ReadOnlyAccess" then
      reads = reads + 1
    end
  end
  t.eq(reads, 1, "ReadOnlyAccess read once")
end)

local function refused(fn, pattern)
  local err = t.raises(fn)
  t.eq(err.code, "InvalidDefinition", tostring(err))
  t.eq(err.kind, "param")
  t.check(tostring(err):find(pattern, 1, true), tostring(err))
  return err
end

t.test("definitions are checked before anything is read: keys, types, flags, documents, folders", function()
  local m = setup({ plan = true })
  refused(function() provision.role(role_def({ manged = { "ReadOnlyAccess" } })) end,
    'provision.role{name = "' .. ROLE .. '"}: unknown key \'manged\' (did you mean \'managed\'?)')
  refused(function() provision.user({ name = "u", tag = { a = "b" } }) end, "unknown key 'tag' (did you mean 'tags'?)")
  refused(function() provision.user({ name = "u", colour = "red" }) end, "unknown key 'colour' (known: ")
  refused(function() provision.role(role_def({ exclusive = "ture" })) end,
    'exclusive must be true or false (or the strings "true"/"false"), not "ture"')
  refused(function() provision.role(role_def({ exclusive = 1 })) end, "exclusive must be true or false")
  refused(function() provision.role(role_def({ managed = "ReadOnlyAccess" })) end, "managed must be a list")
  refused(function() provision.role(role_def({ managed = { 42 } })) end, "managed[1] must be a policy name or ARN")
  refused(function() provision.role(role_def({ trust = '{"Version": "2012-10-17", "Statement": [' })) end,
    "trust is not a valid policy document: Statement: This policy contains invalid Json (line 1, column 40)")
  refused(function() provision.role(role_def({ trust = policy.load_set("sagemaker-deployer-least-privilege",
    { bucket = "b", execution_role_arn = "arn:aws:iam::1:role/r", partition = "aws", account = "1" }).document })) end,
    "trust is not a valid policy document: Statement[1].Action[1]: AssumeRole policy may only specify STS AssumeRole actions.")
  refused(function() provision.role(role_def({ inline = { read = { Version = "2012-10-17" } } })) end,
    'inline["read"] is not a valid policy document: Syntax errors in policy. Missing required field Statement')
  refused(function() provision.role(role_def({ inline = { read = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*",
      Condition = { StringEquals = { ["s3:prefix"] = { "a" } }, DateGreaterThan = { ["aws:CurrentTime"] = "soon" } } },
  } } } })) end, 'inline["read"] is not a valid policy document: Statement[1].Condition.DateGreaterThan["aws:CurrentTime"]: '
    .. 'Syntax errors in policy. DateGreaterThan needs dates (ISO 8601, or seconds since 1970): "soon"')
  refused(function() provision.role(role_def({ max_session_duration = 60 })) end, "between 3600 and 43200")
  refused(function() provision.role(role_def({ path = "ci" })) end, "must be an IAM path")
  refused(function() provision.role(role_def({ tags = { ["aws:x"] = "y" } })) end, "aws: prefix is reserved")
  refused(function() provision.role({ trust = policy.trust_service("x") }) end, "name (string (IAM name)) is required")
  refused(function() provision.role("R") end, "a definition table is required")
  refused(function() provision.access_key({ user = "u", file = tmpdir .. "/no/such/dir/k.json" }) end,
    "folder " .. tmpdir .. "/no/such/dir does not exist")
  refused(function() provision.file({ path = tmpdir .. "/nope/x", content = "" }) end, "does not exist")
  refused(function() provision.oidc_provider({ url = "http://example.com" }) end, "must be an https:// URL")
  refused(function() provision.oidc_provider({ url = "https://x", thumbprints = { "abc" } }) end, "40 hexadecimal")
  refused(function() provision.step({ kind = "create", what = "x", run = print }) end,
    'kind must be one of add, change, destroy, not "create"')
  t.eq(#m.calls, 0, "no call at all")
  -- the strings key=value arguments give are fine
  provision.role(role_def({ exclusive = "false" }))
  provision.role(role_def({ exclusive = "true" }))
end)

t.test("too many managed policies: refused before any write unless the account allows them", function()
  local m = setup()
  local many = {}
  for i, name in ipairs(mock.AWS_MANAGED) do
    if i <= 11 then
      many[#many + 1] = name
    end
  end
  local err = t.raises(function() provision.role(role_def({ managed = many })) end)
  t.eq(err.code, "LimitExceeded")
  t.check(tostring(err):find("would have 11 managed policies attached; the account allows 10", 1, true), tostring(err))
  t.eq(#m.writes, 0)
  m.quotas.AttachedPoliciesPerRoleQuota = 20
  again()
  provision.role(role_def({ managed = many }))
  t.eq(counts(), "12/0/0")
end)

t.test("inline policies larger than IAM allows are refused before any write", function()
  local m = setup({ plan = true })
  local actions = {}
  for i = 1, 200 do
    actions[i] = string.format("s3:GetObject%04d", i)
  end
  local doc = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = actions, Resource = "*" } } }
  refused(function() provision.user({ name = "u", inline = { big = doc } }) end,
    "the inline policies of user u would be")
  provision.role({ name = "r", trust = policy.trust_service("x.amazonaws.com"), inline = { big = doc } })
  t.eq(#m.writes, 0)
end)

-- Plan output that shows the change ------------------------------------------------

t.test("plan shows document diffs and settings as old -> new", function()
  local m, env = setup()
  provision.role(role_def({ max_session_duration = 3600 }))
  local role = m:role(ROLE)
  role.trust = policy.trust_service("ec2.amazonaws.com")
  role.description = "changed"
  again(true)
  env.lines = {}
  provision.role(role_def({ max_session_duration = 7200, inline = {} }))
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "~ update trust policy of role " .. ROLE,
    "    ~ Statement 1",
    '        ~ Principal.Service: "ec2.amazonaws.com" -> "sagemaker.amazonaws.com"',
    "~ update role " .. ROLE,
    '    ~ description: "changed" -> "Execution role for SageMaker"',
    "    ~ max_session_duration: 3600 -> 7200",
  }, "\n"))
end)

t.test("plan shows an inline policy's diff and tag changes", function()
  local m, env = setup()
  local doc = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "*" } } }
  provision.role(role_def({ inline = { read = doc }, tags = { team = "ml", env = "dev" } }))
  m:role(ROLE).tags.owner = "bob"
  again(true)
  env.lines = {}
  local doc2 = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:ListBucket", Resource = "*" } } }
  provision.role(role_def({ inline = { read = doc2 }, tags = { team = "ai", env = "dev", cost = "1" }, exclusive = true }))
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "~ put inline policy read on role " .. ROLE,
    "    ~ Statement 1",
    '        ~ Action: "s3:GetObject" -> "s3:ListBucket"',
    "~ tag role " .. ROLE,
    '    + cost: "1"',
    '    ~ team: "ml" -> "ai"',
    "~ untag role " .. ROLE,
    '    - owner: "bob"',
  }, "\n"))
end)

t.test("drift warnings name every extra thing: managed, inline, tags, groups", function()
  local m, env = setup()
  m.iam.create_group({ GroupName = "old" })
  provision.user(user_def({ name = "w" }))
  local u = m:user("w")
  u.attached["arn:aws:iam::aws:policy/AdministratorAccess"] = true
  u.inline.extra = { Version = "2012-10-17", Statement = {} }
  u.tags.owner = "bob"
  m.iam.add_user_to_group({ UserName = "w", GroupName = "old" })
  again(true)
  env.warnings = {}
  provision.user(user_def({ name = "w" }))
  t.eq(env.warnings[1], "! user w has what its definition does not list: group old; managed policy "
    .. "arn:aws:iam::aws:policy/AdministratorAccess; inline policy extra; tag owner; kept (exclusive=true removes them)")
  t.eq(counts(), "0/0/0")
  again(true)
  provision.user(user_def({ name = "w", exclusive = true }))
  t.eq(counts(), "0/1/3")
end)

-- Correctness ------------------------------------------------------------------------

t.test("after a path change the user's ARN is the new one", function()
  local m = setup()
  provision.user({ name = "mover", path = "/a/" })
  again()
  local r = provision.user({ name = "mover", path = "/b/" })
  t.eq(r.arn, "arn:aws:iam::123456789012:user/b/mover")
  t.eq(m:user("mover").arn, r.arn)
  again(true)
  t.eq(provision.user({ name = "mover", path = "/c/" }).arn, "arn:aws:iam::123456789012:user/c/mover", "plan too")
end)

t.test("a lost credentials file: the orphaned key is named with the command to delete it", function()
  local m, env = setup()
  local path = file("lost.json")
  provision.user(user_def())
  local first = provision.access_key({ user = USER, file = path }).id
  os.remove(path)
  again(true)
  env.warnings = {}
  provision.access_key({ user = USER, file = path })
  t.check(env.warnings[1] and env.warnings[1]:find("access key " .. first .. " of user " .. USER
    .. " is not recorded in " .. path, 1, true), tostring(env.warnings[1]))
  t.check(env.warnings[1]:find("iamsh -e 'iam.delete_access_key{UserName = \"" .. USER .. "\", AccessKeyId = \""
    .. first .. "\"}'", 1, true), env.warnings[1])
  again()
  local second = provision.access_key({ user = USER, file = path }).id
  t.check(second ~= first, "a new key")
  t.eq(keys_of(m, USER), 2)
end)

t.test("an adopted credentials file is made 0600", function()
  local m = setup()
  provision.user(user_def())
  local key = m.iam.create_access_key({ UserName = USER }).AccessKey
  local path = file("adopt644.json")
  local text = string.format('{"AccessKeyId": "%s", "SecretAccessKey": "%s"}', key.AccessKeyId, key.SecretAccessKey)
  fs.write_atomic(path, text, tonumber("644", 8))
  again(true)
  provision.access_key({ user = USER, file = path })
  t.eq(counts(), "0/1/0")
  t.eq(fs.stat(path).mode, tonumber("644", 8), "plan changes nothing")
  again()
  m:clear_log()
  provision.access_key({ user = USER, file = path })
  t.eq(fs.stat(path).mode, tonumber("600", 8))
  t.eq(fs.read(path), text, "same content")
  t.eq(#m.writes, 0, "no IAM write")
end)

t.test("a temp file a killed writer left is removed by the next write", function()
  -- found by the soak: SIGKILL between creating the temp file and the rename left it
  -- (0600, maybe holding a secret) beside the credentials file for good
  local path = file("stale.json")
  write(path .. ".iamsh-tmp-99999999", "half a secret") -- no such process
  write(path .. ".iamsh-tmp-1", "a live writer's")      -- init: alive
  write(path .. ".iamsh-tmp-x", "not ours")
  fs.write_atomic(path, "{}")
  t.eq(fs.read(path), "{}")
  t.eq(fs.read(path .. ".iamsh-tmp-99999999"), nil, "the dead writer's temp file is gone")
  t.eq(fs.read(path .. ".iamsh-tmp-1"), "a live writer's", "a live writer's stays")
  t.eq(fs.read(path .. ".iamsh-tmp-x"), "not ours", "a name that is not a PID stays")
end)

t.test("managed names get the caller's partition", function()
  local m = mock.new({ partition = "aws-cn" })
  provision.reset()
  provision.configure(m:clients())
  provision.configure({ progress = function() end })
  provision.role(role_def({ managed = { "AmazonS3FullAccess" } }))
  t.check(m:role(ROLE).attached["arn:aws-cn:iam::aws:policy/AmazonS3FullAccess"], "aws-cn ARN")
  t.eq(provision.partition(), "aws-cn")
end)

t.test("the partition falls back to the configuration without STS", function()
  provision.reset()
  provision.configure({
    sts = { get_caller_identity = function() error({ code = "TransportError", message = "down" }) end },
    aws_config = { partition = "aws-us-gov" },
  })
  t.eq(provision.partition(), "aws-us-gov")
end)

-- Permissions boundaries --------------------------------------------------------------

t.test("permissions boundary on a role: set at create, repaired, removed with false, planned", function()
  local m, env = setup()
  local b = provision.managed_policy({ name = "boundary", document = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "s3:*", Resource = "*" } } } })
  provision.role(role_def({ permissions_boundary = b.arn }))
  t.eq(m:role(ROLE).boundary, b.arn)
  again()
  m:clear_log()
  provision.role(role_def({ permissions_boundary = "boundary" == "x" or b.arn }))
  t.eq(#m.writes, 0, "converged")
  m:role(ROLE).boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  again(true)
  env.lines = {}
  provision.role(role_def({ permissions_boundary = b.arn }))
  t.eq(table.concat(env.lines, "\n"), "~ set the permissions boundary of role " .. ROLE .. "\n"
    .. '    ~ permissions_boundary: "arn:aws:iam::aws:policy/ReadOnlyAccess" -> "' .. b.arn .. '"')
  again()
  provision.role(role_def({ permissions_boundary = b.arn }))
  t.eq(m:role(ROLE).boundary, b.arn, "repaired")
  again()
  provision.role(role_def({ permissions_boundary = false }))
  t.eq(m:role(ROLE).boundary, nil, "removed")
  again()
  provision.role(role_def())
  t.eq(counts(), "0/0/0", "not given: left alone")
end)

t.test("permissions boundary on a user; teardown of the policy removes it first", function()
  local m = setup()
  local b = provision.managed_policy({ name = "ub", document = { Version = "2012-10-17", Statement = {
    { Effect = "Allow", Action = "s3:*", Resource = "*" } } } })
  provision.user(user_def({ permissions_boundary = b.arn }))
  t.eq(m:user(USER).boundary, b.arn)
  again(true)
  provision.teardown_managed_policy({ name = "ub" })
  t.eq(counts(), "0/1/1")
  again()
  provision.teardown_managed_policy({ name = "ub" })
  t.eq(m:user(USER).boundary, nil)
  t.check(m.policies[b.arn] == nil, "policy deleted")
end)

-- provision.step: a script's own writes -----------------------------------------------

t.test("provision.step: planned and counted, run in apply mode, its creations known to later definitions", function()
  local m, env = setup({ plan = true })
  local ran = false
  local r = provision.step({ kind = "add", what = "create group ops", creates = { group = "ops" },
    run = function() ran = true; return m.iam.create_group({ GroupName = "ops" }) end })
  t.eq(r, nil)
  t.check(not ran, "not run in plan mode")
  provision.user({ name = "u", groups = { "ops" } })
  t.eq(env.lines[1], "+ create group ops")
  t.eq(counts(), "3/0/0")
  again()
  local res = provision.step({ kind = "add", what = "create group ops", creates = { group = "ops" },
    run = function() return m.iam.create_group({ GroupName = "ops" }) end })
  t.eq(res.Group.GroupName, "ops")
  provision.user({ name = "u", groups = { "ops" } })
  t.check(m:user("u").groups.ops, "member")
  t.eq(counts(), "3/0/0")
  again(true)
  provision.step({ kind = "destroy", what = "delete x", key = "x", run = print })
  provision.step({ kind = "destroy", what = "delete x", key = "x", run = print })
  t.eq(counts(), "0/0/1", "same key planned once")
end)

t.test("functions taking plain arguments name a bad one", function()
  setup()
  for _, case in ipairs({
    { function() provision.role_arn(nil) end, "provision.role_arn: name must be an IAM name" },
    { function() provision.policy_arn("p", "ci") end, "provision.policy_arn: path must start and end with /" },
    { function() provision.read_credentials_file(42) end, "provision.read_credentials_file: path must be" },
    { function() policy.trust_service(nil) end, "policy.trust_service: a service principal" },
    { function() policy.trust_service({}) end, "policy.trust_service: the list of services is empty" },
    { function() policy.load_set(nil) end, "policy.load_set: a set name" },
    { function() provision.configure({ propagation_timout = 1 }) end, "did you mean 'propagation_timeout'" },
  }) do
    local err = t.raises(case[1])
    t.check(tostring(err):find(case[2], 1, true), tostring(err))
  end
end)

os.execute("rm -rf " .. tmpdir)
t.finish()
