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

-- A clean account and library; plan lines, progress and sleeps captured.
local function setup(opts)
  opts = opts or {}
  local m = mock.new()
  local env = { lines = {}, progress = {}, warnings = {}, slept = 0, now = 0 }
  provision.reset()
  local cfg = m:clients()
  cfg.plan = opts.plan or false
  cfg.out = function(line) env.lines[#env.lines + 1] = line end
  cfg.progress = function(line) env.progress[#env.progress + 1] = line end
  cfg.warn = function(line) env.warnings[#env.warnings + 1] = line end
  cfg.clock = function() return env.now end
  cfg.sleep = function(s) env.slept = env.slept + s; env.now = env.now + s end
  cfg.propagation_timeout = opts.timeout
  provision.configure(cfg)
  return m, env
end

local function again(plan)
  provision.configure({ plan = plan or false })
  require("provision.context").clear_counts()
end

local function role_def(extra)
  local set = policy.load_set("sagemaker-execution")
  local def = { name = ROLE, path = set.path, description = set.description, trust = set.trust, managed = set.managed }
  for k, v in pairs(extra or {}) do
    def[k] = v
  end
  return def
end

local function counts()
  local c = provision.plan_counts()
  return string.format("%d/%d/%d", c.add, c.change, c.destroy)
end

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

t.test("eventual consistency: NoSuchEntity after create and invalid principal are retried", function()
  local m, env = setup()
  m.lag = 3
  m:fail("create_role", { code = "MalformedPolicyDocument", message = "Invalid principal in policy: x" }, { times = 2 })
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
  -- and the same for UpdateAssumeRolePolicy naming another new user
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

t.test("names IAM refuses are not retried", function()
  local _, env = setup()
  local err = t.raises(function() provision.role(role_def({ name = "bad name!" })) end)
  t.eq(err.code, "ValidationError")
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
    def.document = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "r" .. i } } }
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

os.execute("rm -rf " .. tmpdir)
t.finish()
