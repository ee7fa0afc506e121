#!/usr/bin/env bash
# The shipped SageMaker flows against moto_server, checked with the AWS CLI as
# an independent client: plan on an empty account, set-up, convergence (a
# second run writes nothing), drift repair, exclusive, foreign credentials
# file, .env update, the book's own resources adopted, teardown (also of a
# half-finished set-up), and no orphaned key when CreateAccessKey's answer is
# lost (a fault-injecting proxy in front of moto).
. "$IAMSH_TEST_SUPPORT/lib.sh"
start_moto

ROLE=SageMakerExecutionRoleLLM
USER=sagemaker-deployer
P=arn:aws:iam::aws:policy
WORK="$TMP/work"
mkdir -p "$WORK"
ALL="$TMP/all-output"  # everything iamsh printed in the runs that saw a secret
: >"$ALL"

# iamsh against moto, run in $WORK
sm() { cd "$WORK" || exit 1; run_iamsh --endpoint-url "$ENDPOINT" "$@"; cd - >/dev/null || exit 1; }
# iamsh, with its --debug wire log, to count the writes it sent
writes_of() { printf '%s\n' "$1" | grep -oE 'Action=(Create|Attach|Detach|Put|Update|Delete|Add|Remove|Tag|Untag)[A-Za-z]*' | sort -u | tr '\n' ' '; }
role_policies() { aws_cli iam list-attached-role-policies --role-name "$1" --query 'AttachedPolicies[].PolicyArn' --output text | tr '\t' '\n' | sort | tr '\n' ' '; }
user_policies() { aws_cli iam list-attached-user-policies --user-name "$1" --query 'AttachedPolicies[].PolicyArn' --output text | tr '\t' '\n' | sort | tr '\n' ' '; }
key_count() { aws_cli iam list-access-keys --user-name "$1" --query 'length(AccessKeyMetadata)' --output text; }
count_roles_users() { echo "$(aws_cli iam list-roles --query 'length(Roles)' --output text)/$(aws_cli iam list-users --query 'length(Users)' --output text)"; }

# --- plan on an empty account: no write, exit 2 --------------------------------
before=$(count_roles_users)
cd "$WORK" && run_iamsh --debug --endpoint-url "$ENDPOINT" --plan run sagemaker; cd - >/dev/null
check_eq "plan on empty account exits 2" "$RC" 2
check_match "plan shows the role" "$OUT" "\+ create role $ROLE"
check_match "plan shows an attachment" "$OUT" "\+ attach $P/AmazonS3FullAccess to role $ROLE"
check_match "plan summary" "$OUT" "Plan: 14 to add, 0 to change, 0 to destroy\."
check_eq "plan sent no write" "$(writes_of "$ERR")" ""
check_eq "moto unchanged by the plan" "$(count_roles_users)" "$before"
check "no file written by the plan" test ! -e "$WORK/sagemaker_user_credentials.json"

# --- the set-up ------------------------------------------------------------------
printf '# project settings\nOPENAI_API_KEY=sk-keep\n\nexport AWS_REGION="eu-central-1"  # the book default\nAWS_ARN_ROLE='"'"'old'"'"'\n' >"$WORK/.env"
sm --debug run sagemaker env_file=.env
cat "$TMP/out" "$TMP/err" >>"$ALL"
check_eq "set-up exits 0" "$RC" 0
check_match "progress on stderr as it happens" "$ERR" "\+ create role $ROLE"
check_nomatch "no progress on stdout" "$OUT" "\+ create"
check_match "summary at the end" "$(printf '%s\n' "$ERR" | grep -v '^\[' | tail -1)" "^Done: 14 added, 2 changed, 0 destroyed\.$"
check_match "set-up prints the role ARN" "$OUT" "Role ARN: arn:aws:iam::123456789012:role/$ROLE"
check_eq "role trust (independent client)" \
  "$(aws_cli iam get-role --role-name $ROLE --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text)" \
  "sagemaker.amazonaws.com"
check_eq "role description" "$(aws_cli iam get-role --role-name $ROLE --query Role.Description --output text)" \
  "Execution role for SageMaker"
check_eq "role policies" "$(role_policies $ROLE)" \
  "$P/AmazonEC2ContainerRegistryFullAccess $P/AmazonS3FullAccess $P/AmazonSageMakerFullAccess $P/CloudWatchLogsFullAccess "
check_eq "user policies" "$(user_policies $USER)" \
  "$P/AWSCloudFormationFullAccess $P/AmazonEC2ContainerRegistryFullAccess $P/AmazonS3FullAccess $P/AmazonSageMakerFullAccess $P/IAMFullAccess "
