-- provision.group, instance_profile, oidc_provider, managed_policy tags: each
-- created, converged (a re-run writes nothing), repaired after drift,
-- planned without writing, and torn down; against the in-memory IAM.
local dir = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
require("setup")

local t = require("harness")
local mock = require("mock_iam")
local provision = require("provision")
local policy = require("policy")

local fixture = require("provision_fixture")
local counts = fixture.counts

local function setup(plan)
  return fixture.setup({ plan = plan })
end

-- A new run against the same IAM; plan or apply; the captured lines cleared.
local function again(env, plan)
  fixture.again(plan)
  env.lines, env.progress, env.warnings = {}, {}, {}
end

local function ops(m)
  local out = {}
  for _, w in ipairs(m.writes) do
    out[#out + 1] = w.op
  end
  return table.concat(out, ",")
end

local READ = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "*" } } }
local WRITE = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = "s3:PutObject", Resource = "*" } } }

-- Groups -----------------------------------------------------------------------------

t.test("group: plan, create with members and policies, re-run writes nothing", function()
  local m, env = setup(true)
  m.iam.create_user({ UserName = "alice" })
  m:clear_log()
  local g = provision.group({ name = "devs", path = "/teams/", members = { "alice" }, managed = { "ReadOnlyAccess" },
    inline = { read = READ } })
  t.eq(g.arn, "arn:aws:iam::123456789012:group/teams/devs")
  t.eq(#m.writes, 0)
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "+ create group devs", "+ add user alice to group devs",
    "+ attach arn:aws:iam::aws:policy/ReadOnlyAccess to group devs", "+ put inline policy read on group devs" }, "\n"))
  again(env)
  provision.group({ name = "devs", path = "/teams/", members = { "alice" }, managed = { "ReadOnlyAccess" },
    inline = { read = READ } })
  t.eq(ops(m), "create_group,add_user_to_group,attach_group_policy,put_group_policy")
  t.check(m:group("devs").members.alice and m:user("alice").groups.devs, "member both ways")
  m:clear_log()
  again(env)
  local g2 = provision.group({ name = "devs", path = "/teams/", members = { "alice" }, managed = { "ReadOnlyAccess" },
    inline = { read = READ } })
  t.eq(#m.writes, 0, "converged")
  t.eq(g2.arn, g.arn)
  t.eq(g2.created, false)
end)

t.test("group: drift repaired (member, policy, inline, path); extras kept unless exclusive", function()
  local m, env = setup()
  m.iam.create_user({ UserName = "alice" })
  m.iam.create_user({ UserName = "bob" })
  local def = { name = "devs", members = { "alice" }, managed = { "ReadOnlyAccess" }, inline = { read = READ } }
  provision.group(def)
  m.iam.remove_user_from_group({ GroupName = "devs", UserName = "alice" })
  m.iam.add_user_to_group({ GroupName = "devs", UserName = "bob" })
  m.iam.put_group_policy({ GroupName = "devs", PolicyName = "read", PolicyDocument = WRITE })
  m.iam.attach_group_policy({ GroupName = "devs", PolicyArn = "arn:aws:iam::aws:policy/AdministratorAccess" })
  m.iam.update_group({ GroupName = "devs", NewPath = "/old/" })
  again(env, true)
  local g = provision.group(def)
  t.eq(g.arn, "arn:aws:iam::123456789012:group/devs", "the ARN after the move")
  t.eq(counts(), "1/2/0")
  t.check(table.concat(env.lines, "\n"):find('~ put inline policy read on group devs\n    ~ Statement 1\n'
    .. '        ~ Action: "s3:PutObject" -> "s3:GetObject"', 1, true), table.concat(env.lines, "\n"))
  t.eq(env.warnings[1], "! group devs has what its definition does not list: member bob; managed policy "
    .. "arn:aws:iam::aws:policy/AdministratorAccess; kept (exclusive=true removes them)")
  again(env)
  provision.group(def)
  t.check(m:group("devs").members.alice, "alice back")
  t.eq(m:group("devs").path, "/")
  t.check(policy.equal(m:group("devs").inline.read, READ), "inline repaired")
  def.exclusive = true
  again(env)
  provision.group(def)
  t.eq(counts(), "0/0/2")
  t.check(not m:group("devs").members.bob, "bob removed")
  t.check(not m:group("devs").attached["arn:aws:iam::aws:policy/AdministratorAccess"], "admin detached")
end)

