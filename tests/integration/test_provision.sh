#!/usr/bin/env bash
# The provisioning library through the real binary against moto_server,
# checked with the AWS CLI: a plan catches mistakes before anything is
# written (a typo'd managed policy fails in under 2 s with the referrer
# named; misspelled keys, bad flags, bad documents, missing folders are
# refused under --plan), and groups, instance profiles and permissions
# boundaries converge, plan, repair drift and tear down.
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto

WORK="$TMP/work"
mkdir -p "$WORK"
P=arn:aws:iam::aws:policy
A=arn:aws:iam::123456789012

ix() { cd "$WORK" || exit 1; run_iamsh --endpoint-url "$ENDPOINT" "$@"; cd - >/dev/null || exit 1; }
writes_of() { printf '%s\n' "$1" | grep -oE 'Action=(Create|Attach|Detach|Put|Update|Delete|Add|Remove|Tag|Untag)[A-Za-z]*' | sort -u | tr '\n' ' '; }
cli_text() { aws_cli "$@" --output text; }
first_line() { printf '%s\n' "$1" | head -1; }
roles() { cli_text iam list-roles --query 'length(Roles)'; }

# --- a typo'd managed policy: fails fast, before any write, in plan and apply ------------
cat >"$WORK/typo.lua" <<'LUA'
local provision, policy = require("provision"), require("policy")
provision.role({ name = "typo-role", trust = policy.trust_service("lambda.amazonaws.com"),
  managed = { "AmazonS3FullAcess" } })
LUA
for mode in --plan ""; do
  start=$(date +%s%N)
  ix $mode run typo.lua
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check_eq "typo ${mode:-apply}: exit 254 (NoSuchEntity)" "$RC" 254
  check_eq "typo ${mode:-apply}: the message names the policy and the role" "$(first_line "$ERR")" \
    "iamsh: NoSuchEntity: policy $P/AmazonS3FullAcess does not exist (referenced by role typo-role)"
  check "typo ${mode:-apply}: under 2 s ($ms ms)" test "$ms" -lt 2000
  check_eq "typo ${mode:-apply}: no half-made role" "$(roles)" 0
done

# --- definitions refused under --plan, before anything is read --------------------------
refused() {  # NAME LUA EXPECTED-FIRST-LINE
  ix --plan --debug -e "$2"
  check_eq "$1: exit 252 (parameter validation)" "$RC" 252
  check_eq "$1: the message" "$(first_line "$ERR" | grep -v '^\[' )" "$3"
  check_nomatch "$1: no request sent" "$ERR" "Action=(Get|List|Create)"
}
refused "misspelled key" 'require("provision").user{name = "u", manged = {"ReadOnlyAccess"}}' \
  "iamsh: provision.user{name = \"u\"}: unknown key 'manged' (did you mean 'managed'?)"
refused "tag for tags" 'require("provision").user{name = "u", tag = {team = "x"}}' \
  "iamsh: provision.user{name = \"u\"}: unknown key 'tag' (did you mean 'tags'?)"
refused "bad flag" 'require("provision").user{name = "u", exclusive = "ture"}' \
  "iamsh: provision.user{name = \"u\"}: exclusive must be true or false (or the strings \"true\"/\"false\"), not \"ture\""
refused "trust that is not JSON" 'require("provision").role{name = "r", trust = "{\"Version\": \"2012-10-17\""}' \
  "iamsh: provision.role{name = \"r\"}: trust is not a valid policy document: Version: This policy contains invalid Json (line 1, column 24)"
refused "missing folder" 'require("provision").file{path = "no/such/dir/f.json", content = "{}"}' \
  "iamsh: provision.file{path = \"no/such/dir/f.json\"}: path \"no/such/dir/f.json\": folder no/such/dir does not exist"

# --- a missing group is found by the plan ---------------------------------------------------
ix --plan -e 'require("provision").user{name = "u", groups = {"devs"}}'
check_eq "missing group: exit 254" "$RC" 254
check_eq "missing group: named" "$(first_line "$ERR")" "iamsh: NoSuchEntity: group devs does not exist (referenced by user u)"