check_eq "one key" "$(key_count $USER)" 1
CREDS="$WORK/sagemaker_user_credentials.json"
check_eq "credentials file mode" "$(stat -c %a "$CREDS")" 600
KEY_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$CREDS")
SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$CREDS")
check_eq "the file's key is the user's" "$(aws_cli iam list-access-keys --user-name $USER --query 'AccessKeyMetadata[0].AccessKeyId' --output text)" "$KEY_ID"
check_absent "secret never printed (stdout)" "$OUT" "$SECRET"
check_absent "secret never printed (stderr)" "$ERR" "$SECRET"
check_eq "role file" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["RoleArn"])' "$WORK/sagemaker_execution_role.json")" \
  "arn:aws:iam::123456789012:role/$ROLE"
check_eq ".env keeps other lines, comments and quoting" "$(cat "$WORK/.env")" "# project settings
OPENAI_API_KEY=sk-keep

export AWS_REGION=\"eu-central-1\"  # the book default
AWS_ARN_ROLE='arn:aws:iam::123456789012:role/$ROLE'
AWS_ACCESS_KEY=$KEY_ID
AWS_SECRET_KEY=$SECRET"
check_eq ".env mode" "$(stat -c %a "$WORK/.env")" 600

# --- a second run writes nothing; --plan shows no change --------------------------
cd "$WORK" && run_iamsh --debug --endpoint-url "$ENDPOINT" run sagemaker env_file=.env; cd - >/dev/null
cat "$TMP/out" "$TMP/err" >>"$ALL"
check_eq "second run exits 0" "$RC" 0
check_eq "second run sent no write" "$(writes_of "$ERR")" ""
sm --quiet run sagemaker env_file=.env
check_eq "--quiet exits 0" "$RC" 0
check_eq "--quiet: nothing on stderr" "$ERR" ""
check_match "--quiet: the result still on stdout" "$OUT" "Role ARN: arn:aws:iam::123456789012:role/$ROLE"
sm --plan run sagemaker env_file=.env
check_eq "plan after set-up exits 0" "$RC" 0
check_nomatch "plan after set-up lists no change" "$OUT" "^[-+~] "

# --- bad argument values are usage errors, before anything is read ----------------------
sm --plan run sagemaker exclusive=ture
check_eq "exclusive=ture: exit 252" "$RC" 252
check_match "exclusive=ture: says so" "$ERR" "exclusive must be true or false, not 'ture'"
sm --plan run sagemaker out_dir="$TMP/no-such-dir"
check_eq "missing out_dir: exit 252" "$RC" 252
check_match "missing out_dir: says so" "$ERR" "out_dir=$TMP/no-such-dir is not a folder"
sm --plan run sagemaker deployer_policy=strict
check_eq "unknown deployer_policy: exit 252" "$RC" 252

# --- a lost credentials file: the orphaned key is named, with the command to delete it ----
mv "$CREDS" "$TMP/creds-aside.json"
sm run sagemaker-deployer
check_eq "lost file: the run makes a new key" "$RC" 0
check_match "lost file: the orphaned key is named" "$ERR" "access key $KEY_ID of user $USER is not recorded in sagemaker_user_credentials.json"
check_match "lost file: with the command to delete it" "$ERR" "iam.delete_access_key\\{UserName = \"$USER\", AccessKeyId = \"$KEY_ID\"\\}"
check_eq "lost file: two keys now" "$(key_count $USER)" 2
aws_cli iam delete-access-key --user-name $USER --access-key-id "$KEY_ID"

# --- drift repaired; the extra stays unless exclusive=true -----------------------------
aws_cli iam detach-role-policy --role-name $ROLE --policy-arn $P/AmazonS3FullAccess
aws_cli iam attach-role-policy --role-name $ROLE --policy-arn $P/AdministratorAccess
aws_cli iam update-assume-role-policy --role-name $ROLE --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
sm --plan run sagemaker-role
check_eq "plan sees the drift" "$RC" 2
check_match "plan: trust" "$OUT" "~ update trust policy of role $ROLE"
sm run sagemaker-role
check_eq "repair exits 0" "$RC" 0
check_match "S3 re-attached" "$(role_policies $ROLE)" "AmazonS3FullAccess"
check_match "extra kept without exclusive" "$(role_policies $ROLE)" "AdministratorAccess"
check_eq "trust repaired" \
  "$(aws_cli iam get-role --role-name $ROLE --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service' --output text)" \
  "sagemaker.amazonaws.com"
sm run sagemaker-role exclusive=true
check_nomatch "extra detached with exclusive=true" "$(role_policies $ROLE)" "AdministratorAccess"

