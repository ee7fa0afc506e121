-- bench_policy.lua - the account view's speed (policy.account_view, who_can,
-- can) as a Markdown report: an account of 1,000 roles and 1,000 users built in
-- memory as GetAccountAuthorizationDetails would give it (each principal an
-- inline policy and 10 managed policies from a pool of 100 of AWS's size, every
-- tenth a permissions boundary; users in groups with policies of their own).
-- The engine's own figures (C, no Lua) come from tools/bench_policy.c.
--
--   build/iamsh run tools/bench_policy.lua [out=FILE] [rounds=N]
return {
  description = "benchmark of the policy engine's account view (who_can over 2,000 principals)",
  args = {
    out = { doc = "write the Markdown report here (default: stdout)" },
    rounds = { default = "5", doc = "who_can runs to time after the first" },
  },
  run = function(args)
    local policy = require("policy")
    local ACCT = "123456789012"
    local POOL, ROLES, USERS, GROUPS, SIZE = 100, 1000, 1000, 20, 6144
    local VERBS = { "Get", "List", "Describe", "Put", "Create", "Delete" }

    local function clock()
      return os.clock()
    end

    -- A statement as IAM counts it (compact JSON), like tools/bench_policy.c's.
    local function statement(p, k)
      local actions = {}
      for i = 0, 11 do
        actions[#actions + 1] = string.format("svc%d:%s%sThing%d", k, VERBS[i % 6 + 1], i % 5 == 0 and "*" or "", i)
      end
      local st = { Sid = string.format("P%dS%d", p, k), Effect = "Allow", Action = actions, Resource = {
        string.format("arn:aws:svc%d:*:%s:thing-%d-%d/*", k, ACCT, p, k),
        string.format("arn:aws:svc%d:us-east-?:%s:other/${aws:PrincipalTag/team}/*", k, ACCT) } }
      if k % 3 == 1 then
        st.Condition = { StringEquals = { ["aws:RequestedRegion"] = { "us-east-1", "eu-west-1" } },
          IpAddress = { ["aws:SourceIp"] = { "10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32" } } }
      end
      return st
    end

    -- Statements until the next would pass SIZE (IAM's count: compact JSON).
    local function document(p)
      local doc, size = { Version = "2012-10-17", Statement = {} }, #'{"Statement":[],"Version":"2012-10-17"}'
      for k = 0, 200 do
        local st = statement(p, k)
        local n = utf8.len(policy.json(st)) + 1
        if size + n > SIZE then
          break
        end
        doc.Statement[k + 1], size = st, size + n
      end
      return doc
    end

    local function managed(arn, name, doc)
      return { Arn = arn, PolicyName = name, DefaultVersionId = "v1",
        PolicyVersionList = { { VersionId = "v1", IsDefaultVersion = true, Document = doc } } }
    end

    local function attached(i, n)
      local out = {}
      for k = 0, n - 1 do
        local p = (i * 7 + k * 13) % POOL
        local arn = string.format("arn:aws:iam::%s:policy/pool%d", ACCT, p)
        out[#out + 1] = { PolicyName = "pool" .. p, PolicyArn = arn }
      end
      return out
    end

    local function inline(i)
      return { { PolicyName = "own", PolicyDocument = { Version = "2012-10-17", Statement = { {
        Sid = "Own", Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::bucket-" .. i .. "/*" } } } } }
    end

    local BOUNDARY = string.format("arn:aws:iam::%s:policy/boundary", ACCT)
    local function boundary(i)
      return i % 10 == 0 and { PermissionsBoundaryType = "Policy", PermissionsBoundaryArn = BOUNDARY } or nil
    end

    local t0 = clock()
    local details = { UserDetailList = {}, RoleDetailList = {}, GroupDetailList = {}, Policies = {} }
    for p = 0, POOL - 1 do
      details.Policies[#details.Policies + 1] = managed(string.format("arn:aws:iam::%s:policy/pool%d", ACCT, p),
        "pool" .. p, document(p))
    end
    details.Policies[#details.Policies + 1] = managed(BOUNDARY, "boundary", { Version = "2012-10-17",
      Statement = { { Effect = "Allow", NotAction = "iam:*", Resource = "*" } } })
    for g = 1, GROUPS do
      details.GroupDetailList[g] = { GroupName = "g" .. g, Arn = string.format("arn:aws:iam::%s:group/g%d", ACCT, g),
        GroupPolicyList = {}, AttachedManagedPolicies = attached(g * 31, 3) }
    end
    local trust = { Version = "2012-10-17", Statement = { { Effect = "Allow", Principal = { AWS = ACCT },
      Action = "sts:AssumeRole" } } }
    for i = 0, ROLES - 1 do
      details.RoleDetailList[#details.RoleDetailList + 1] = { RoleName = "r" .. i, RoleId = "AROA" .. i,
        Arn = string.format("arn:aws:iam::%s:role/r%d", ACCT, i), AssumeRolePolicyDocument = trust,
        RolePolicyList = inline(i), AttachedManagedPolicies = attached(i, 10), PermissionsBoundary = boundary(i),
        Tags = { { Key = "team", Value = "t" .. i % 7 } } }
    end
    for i = 0, USERS - 1 do
      details.UserDetailList[#details.UserDetailList + 1] = { UserName = "u" .. i, UserId = "AIDA" .. i,
        Arn = string.format("arn:aws:iam::%s:user/u%d", ACCT, i), GroupList = { "g" .. (i % GROUPS + 1) },
        UserPolicyList = inline(ROLES + i), AttachedManagedPolicies = attached(ROLES + i, 7),
        PermissionsBoundary = boundary(i), Tags = {} }
    end
    local made = clock() - t0

    t0 = clock()
    local view = policy.account_view({ details = details })
    local built = clock() - t0
    local action, resource = "svc3:ListThing1", string.format("arn:aws:svc3:us-east-1:%s:thing-3-3/x", ACCT)
    t0 = clock()
    local first = view:who_can(action, resource)
    local first_s = clock() - t0
    local rounds, best, sum = tonumber(args.rounds) or 5, math.huge, 0
    for _ = 1, rounds do
      t0 = clock()
      view:who_can(action, resource)
      local s = clock() - t0
      best, sum = math.min(best, s), sum + s
    end
    local n, ctx = 0, { ["aws:RequestedRegion"] = "us-east-1", ["aws:SourceIp"] = "10.1.2.3" }
    t0 = clock()
    while clock() - t0 < 1 do
      for _ = 1, 100 do
        view:can("role/r9", "svc1:ListThing1", string.format("arn:aws:svc1:us-east-1:%s:thing-9-1/x", ACCT), ctx)
      end
      n = n + 100
    end
    local can_rate = n / (clock() - t0)
    t0 = clock()
    local assume = view:who_can_assume("r1")
    local assume_s = clock() - t0

    local ms = function(s) return string.format("%.0f ms", s * 1000) end
    local report = table.concat({
      "# Policy engine benchmark (the account view, Lua)",
      "",
      string.format("An account of %d roles and %d users built in memory (%d managed policies of up to %d "
        .. "characters; %d groups), made in %s. CPU time (os.clock).", ROLES, USERS, POOL, SIZE, GROUPS, ms(made)),
      "",
      "| step | time |",
      "|---|---:|",
      string.format("| policy.account_view{details = ...} (2,000 principals) | %s |", ms(built)),
      string.format("| first who_can(%q, ...): compiles every policy on the way, %d of %d allowed | %s |", action,
        #first.principals, first.checked, ms(first_s)),
      string.format("| who_can again (best of %d / mean) | %s / %s |", rounds, ms(best), ms(sum / rounds)),
      string.format("| who_can_assume (a role trusting the account: every principal evaluated, %d allowed) | %s |",
        #assume.account, ms(assume_s)),
      string.format("| can(role with 10 managed policies), with its view object: calls/s | %.0f |", can_rate),
      "",
      string.format("who_can over 2,000 principals under 1 s: %s.", first_s < 1 and "yes" or "NO"),
      "",
    }, "\n")
    if args.out and args.out ~= "" then
      local f = assert(io.open(args.out, "w"))
      f:write(report)
      f:close()
    else
      io.write(report)
    end
  end,
}
