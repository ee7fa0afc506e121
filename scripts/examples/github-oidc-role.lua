-- A role that GitHub Actions workflows of one repository and branch can
-- assume without any stored key: GitHub's OIDC provider in the account, and
-- a role trusting its tokens for that repository (read-only here; attach
-- what your deploy needs).
--
--   iamsh run scripts/examples/github-oidc-role.lua repo=octo-org/app --plan
--   iamsh run scripts/examples/github-oidc-role.lua repo=octo-org/app
--   iamsh run scripts/examples/github-oidc-role.lua repo=octo-org/app teardown=true
--
-- In the workflow: permissions: id-token: write, then
-- aws-actions/configure-aws-credentials with role-to-assume: <the role ARN>.

local provision = require("provision")
local policy = require("policy")

local GITHUB = "https://token.actions.githubusercontent.com"
local AUDIENCE = "sts.amazonaws.com"

return {
  description = "GitHub Actions OIDC provider and a role its workflows for one repository can assume",
  args = {
    repo = { required = true, doc = "the repository, owner/name" },
    branch = { default = "main", doc = "the branch whose workflows may assume the role" },
    role = { default = "github-deploy", doc = "the role's name" },
    teardown = { default = "false", doc = "true: remove the role and the provider (other roles may use it!)" },
  },
  run = function(args)
    if provision.flag(args.teardown, "teardown") then
      provision.teardown_role({ name = args.role })
      return provision.teardown_oidc_provider({ url = GITHUB })
    end
    local github = provision.oidc_provider({ url = GITHUB, audiences = { AUDIENCE } })
    local role = provision.role({
      name = args.role,
      description = "Assumed by GitHub Actions in " .. args.repo,
      trust = policy.trust_oidc(github.arn, {
        audience = AUDIENCE,
        subjects = { string.format("repo:%s:ref:refs/heads/%s", args.repo, args.branch) },
      }),
      managed = { "ReadOnlyAccess" },
      max_session_duration = 3600,
      tags = { repo = args.repo },
    })
    if not provision.planning() then
      print("Role ARN: " .. role.arn)
    end
  end,
}