t.test("group: teardown removes members and policies first; plan sends nothing; gone counts as done", function()
  local m, env = setup()
  m.iam.create_user({ UserName = "alice" })
  provision.group({ name = "devs", members = { "alice" }, managed = { "ReadOnlyAccess" }, inline = { read = READ } })
  m:clear_log()
  again(env, true)
  provision.teardown_group({ name = "devs" })
  t.eq(#m.writes, 0)
  t.eq(counts(), "0/0/4")
  again(env)
  provision.teardown_group({ name = "devs" })
  t.eq(ops(m), "remove_user_from_group,detach_group_policy,delete_group_policy,delete_group")
  t.check(m:group("devs") == nil, "gone")
  m:clear_log()
  again(env)
  t.eq(provision.teardown_group({ name = "devs" }).existed, false)
  t.eq(#m.writes, 0)
end)

t.test("group and user memberships planned from both sides count once", function()
  local m, env = setup(true)
  m.iam.create_user({ UserName = "alice" })
  provision.group({ name = "devs", members = { "alice" } })
  provision.user({ name = "alice", groups = { "devs" } })
  t.eq(counts(), "2/0/0", table.concat(env.lines, "\n"))
end)

-- Instance profiles ----------------------------------------------------------------------

local function ec2_role(m)
  m.iam.create_role({ RoleName = "web", AssumeRolePolicyDocument = policy.trust_service("ec2.amazonaws.com") })
  m.iam.create_role({ RoleName = "other", AssumeRolePolicyDocument = policy.trust_service("ec2.amazonaws.com") })
end

t.test("instance profile: plan, create with its role and tags, re-run writes nothing", function()
  local m, env = setup(true)
  ec2_role(m)
  m:clear_log()
  local ip = provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  t.eq(ip.arn, "arn:aws:iam::123456789012:instance-profile/web")
  t.eq(#m.writes, 0)
  t.eq(table.concat(env.lines, "\n"), "+ create instance profile web\n+ add role web to instance profile web")
  again(env)
  provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  t.eq(ops(m), "create_instance_profile,add_role_to_instance_profile")
  t.check(m:profile("web").roles.web, "role in profile")
  t.eq(m:profile("web").tags.app, "shop")
  m:clear_log()
  again(env)
  local ip2 = provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  t.eq(#m.writes, 0)
  t.eq(ip2.arn, ip.arn)
end)

t.test("instance profile: a different role is replaced, tags repaired, path warned", function()
  local m, env = setup()
  ec2_role(m)
  provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  m.iam.remove_role_from_instance_profile({ InstanceProfileName = "web", RoleName = "web" })
  m.iam.add_role_to_instance_profile({ InstanceProfileName = "web", RoleName = "other" })
  m:profile("web").tags.app = "blog"
  again(env, true)
  provision.instance_profile({ name = "web", role = "web", path = "/x/", tags = { app = "shop" } })
  t.eq(table.concat(env.lines, "\n"), table.concat({ "~ tag instance profile web", '    ~ app: "blog" -> "shop"',
    "- remove role other from instance profile web", "+ add role web to instance profile web" }, "\n"))
  t.check(env.warnings[1]:find("IAM cannot move it", 1, true), env.warnings[1])
  again(env)
  provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  t.check(m:profile("web").roles.web and not m:profile("web").roles.other, "role replaced")
  t.eq(m:profile("web").tags.app, "shop")
end)

t.test("instance profile: teardown removes its role first; teardown_role leaves the profile", function()
  local m, env = setup()
  ec2_role(m)
  provision.instance_profile({ name = "web", role = "web" })
  again(env, true)
  provision.teardown_instance_profile({ name = "web" })
  t.eq(counts(), "0/0/2")
  again(env)
  m:clear_log()
  provision.teardown_instance_profile({ name = "web" })
  t.eq(ops(m), "remove_role_from_instance_profile,delete_instance_profile")
  t.check(m:profile("web") == nil, "gone")
  again(env)
  provision.instance_profile({ name = "web2", role = "web" })
  provision.teardown_role({ name = "web" })
  t.check(m:role("web") == nil and m:profile("web2") ~= nil, "the role is gone, the profile stays")
end)

t.test("instance profile and its role made in one plan", function()
  local m, env = setup(true)
  provision.role({ name = "web", trust = policy.trust_service("ec2.amazonaws.com"),
    managed = { "AmazonSSMManagedInstanceCore" } })
  provision.instance_profile({ name = "web", role = "web" })
  t.eq(counts(), "4/0/0", table.concat(env.lines, "\n"))
  t.eq(#m.writes, 0)
end)

-- OIDC providers ------------------------------------------------------------------------

local GITHUB = "https://token.actions.githubusercontent.com"
local GITHUB_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
local THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"

t.test("OIDC provider: plan, create, re-run writes nothing, a role trusting it in the same plan", function()
  local m, env = setup(true)
  local gh = provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" }, tags = { ci = "github" } })
  t.eq(gh.arn, GITHUB_ARN)
  provision.role({ name = "deploy", trust = policy.trust_oidc(gh.arn, { audience = "sts.amazonaws.com",
    subjects = { "repo:octo/app:ref:refs/heads/main" } }) })
  t.eq(table.concat(env.lines, "\n"), "+ create OIDC provider token.actions.githubusercontent.com\n"
    .. "+ create role deploy")
  t.eq(#m.writes, 0)
  again(env)
  provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" }, tags = { ci = "github" } })
  provision.role({ name = "deploy", trust = policy.trust_oidc(gh.arn, { audience = "sts.amazonaws.com",
    subjects = { "repo:octo/app:ref:refs/heads/main" } }) })
  t.eq(ops(m), "create_open_id_connect_provider,create_role")
  t.eq(m.oidc[GITHUB_ARN].clients[1], "sts.amazonaws.com")
  m:clear_log()
  again(env)
  provision.oidc_provider({ url = GITHUB .. "/", audiences = { "sts.amazonaws.com" }, tags = { ci = "github" } })
  t.eq(#m.writes, 0, "converged (a trailing / is the same URL)")
end)

t.test("OIDC provider: audiences, thumbprints and tags repaired; extras kept unless exclusive", function()
  local m, env = setup()
  provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" }, thumbprints = { THUMB } })
  local o = m.oidc[GITHUB_ARN]
  o.clients = { "other" }
  o.thumbprints = { ("0"):rep(40) }
  o.tags.owner = "x"
  again(env, true)
  provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" }, thumbprints = { THUMB:upper() } })
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "+ add audience sts.amazonaws.com to OIDC provider token.actions.githubusercontent.com",
    "~ update thumbprints of OIDC provider token.actions.githubusercontent.com",
    '    ~ thumbprints: ["' .. ("0"):rep(40) .. '"] -> ["' .. THUMB .. '"]' }, "\n"))
  t.eq(env.warnings[1], "! OIDC provider token.actions.githubusercontent.com has what its definition does not "
    .. "list: audiences other; tags owner; kept (exclusive=true removes them)")
  again(env)
  provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" }, thumbprints = { THUMB },
    exclusive = true })
  t.eq(table.concat(o.clients, ","), "sts.amazonaws.com")
  t.eq(o.thumbprints[1], THUMB)
  t.eq(o.tags.owner, nil)
end)

t.test("OIDC provider: teardown by url or arn; a trust naming a missing provider fails the plan", function()
  local m, env = setup()
  provision.oidc_provider({ url = GITHUB, audiences = { "sts.amazonaws.com" } })
  again(env, true)
  provision.teardown_oidc_provider({ url = GITHUB })
  t.eq(counts(), "0/0/1")
  local err = t.raises(function()
    provision.role({ name = "deploy", trust = policy.trust_oidc(GITHUB_ARN, { audience = "sts.amazonaws.com" }) })
  end)
  t.eq(tostring(err), "NoSuchEntity: OIDC provider " .. GITHUB_ARN .. " does not exist (referenced by role deploy)")
  again(env)
  provision.teardown_oidc_provider({ arn = GITHUB_ARN })
  t.check(m.oidc[GITHUB_ARN] == nil, "gone")
  again(env)
  t.eq(provision.teardown_oidc_provider({ url = GITHUB }).existed, false)
  local err2 = t.raises(function() provision.teardown_oidc_provider({}) end)
  t.check(tostring(err2):find("url or arn is required", 1, true), tostring(err2))
end)

-- Managed policies: tags, versions ------------------------------------------------------

t.test("managed policy: tags converge (the marker stays), versions rotate at 5, description drift warned", function()
  local m, env = setup()
  local p = provision.managed_policy({ name = "ci", document = READ, tags = { team = "ci" } })
  local pol = m.policies[p.arn]
  t.eq(pol.tags.team, "ci")
  t.eq(pol.tags["managed-by"], "iamsh")
  pol.tags.team, pol.tags.extra = "x", "y"
  again(env, true)
  provision.managed_policy({ name = "ci", document = WRITE, tags = { team = "ci" }, exclusive = true,
    description = "other" })
  t.eq(table.concat(env.lines, "\n"), table.concat({
    "~ update document of policy ci", "    ~ Statement 1", '        ~ Action: "s3:GetObject" -> "s3:PutObject"',
    "~ tag policy ci", '    ~ team: "x" -> "ci"', "~ untag policy ci", '    - extra: "y"' }, "\n"))
  t.check(env.warnings[1]:find("IAM cannot change a policy's description", 1, true), env.warnings[1])
  again(env)
  provision.managed_policy({ name = "ci", document = WRITE, tags = { team = "ci" }, exclusive = true })
  t.eq(pol.tags.team, "ci")
  t.eq(pol.tags.extra, nil)
  t.eq(pol.tags["managed-by"], "iamsh", "marker kept")
  for i = 1, 5 do
    again(env)
    provision.managed_policy({ name = "ci", tags = { team = "ci" }, document = { Version = "2012-10-17",
      Statement = { { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b" .. i } } } })
  end
  t.eq(pol.default, "v7")
  t.eq(mock.json.encode(pol.versions.v2 == nil), "true", "the oldest version went first")
end)

t.test("managed policy: a document over 6,144 characters is refused before any call", function()
  local m = setup(true)
  local actions = {}
  for i = 1, 500 do
    actions[i] = string.format("s3:GetObject%04d", i)
  end
  local err = t.raises(function()
    provision.managed_policy({ name = "big", document = { Version = "2012-10-17", Statement = {
      { Effect = "Allow", Action = actions, Resource = "*" } } } })
  end)
  t.check(tostring(err):find("IAM allows 6144 for a managed policy", 1, true), tostring(err))
  t.eq(#m.calls, 0)
end)

t.finish()