# --- a foreign credentials file is never overwritten, and no key is made --------------
mkdir -p "$TMP/foreign"
echo "my notes" >"$TMP/foreign/sagemaker_user_credentials.json"
sm run sagemaker-deployer user_name=other-deployer out_dir="$TMP/foreign"
check "foreign file: run fails" test "$RC" -ne 0
check_match "foreign file: clear message" "$ERR" "not a credentials file"
check_eq "foreign file untouched" "$(cat "$TMP/foreign/sagemaker_user_credentials.json")" "my notes"
check_eq "foreign file: no key made" "$(key_count other-deployer)" 0

# --- teardown leaves nothing; a second teardown is a no-op -----------------------------
sm run sagemaker-teardown
check_eq "teardown exits 0" "$RC" 0
check "role gone" test -z "$(aws_cli iam list-roles --query "Roles[?RoleName=='$ROLE'].RoleName" --output text)"
check "user gone" test -z "$(aws_cli iam list-users --query "Users[?UserName=='$USER'].UserName" --output text)"
check "credentials file gone" test ! -e "$CREDS"
sm run sagemaker-teardown
check_eq "second teardown exits 0" "$RC" 0
sm --plan run sagemaker-teardown
check_eq "plan after teardown: nothing to do" "$RC" 0

# --- teardown of a half-finished set-up ---------------------------------------------------
aws_cli iam create-role --role-name $ROLE --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws_cli iam attach-role-policy --role-name $ROLE --policy-arn $P/AmazonS3FullAccess
aws_cli iam put-role-policy --role-name $ROLE --policy-name extra --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
aws_cli iam create-user --user-name $USER >/dev/null
aws_cli iam attach-user-policy --user-name $USER --policy-arn $P/IAMFullAccess
aws_cli iam create-access-key --user-name $USER >/dev/null
sm run sagemaker-teardown
check_eq "half-finished teardown exits 0" "$RC" 0
check "half-finished: role gone" test -z "$(aws_cli iam list-roles --query "Roles[?RoleName=='$ROLE'].RoleName" --output text)"
check "half-finished: user gone" test -z "$(aws_cli iam list-users --query "Users[?UserName=='$USER'].UserName" --output text)"

# --- the book's own resources (made as its boto3 programs do) are adopted -----------------
# The handbook's two programs (llm_engineering/infrastructure/aws/roles/), as
# they are, pointed at moto.
(cd "$WORK" && python3 - "$ENDPOINT" <<'EOF'
import json, sys
from pathlib import Path
import boto3

iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="eu-central-1")

def create_sagemaker_execution_role(role_name):
    trust_relationship = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    try:
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust_relationship),
                               Description="Execution role for SageMaker")
        for policy in ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess",
                       "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
                       "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"]:
            iam.attach_role_policy(RoleName=role_name, PolicyArn=policy)
        return role["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName=role_name)["Role"]["Arn"]

def create_sagemaker_user(username):
    iam.create_user(UserName=username)
    for policy in ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess",
                   "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess", "arn:aws:iam::aws:policy/IAMFullAccess",
                   "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
                   "arn:aws:iam::aws:policy/AmazonS3FullAccess"]:
        iam.attach_user_policy(UserName=username, PolicyArn=policy)
    return iam.create_access_key(UserName=username)["AccessKey"]

role_arn = create_sagemaker_execution_role("SageMakerExecutionRoleLLM")
with Path("sagemaker_execution_role.json").open("w") as f:
    json.dump({"RoleArn": role_arn}, f)
key = create_sagemaker_user("sagemaker-deployer")
with Path("sagemaker_user_credentials.json").open("w") as f:
    json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, f)
EOF
)
BOOK_SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$CREDS")
chmod 644 "$CREDS"  # the handbook writes it with the default umask
sm --plan run sagemaker
check_eq "adoption: plan finds one change" "$RC" 2
check_eq "adoption: plan lists only the credentials file's mode" "$OUT" \
  "~ set mode 0600 on sagemaker_user_credentials.json (it holds a secret; it was 644)
Plan: 0 to add, 1 to change, 0 to destroy."
BOOK_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$CREDS")
cd "$WORK" && run_iamsh --debug --endpoint-url "$ENDPOINT" run sagemaker; cd - >/dev/null
cat "$TMP/out" "$TMP/err" >>"$ALL"
check_eq "adoption exits 0" "$RC" 0
check_eq "adoption: no IAM write" "$(writes_of "$ERR")" ""
check_eq "adoption: the book's key kept" "$(aws_cli iam list-access-keys --user-name $USER --query 'AccessKeyMetadata[0].AccessKeyId' --output text)" "$BOOK_KEY"
check_eq "adoption: one key" "$(key_count $USER)" 1
check_eq "adoption: the credentials file made 0600" "$(stat -c %a "$CREDS")" 600
sm --plan run sagemaker
check_eq "adoption: then nothing to change" "$RC" 0

