#!/usr/bin/env bash
# REPL transcripts against moto: results pretty-printed, a list of records as a
# column table, an AWS error and recovery, secrets redacted (and revealed on
# request), the prompt's account once the endpoint answered.
. "$IAMSH_TEST_SUPPORT/lib.sh"
export HOME="$TMP/home" COLUMNS=100 AWS_REGION=us-east-1 IAMSH_HISTORY=
mkdir -p "$HOME"
start_moto
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
for r in repl-a repl-b repl-c; do
  aws_cli iam create-role --role-name "$r" --path /svc/ --assume-role-policy-document "$trust" \
    --tags Key=team,Value=data >/dev/null
done

# A transcript through piped stdin (iamsh -i): no prompts, the values as shown.
cat >"$TMP/in" <<'EOF'
r = iam.get_role{RoleName = "repl-a"}.Role
r.RoleName, r.Path
r.AssumeRolePolicyDocument
r.Tags
iam.get_role{RoleName = "no-such-role"}
print("after the error")
roles = iam.all("list_roles", {PathPrefix = "/svc/"})
table.sort(roles, function(a, b) return a.RoleName < b.RoleName end)
#roles
tabulate(roles, {"RoleName", "Path"})
for _, x in ipairs(roles) do x.CreateDate, x.RoleId, x.Arn, x.MaxSessionDuration, x.RoleLastUsed, x.Description = nil end
roles
EOF
OUT=$("$IAMSH" -i --endpoint-url "$ENDPOINT" <"$TMP/in" 2>&1 | sed -E 's/\[request [^]]*\]/[request ID]/')
check_eq "transcript: results, an error and recovery, tables" "$OUT" '"repl-a"	"/svc/"
{
  Statement = {
    {
      Action = "sts:AssumeRole",
      Effect = "Allow",
      Principal = { Service = "lambda.amazonaws.com" }
    }
  },
  Version = "2012-10-17"
}
Key   Value
----  -----
team  data
GetRole: NoSuchEntity (404): Role no-such-role not found [request ID]
after the error
3
RoleName  Path
--------  -----
repl-a    /svc/
repl-b    /svc/
repl-c    /svc/
RoleName  Path
--------  -----
repl-a    /svc/
repl-b    /svc/
repl-c    /svc/'

# Secrets: a new key's secret is redacted in every form, revealed on request.
aws_cli iam create-user --user-name repl-user >/dev/null
cat >"$TMP/in" <<EOF
k = iam.create_access_key{UserName = "repl-user"}
f = io.open("$TMP/secret", "w") f:write(k.AccessKey.SecretAccessKey) f:close()
k
k.AccessKey.SecretAccessKey
pp(k)
{ copy = k.AccessKey.SecretAccessKey }
EOF
OUT=$("$IAMSH" -i --endpoint-url "$ENDPOINT" <"$TMP/in" 2>&1)
secret=$(cat "$TMP/secret")
check "the test has the secret" test ${#secret} -ge 20
check "redacted: the secret is in no output" bash -c "! printf '%s' \"\$1\" | grep -qF -- \"\$2\"" _ "$OUT" "$secret"
check_match "redacted: the field shows <redacted>" "$OUT" "SecretAccessKey = <redacted>"
check_eq "redacted: the value alone, and copied" "$(printf '%s\n' "$OUT" | grep -c '<redacted>')" 4
OUT=$(printf 'k = iam.list_access_keys{UserName = "repl-user"}\nreveal(iam.create_access_key{UserName = "repl-user"}.AccessKey)\n' |
  "$IAMSH" -i --endpoint-url "$ENDPOINT" 2>&1)
check_match "reveal shows the secret" "$OUT" 'SecretAccessKey = "[A-Za-z0-9/+]{40}"'

# At a terminal: the account appears in the prompt after the first answered call.
cat >"$TMP/steps" <<'EOF'
wait > $
line #iam.list_roles().Roles >= 3
wait > $
line 1
wait > $
key C-d
EOF
OUT=$(python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 30 -- "$IAMSH" --endpoint-url "$ENDPOINT" <"$TMP/steps")
check_match "prompt before any call: no account" "$OUT" "iamsh default us-east-1> #iam.list_roles"
check_match "prompt after an answered call: the account" "$OUT" "iamsh default@123456789012 us-east-1> 1"
finish