# --- groups, instance profiles, permissions boundaries -------------------------------------
cat >"$WORK/resources.lua" <<'LUA'
-- iamsh run resources.lua [teardown=true]
local provision, policy = require("provision"), require("policy")
return {
  description = "a group with a member, a role with a boundary in an instance profile",
  args = { teardown = { default = "false", doc = "remove it all" } },
  run = function(args)
    if provision.flag(args.teardown, "teardown") then
      provision.teardown_instance_profile({ name = "web" })
      provision.teardown_role({ name = "web" })
      provision.teardown_group({ name = "devs" })
      provision.teardown_user({ name = "alice" })
      provision.teardown_managed_policy({ name = "boundary" })
      return
    end
    local boundary = provision.managed_policy({ name = "boundary", tags = { kind = "boundary" },
      document = { Version = "2012-10-17", Statement = { { Effect = "Allow", Action = { "s3:*", "ssm:*" }, Resource = "*" } } } })
    provision.user({ name = "alice" })
    provision.group({ name = "devs", path = "/teams/", members = { "alice" }, managed = { "ReadOnlyAccess" },
      inline = { deny = { Version = "2012-10-17", Statement = { { Effect = "Deny", Action = "iam:*", Resource = "*" } } } } })
    provision.role({ name = "web", trust = policy.trust_service("ec2.amazonaws.com"), permissions_boundary = boundary.arn,
      managed = { "AmazonSSMManagedInstanceCore" } })
    provision.instance_profile({ name = "web", role = "web", tags = { app = "shop" } })
  end,
}
LUA
ix --plan run resources.lua
check_eq "resources: plan exits 2" "$RC" 2
check_match "resources: plan" "$OUT" "Plan: 10 to add, 0 to change, 0 to destroy\."
check_eq "resources: plan wrote nothing" "$(roles)" 0
ix run resources.lua
check_eq "resources: apply exits 0" "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
check_eq "group: its member" "$(cli_text iam get-group --group-name devs --query 'Users[].UserName')" "alice"
check_eq "group: on its path" "$(cli_text iam get-group --group-name devs --query 'Group.Arn')" "$A:group/teams/devs"
check_eq "group: managed policy" \
  "$(cli_text iam list-attached-group-policies --group-name devs --query 'AttachedPolicies[].PolicyArn')" "$P/ReadOnlyAccess"
check_eq "group: inline policy" "$(cli_text iam list-group-policies --group-name devs --query 'PolicyNames')" "deny"
check_eq "role: its boundary" \
  "$(cli_text iam get-role --role-name web --query 'Role.PermissionsBoundary.PermissionsBoundaryArn')" "$A:policy/boundary"
check_eq "instance profile: its role" \
  "$(cli_text iam get-instance-profile --instance-profile-name web --query 'InstanceProfile.Roles[].RoleName')" "web"
check_eq "policy: its tags" "$(cli_text iam list-policy-tags --policy-arn "$A:policy/boundary" --query 'Tags[?Key==`kind`].Value')" \
  "boundary"
ix --debug run resources.lua
check_eq "resources: re-run exits 0" "$RC" 0
check_eq "resources: re-run sends no write" "$(writes_of "$ERR")" ""

# drift by hand, planned with what changes, then repaired
aws_cli iam remove-user-from-group --group-name devs --user-name alice
aws_cli iam put-group-policy --group-name devs --policy-name deny --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}]}'
aws_cli iam delete-role-permissions-boundary --role-name web
aws_cli iam remove-role-from-instance-profile --instance-profile-name web --role-name web
ix --plan run resources.lua
check_eq "drift: plan exits 2" "$RC" 2
check_match "drift: member" "$OUT" "\+ add user alice to group devs"
check_match "drift: inline diff" "$OUT" '~ Action: "iam:Delete\*" -> "iam:\*"'
check_match "drift: boundary" "$OUT" "~ set the permissions boundary of role web"
check_match "drift: profile's role" "$OUT" "\+ add role web to instance profile web"
check_match "drift: counts" "$OUT" "Plan: 2 to add, 2 to change, 0 to destroy\."
ix run resources.lua
check_eq "drift: repaired" "$RC" 0
ix --plan run resources.lua
check_eq "drift: nothing left" "$OUT" "Plan: 0 to add, 0 to change, 0 to destroy."

# teardown
ix --plan run resources.lua teardown=true
check_eq "teardown: plan exits 2" "$RC" 2
ix run resources.lua teardown=true
check_eq "teardown: exits 0" "$RC" 0
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
check_eq "teardown: no role" "$(roles)" 0
check "teardown: no group" test -z "$(cli_text iam list-groups --query 'Groups[].GroupName')"
check "teardown: no instance profile" test -z "$(cli_text iam list-instance-profiles --query 'InstanceProfiles[].InstanceProfileName')"
check "teardown: no policy" test -z "$(cli_text iam list-policies --scope Local --query 'Policies[].PolicyName')"
ix --plan run resources.lua teardown=true
check_eq "teardown: then nothing to do" "$RC" 0

finish