# --- least-privilege deployer policy ---------------------------------------------------------
before=$(user_policies $USER)
sm run sagemaker deployer_policy=least-privilege 'bucket=*' exclusive=true
check "least-privilege: bucket=* refused" test "$RC" -ne 0
check_match "least-privilege: says why" "$ERR" "not a valid S3 bucket name"
check_eq "least-privilege: nothing changed by the refused run" "$(user_policies $USER)" "$before"
sm run sagemaker-deployer deployer_policy=least-privilege bucket=my-bucket exclusive=true
check_eq "least-privilege exits 0" "$RC" 0
check_eq "least-privilege: only our policy" "$(user_policies $USER)" \
  "arn:aws:iam::123456789012:policy/SageMakerDeployerLeastPrivilege "
sm --plan run sagemaker-deployer deployer_policy=least-privilege bucket=my-bucket
check_eq "least-privilege converged" "$RC" 0
sm run sagemaker-teardown
check_eq "teardown with our policy exits 0" "$RC" 0
check "our policy deleted" test -z "$(aws_cli iam list-policies --scope Local --query "Policies[?PolicyName=='SageMakerDeployerLeastPrivilege'].PolicyName" --output text)"

# --- CreateAccessKey's answer lost: no orphaned key --------------------------------------------
# A proxy in front of moto forwards every request, but for CreateAccessKey it
# throws moto's answer away and says 500 with an unreadable body: every time for
# lost-key-user, the first time only for retried-key-user (the client's retry
# then gets a second key).
cat >"$TMP/proxy.py" <<'EOF'
import sys, threading, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
UPSTREAM = sys.argv[1]
LOST_RETRIED = []  # the first answer for retried-key-user was lost
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        req = urllib.request.Request(UPSTREAM + self.path, data=body, method="POST")
        for k, v in self.headers.items():  # Host too: iamsh serve checks the signature over it
            if k.lower() not in ("content-length", "connection"):
                req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "text/xml")
        if b"Action=CreateAccessKey" in body:
            retried = b"UserName=retried-key-user" in body
            if not (retried and LOST_RETRIED):
                if retried:
                    LOST_RETRIED.append(1)
                status, data, ctype = 500, b"proxy: lost the answer", "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
threading.Thread(target=srv.serve_forever, daemon=True).start()
sys.stdin.read()
EOF
coproc PROXY { exec python3 "$TMP/proxy.py" "$ENDPOINT"; }
read -r -t 30 PROXY_PORT <&"${PROXY[0]}"
aws_cli iam create-user --user-name lost-key-user >/dev/null
mkdir -p "$TMP/lost"
cd "$TMP/lost" && run_iamsh --endpoint-url "http://127.0.0.1:$PROXY_PORT" run sagemaker-deployer user_name=lost-key-user
cd - >/dev/null
check "lost answer: run fails" test "$RC" -ne 0
check_eq "lost answer: no orphaned key" "$(key_count lost-key-user)" 0
check "lost answer: no credentials file" test ! -e "$TMP/lost/sagemaker_user_credentials.json"
aws_cli iam create-user --user-name retried-key-user >/dev/null
mkdir -p "$TMP/retried"
cd "$TMP/retried" && run_iamsh --endpoint-url "http://127.0.0.1:$PROXY_PORT" run sagemaker-deployer user_name=retried-key-user
cd - >/dev/null
cat "$TMP/out" "$TMP/err" >>"$ALL"
check_eq "lost answer, retried: run exits 0" "$RC" 0
check_eq "lost answer, retried: one key, not two" "$(key_count retried-key-user)" 1
check_eq "lost answer, retried: the key is the file's" \
  "$(aws_cli iam list-access-keys --user-name retried-key-user --query 'AccessKeyMetadata[0].AccessKeyId' --output text)" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["AccessKeyId"])' "$TMP/retried/sagemaker_user_credentials.json")"
check_match "lost answer, retried: the stray's deletion said" "$ERR" "made by a retried CreateAccessKey whose answer was lost"
check_eq "lost answer, retried: no pending note left" "$(ls "$TMP/retried")" "sagemaker_user_credentials.json"
RETRIED_SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$TMP/retried/sagemaker_user_credentials.json")

# --- no secret anywhere in what iamsh printed (set-up with --debug included) ----------------
check "the outputs were collected" test -s "$ALL"
check "secret never printed" bash -c '! grep -qF -- "$1" "$2"' _ "$SECRET" "$ALL"
check "the book's secret never printed" bash -c '! grep -qF -- "$1" "$2"' _ "$BOOK_SECRET" "$ALL"
check "the retried run's secret never printed" bash -c '! grep -qF -- "$1" "$2"' _ "$RETRIED_SECRET" "$ALL"

finish
