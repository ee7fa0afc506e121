#!/usr/bin/env bash
# The iamsh command line: options, exit codes, error lines, configuration, arguments.
# Needs no endpoint (the moto-based tests are in test_cli_moto.sh).
. "$IAMSH_TEST_SUPPORT/lib.sh"

run_iamsh --help
check_eq "--help exits 0" "$RC" 0
check_match "--help shows usage" "$OUT" "usage: iamsh"

run_iamsh --version
check_eq "--version exits 0" "$RC" 0
check_match "--version names iamsh" "$OUT" "iamsh [0-9]+\.[0-9]+"
check_match "--version names Lua" "$OUT" "Lua 5\.4"
check_match "--version names libcurl" "$OUT" "libcurl [0-9]"
check_match "--version names PCRE2" "$OUT" "PCRE2 [0-9]+\.[0-9]+"
check_match "--version names OpenSSL" "$OUT" "OpenSSL [0-9]"

# No command and stdin not a terminal: stdin is the script (as `lua -`).
run_iamsh </dev/null
check_eq "no command, empty stdin: exit 0" "$RC" 0
OUT=$(printf 'print("from stdin", select("#", ...), arg[0])\n' | "$IAMSH")
check_eq "no command: stdin runs as a script" "$OUT" "from stdin	0	-"
OUT=$(printf 'print(...)\n' | "$IAMSH" - a k=v)
check_eq "iamsh - ARGS: stdin script with arguments" "$OUT" "a	k=v"
printf 'error("bad stdin")\n' | "$IAMSH" 2>"$TMP/err"
check_eq "stdin script error exits 1" "$?" 1
check_match "stdin script error names stdin" "$(cat "$TMP/err")" "^iamsh: stdin:1: bad stdin"

# Global options after the command (as the AWS CLI takes them); -- ends them.
run_iamsh -e 'print(require("iamsh").options.plan, require("iamsh").options.region, ...)' x --plan --region=eu-west-3 y
check_eq "options after -e CODE are global options" "$OUT" "true	eu-west-3	x	y
Plan: 0 to add, 0 to change, 0 to destroy."
run_iamsh -e 'print(require("iamsh").options.plan, ...)' -- --plan x
check_eq "after --, options go to the script" "$OUT" "false	--plan	x"

run_iamsh --frobnicate -e ''
check_eq "unknown option is bad usage" "$RC" 252
check_eq "unknown option: one line" "$ERR" "iamsh: unknown option '--frobnicate' (see iamsh --help)"

run_iamsh --profile
check_eq "option without value" "$RC" 252

run_iamsh -e
check_eq "-e without code" "$RC" 252

run_iamsh -e 'print(1 + 2)'
check_eq "-e runs a chunk" "$OUT" "3"
check_eq "-e exit 0" "$RC" 0

run_iamsh -e 'print(select("#", ...), arg[0], arg[1], arg.k)' x k=v
check_eq "-e gets its arguments" "$OUT" "2	-e	x	v"

run_iamsh -e 'local function f() error("boom") end f()'
check_eq "script error exits 1" "$RC" 1
check_match "script error message" "$ERR" "iamsh: \(command line\):1: boom"
check_match "script error traceback" "$ERR" "stack traceback"
check_nomatch "traceback stops at the script (no runner frames)" "$ERR" "runner.lua|\[C\]: in \?"

# Expected failures are one line (the traceback only with --debug).
run_iamsh -e 'iam.create_role{}'
check_eq "parameter validation exits 252 (as the AWS CLI)" "$RC" 252
check_eq "parameter validation: one line" "$ERR" "iamsh: create_role: RoleName: missing"
run_iamsh --debug -e 'iam.create_role{}'
check_match "--debug adds the traceback" "$ERR" "stack traceback"
run_iamsh -e 'require("iamsh.errors").usage("bucket=%s is not valid", "a*")'
check_eq "errors.usage exits 252" "$RC" 252
check_eq "errors.usage: one line" "$ERR" "iamsh: bucket=a* is not valid"
run_iamsh -e 'require("iamsh.errors").script("100% broken")'
check_eq "errors.script exits 1, one line; no arguments: text as is" "$RC:$ERR" "1:iamsh: 100% broken"

run_iamsh -e 'this is not lua'
check_eq "syntax error exits 1" "$RC" 1
check_match "syntax error message" "$ERR" "syntax error"

run_iamsh -e 'error(setmetatable({}, {__tostring = function() error("nested") end}))'
check_eq "broken __tostring still reports" "$RC" 1

run_iamsh run "$TMP/nope.lua"
check_eq "missing script exits 252" "$RC" 252
check_eq "missing script: one line" "$ERR" "iamsh: no such script file: $TMP/nope.lua"

run_iamsh run no-such-shipped-script
check_eq "unknown script name exits 252" "$RC" 252

cat >"$TMP/args.lua" <<'LUA'
local a, b = ...
print(a, b, arg[0] ~= nil, arg.user, #arg)
LUA
run_iamsh run "$TMP/args.lua" user=alice plain
check_eq "run passes ... and arg" "$OUT" "user=alice	plain	true	alice	2"

cat >"$TMP/flow.lua" <<'LUA'
return {
  description = "a test flow",
  args = { name = { default = "world", doc = "who to greet" }, n = { required = true, doc = "a number" } },
  run = function(args) print("hello " .. args.name .. " " .. args.n) end,
}
LUA
run_iamsh run "$TMP/flow.lua" n=3
check_eq "flow gets defaults" "$OUT" "hello world 3"
run_iamsh run "$TMP/flow.lua" n=3 name=you
check_eq "flow gets its args" "$OUT" "hello you 3"
run_iamsh run "$TMP/flow.lua"
check_eq "flow: missing required arg" "$RC" 252
check_match "flow: missing arg named" "$ERR" "missing argument 'n'"
run_iamsh run "$TMP/flow.lua" n=1 colour=red
check_eq "flow: unknown arg" "$RC" 252
check_match "flow: unknown arg named" "$ERR" "unknown argument 'colour' \(known: n, name\)"
printf 'return {run = function() end, args = {x = "not a table"}}\n' >"$TMP/badargs.lua"
run_iamsh run "$TMP/badargs.lua"
check_eq "flow with malformed args exits 1" "$RC" 1
check_match "flow with malformed args: clear line" "$ERR" "args.x must be a table"
printf 'return {\n' >"$TMP/syntax.lua"
run_iamsh run "$TMP/syntax.lua"
check_eq "script with a syntax error exits 1" "$RC" 1
check_eq "script with a syntax error: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
check_match "script syntax error names the file" "$ERR" "syntax.lua:2:"
run_iamsh run "$TMP/flow.lua" --help
check_match "flow --help shows args" "$OUT" "name +who to greet \(default: world\)"
run_iamsh run "$TMP/flow.lua" n=3 --quiet --plan
check_eq "options after the script's arguments" "$OUT" "hello world 3
Plan: 0 to add, 0 to change, 0 to destroy."

# A script's own folder is on package.path, from any working directory.
mkdir -p "$TMP/proj"
printf 'return { greet = function() return "hi from mylib" end }\n' >"$TMP/proj/mylib.lua"
printf 'print(require("mylib").greet())\n' >"$TMP/proj/main.lua"
OUT=$(cd / && "$IAMSH" run "$TMP/proj/main.lua" 2>&1)
check_eq "require finds a module beside the script" "$OUT" "hi from mylib"

# User scripts: IAMSH_PATH, then ~/.config/iamsh/scripts, then the shipped ones.
mkdir -p "$TMP/home/.config/iamsh/scripts" "$TMP/extra"
printf -- '-- says hello from the user folder\nprint("user hello")\n' >"$TMP/home/.config/iamsh/scripts/hello.lua"
printf 'return {description = "a flow on IAMSH_PATH", run = function() print("path flow") end}\n' \
  >"$TMP/extra/pathflow.lua"
printf -- '-- my own sagemaker\nprint("mine")\n' >"$TMP/extra/sagemaker.lua"
# A plain script's top level is its work: `list` must not run it.
printf -- '-- writes a file\nio.open("%s/ran", "w"):close()\n' "$TMP" >"$TMP/extra/sideeffect.lua"
OUT=$(HOME="$TMP/home" IAMSH_PATH="$TMP/extra" "$IAMSH" list 2>&1)
check_match "list shows user-folder scripts" "$OUT" "hello +user +says hello from the user folder"
check_match "list shows IAMSH_PATH flows by description" "$OUT" "pathflow +path +a flow on IAMSH_PATH"
check_match "list marks shipped scripts" "$OUT" "sagemaker-teardown +shipped"
check_match "list says which of two same-named scripts runs" "$OUT" \
  "sagemaker +shipped +\(not run: the path script of that name is\)"
check "list does not run a plain script" test ! -e "$TMP/ran"
OUT=$(HOME="$TMP/home" "$IAMSH" run hello 2>&1)
check_eq "run finds a script in ~/.config/iamsh/scripts" "$OUT" "user hello"
OUT=$(HOME="$TMP/home" IAMSH_PATH="/nonexistent:$TMP/extra" "$IAMSH" run pathflow 2>&1)
check_eq "run finds a flow on IAMSH_PATH" "$OUT" "path flow"
OUT=$(IAMSH_PATH="$TMP/extra" "$IAMSH" run sagemaker 2>&1)
check_eq "IAMSH_PATH comes before the shipped scripts (as PATH)" "$OUT" "mine"

# Region resolution: flag > env > profile.
printf '[default]\nregion = ap-south-1\n[profile other]\nregion = eu-north-1\n' >"$TMP/aws-config"
run_iamsh -e 'print(aws.config().region)'
check_eq "region from the default profile" "$OUT" "ap-south-1"
AWS_REGION=eu-west-1 run_iamsh -e 'print(aws.config().region)'
check_eq "AWS_REGION beats the profile" "$OUT" "eu-west-1"
AWS_REGION=eu-west-1 run_iamsh --region us-west-2 -e 'print(aws.config().region)'
check_eq "--region beats AWS_REGION" "$OUT" "us-west-2"
run_iamsh --profile other -e 'local c = aws.config() print(c.region, c.profile)'
check_eq "--profile picks the profile" "$OUT" "eu-north-1	other"
AWS_REGION=cn-north-1 run_iamsh -e 'local c = aws.config() print(c.partition, c.iam_endpoint, c.sts_endpoint)'
check_eq "china partition endpoints" "$OUT" "aws-cn	https://iam.cn-north-1.amazonaws.com.cn	https://sts.cn-north-1.amazonaws.com.cn"
run_iamsh -e 'local c = aws.config() print(c.credential_source, c.access_key_id, c.secret_access_key)'
check_eq "credentials from env, never the secret" "$OUT" "env	AKIDFAKEFAKEFAKE01	nil"

run_iamsh --profile nope -e 'print(aws.config().region)'
check_eq "missing profile exits 253" "$RC" 253
check_match "missing profile named" "$ERR" "nope"
check_eq "missing profile: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1

run_iamsh --endpoint-url 'not a url' -e 'print(aws.config().iam_endpoint)'
check_eq "invalid --endpoint-url exits 253" "$RC" 253
check_match "invalid --endpoint-url named" "$ERR" "--endpoint-url"
# URLs that pass a first look but that the signer cannot use are config errors
# too (one line, 253), not a script error with a traceback at the first call; a
# password in the URL is never echoed.
for url in http://host:99999 'http://u:pw-secret@127.0.0.1:9' 'http://[::1' http://host:0; do
  run_iamsh --endpoint-url "$url" -e 'sts.get_caller_identity()'
  check_eq "endpoint $url exits 253" "$RC" 253
  check_eq "endpoint $url: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
  check_nomatch "endpoint $url: no password" "$ERR" "pw-secret"
done
AWS_ENDPOINT_URL_STS=http://host:70000 run_iamsh -e 'print(aws.config().sts_endpoint)'
check_eq "AWS_ENDPOINT_URL_STS with a bad port exits 253" "$RC" 253
check_match "AWS_ENDPOINT_URL_STS named" "$ERR" "AWS_ENDPOINT_URL_STS"

# No credentials anywhere.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  run_iamsh --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
  check_eq "no credentials exits 253" "$RC" 253
  check_match "no credentials message" "$ERR" "^iamsh: no credentials: looked in"

# credential_process that fails, and one that prints garbage.
  printf '#!/bin/sh\necho "token expired" >&2\nexit 3\n' >"$TMP/cp-fail"
  printf '#!/bin/sh\necho "{not json"\n' >"$TMP/cp-bad"
  chmod +x "$TMP/cp-fail" "$TMP/cp-bad"
  printf '[profile f]\ncredential_process = %s\n[profile b]\ncredential_process = %s\n' \
    "$TMP/cp-fail" "$TMP/cp-bad" >"$TMP/aws-config"
  run_iamsh --profile f --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
  check_eq "failing credential_process exits 253" "$RC" 253
  check_match "failing credential_process message" "$ERR" "token expired"
  run_iamsh --profile b --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
  check_eq "credential_process bad JSON exits 253" "$RC" 253
export AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# Secrets never printed (issue 13, items 1-4), checked with the literal values.
# 1. Members the model marks sensitive, in --debug's wire log.
coproc FS { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --lifetime 60 \
  "file:$IAMSH_TEST_DATA/xml/create_service_specific_credential.xml" \
  "file:$IAMSH_TEST_DATA/xml/create_virtual_mfa_device.xml"; }
read -r -t 30 FSPORT <&"${FS[0]}"
run_iamsh --debug --endpoint-url "http://127.0.0.1:$FSPORT" -e '
  local c = iam.create_service_specific_credential{UserName = "ssc", ServiceName = "codecommit.amazonaws.com"}
  local m = iam.create_virtual_mfa_device{VirtualMFADeviceName = "d1"}
  print(c.ServiceSpecificCredential.ServiceUserName, m.VirtualMFADevice.SerialNumber)'
check_eq "sensitive members: the calls work" "$OUT" "ssc-at-123456789012	arn:aws:iam::123456789012:mfa/d1"
for secret in SvcPassw0rdFAKEFAKEFAKE1 SvcCredSecretFAKEFAKEFAKE2 SEEDFAKEFAKEFAKEFAKE3 \
              UVJDT0RFRkFLRUZBS0VGQUtFNA==; do
  check_absent "--debug hides the model's sensitive member ${secret:0:8}..." "$ERR" "$secret"
done
check_match "--debug still logs the answer around them" "$ERR" "<ServiceCredentialSecret><redacted>"
# 2. A proxy password: in the request to the proxy and on a CONNECT.
proxy="http://proxyuser:Pr0xyPassFAKE@127.0.0.1:$FSPORT"
for endpoint in http://iam.example.test https://iam.example.test; do
  http_proxy=$proxy https_proxy=$proxy HTTPS_PROXY=$proxy no_proxy= NO_PROXY= AWS_MAX_ATTEMPTS=1 \
    run_iamsh --debug --endpoint-url "$endpoint" -e 'pcall(sts.get_caller_identity)'
  check_match "proxy ($endpoint): the request went to the proxy" "$ERR" "Proxy-Authorization: <redacted>"
  check_absent "proxy ($endpoint): no proxy password" "$ERR" "Pr0xyPassFAKE"
  check_absent "proxy ($endpoint): no proxy credentials in base64" "$ERR" \
    "$(printf 'proxyuser:Pr0xyPassFAKE' | base64)"
done
# 3. A failing credential_process whose stderr spells secrets every common way.
cat >"$TMP/cp-leaky" <<'SH'
#!/bin/sh
echo "aws_secret_access_key = CpSecretFAKE1 export AWS_SECRET_ACCESS_KEY=CpSecretFAKE2" >&2
exit 1
SH
cat >"$TMP/cp-leaky2" <<'SH'
#!/bin/sh
echo "Password=Cp Secret FAKE3 with spaces" >&2
exit 1
SH
chmod +x "$TMP/cp-leaky" "$TMP/cp-leaky2"
for line in "secret_access_key: CpSecretFAKE4" "aws_session_token = CpSecretFAKE5" \
            "SecretAccessKey: CpSecretFAKE6"; do
  printf '#!/bin/sh\necho "%s" >&2\nexit 1\n' "$line" >"$TMP/cp-one"
  chmod +x "$TMP/cp-one"
  printf '[profile leak]\ncredential_process = %s\n' "$TMP/cp-one" >"$TMP/aws-config"
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  run_iamsh --debug --profile leak --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
  check_eq "credential_process failing ($line): exit 253" "$RC" 253
  check_absent "credential_process stderr ($line): the secret is hidden" "$ERR" "${line##* }"
done
for cp in "$TMP/cp-leaky" "$TMP/cp-leaky2"; do
  printf '[profile leak]\ncredential_process = %s\n' "$cp" >"$TMP/aws-config"
  run_iamsh --profile leak --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
  for s in CpSecretFAKE1 CpSecretFAKE2 "Cp Secret FAKE3" "Secret FAKE3"; do
    check_absent "credential_process stderr: '$s' hidden" "$ERR" "$s"
  done
done
# 5. A credential_process secret holding a NUL is refused, not silently cut short.
printf '#!/bin/sh\nprintf '"'"'{"Version": 1, "AccessKeyId": "AKIDFAKEFAKEFAKE01", "SecretAccessKey": "ab\\000cd"}'"'"'\n' \
  >"$TMP/cp-nul"
chmod +x "$TMP/cp-nul"
printf '[profile nul]\ncredential_process = %s\n' "$TMP/cp-nul" >"$TMP/aws-config"
run_iamsh --profile nul --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
check_eq "credential_process secret with a NUL: exit 253" "$RC" 253
check_match "credential_process secret with a NUL: refused as invalid JSON" "$ERR" "JSON"
# 6. An answer above the response cap (32 MiB, IAMSH_MAX_RESPONSE) is refused quickly
# with bounded memory (a 60 MB answer took ~1 GB and 7 s to decode).
python3 -c '
import sys
member = "<member><RoleName>r</RoleName></member>" * 1000
with open(sys.argv[1], "w") as f:
    f.write("<ListRolesResponse><ListRolesResult><Roles>")
    for _ in range(1500):
        f.write(member)
    f.write("</Roles></ListRolesResult></ListRolesResponse>")' "$TMP/huge.xml"
coproc HUGE { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --lifetime 60 "file:$TMP/huge.xml"; }
read -r -t 30 HUGEPORT <&"${HUGE[0]}"
start=$(date +%s)
AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01 AWS_SECRET_ACCESS_KEY=fake AWS_MAX_ATTEMPTS=1 \
  /usr/bin/time -f "%M" -o "$TMP/rss" "$IAMSH" --endpoint-url "http://127.0.0.1:$HUGEPORT" \
  -e 'iam.list_roles()' >/dev/null 2>"$TMP/err"
check_eq "a 57 MB answer: exit 255" "$?" 255
check_match "a 57 MB answer: refused at the cap, naming the setting" "$(cat "$TMP/err")" \
  "larger than 33554432 bytes \(IAMSH_MAX_RESPONSE raises the cap\)"
check "a 57 MB answer: refused within seconds" test $(( $(date +%s) - start )) -lt 10
check "a 57 MB answer: memory stays bounded (< 150 MB)" test "$(tail -1 "$TMP/rss")" -lt 153600
IAMSH_MAX_RESPONSE=64k AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01 AWS_SECRET_ACCESS_KEY=fake \
  AWS_MAX_ATTEMPTS=1 run_iamsh --endpoint-url "http://127.0.0.1:$HUGEPORT" -e 'iam.list_roles()'
check_match "IAMSH_MAX_RESPONSE sets the cap" "$ERR" "larger than 65536 bytes"
IAMSH_MAX_RESPONSE=lots run_iamsh -e ''
check_eq "a bad IAMSH_MAX_RESPONSE is bad usage" "$RC" 252
# 7. A long AWS error message is kept whole and stays valid UTF-8 (issue 13, item 7).
python3 - "$TMP/long-error.xml" <<'PY'
import sys
value = "x" + "é" * 3000
body = ('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        '<Code>ValidationError</Code><Message>Value \'%s\' at \'description\' failed to satisfy '
        'constraint</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>' % value)
open(sys.argv[1], "w", encoding="utf-8").write(body)
PY
coproc LONG { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --lifetime 60 "file:$TMP/long-error.xml@400"; }
read -r -t 30 LONGPORT <&"${LONG[0]}"
AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01 AWS_SECRET_ACCESS_KEY=fake \
  run_iamsh --endpoint-url "http://127.0.0.1:$LONGPORT" -e '
  local ok, err = pcall(iam.get_role, {RoleName = "r"})
  print(err.code, utf8.len(err.message), err.message:match("at .description.*$"))
  print(#aws.json.encode{m = err.message} > 6000)'
check_eq "a 6 KB error message is kept whole, valid UTF-8" "$OUT" \
  "ValidationError	3055	at 'description' failed to satisfy constraint
true"
printf '' >"$TMP/aws-config"
# 4. A container credentials URL with a password and a signed query.
AWS_CONTAINER_CREDENTIALS_FULL_URI="http://ctuser:CtPassFAKE@127.0.0.1:9/creds?sig=CtSigFAKE" \
  run_iamsh --debug --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
check_eq "container URL with a password: exit 253" "$RC" 253
check_absent "container URL: no password" "$ERR" "CtPassFAKE"
check_absent "container URL: no signed query" "$ERR" "CtSigFAKE"
export AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# Decisions (issue 13, item 9; README "Security").
# An http:// endpoint that is not loopback: accepted, with one warning.
AWS_MAX_ATTEMPTS=1 run_iamsh --endpoint-url http://iam.example.test:9 -e 'pcall(sts.get_caller_identity)'
check_eq "http:// to another host: one warning line" "$ERR" \
  "iamsh: warning: requests go to http://iam.example.test:9 over plain HTTP: they and any session token can be read on the network (use https://)"
run_iamsh --endpoint-url http://127.0.0.1:9 -e 'pcall(sts.get_caller_identity)'
check_eq "http:// on loopback: no warning" "$ERR" ""
# Instance metadata is reached directly, never through an http_proxy from the environment.
coproc META { exec python3 "$IAMSH_TEST_SUPPORT/fake_metadata.py" --lifetime 60; }
read -r -t 30 METAPORT <&"${META[0]}"
coproc PROXY { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --lifetime 60 \
  --count-file "$TMP/proxy-count" 500; }
read -r -t 30 PROXYPORT <&"${PROXY[0]}"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$METAPORT" \
 http_proxy="http://127.0.0.1:$PROXYPORT" no_proxy= NO_PROXY= \
   "$IAMSH" -e 'print(aws.config().credential_source)' >"$TMP/out" 2>"$TMP/err")
check_eq "metadata credentials through a proxy setting: found directly" "$(cat "$TMP/out")" "iam-role"
check_eq "metadata credentials: the proxy saw no request" "$(cut -d' ' -f1 "$TMP/proxy-count")" 0
# Files: a symbolic link is not replaced; the umask applies to files that are not secret.
mkdir -p "$TMP/files"
printf 'A=1\n' >"$TMP/files/real.env"
ln -s real.env "$TMP/files/.env"
run_iamsh -e "provision.env_file{path = '$TMP/files/.env', values = {B = '2'}}"
check_eq "a .env that is a symbolic link: refused before any write, exit 252" "$RC" 252
check_match "a .env that is a symbolic link: says so" "$ERR" "is a symbolic link: iamsh does not replace links"
check_eq "the link and its target are untouched" "$(readlink "$TMP/files/.env"):$(cat "$TMP/files/real.env")" \
  "real.env:A=1"
(umask 077; "$IAMSH" -e "provision.file{path = '$TMP/files/arn.txt', content = 'arn'}" 2>/dev/null)
check_eq "umask 077: a 0644 file is written 0600" "$(stat -c %a "$TMP/files/arn.txt")" 600
OUT=$(umask 077; "$IAMSH" -e "provision.file{path = '$TMP/files/arn.txt', content = 'arn'}" 2>&1)
check_match "umask 077: the second run changes nothing" "$OUT" "Done: 0 added, 0 changed, 0 destroyed"
# Malformed config file: a clear line, not a crash.
printf '[default\nregion = \x01\xff\n[profile x]\n  = =\n' >"$TMP/aws-config"
run_iamsh -e 'print(aws.config().region)'
check_eq "malformed config exits 253" "$RC" 253
check_eq "malformed config: one line naming file and line" "$ERR" \
  "iamsh: unable to parse config file $TMP/aws-config: line 1: section definition must end with ']'"

# Unreachable endpoint: one line, exit 255, quickly.
printf '' >"$TMP/aws-config"
start=$(date +%s)
AWS_MAX_ATTEMPTS=2 run_iamsh --endpoint-url http://127.0.0.1:9 -e 'sts.get_caller_identity()'
check_eq "unreachable endpoint exits 255" "$RC" 255
check_match "unreachable endpoint message" "$ERR" "TransportError"
check_eq "unreachable endpoint: one line" "$(printf '%s\n' "$ERR" | wc -l)" 1
check "unreachable endpoint gives up fast" test $(( $(date +%s) - start )) -lt 10

# TLS failure: a plain-HTTP port spoken to with https.
python3 -m http.server --bind 127.0.0.1 0 >"$TMP/http.log" 2>&1 &
HTTP_PID=$!
for _ in $(seq 50); do grep -q "port" "$TMP/http.log" && break; sleep 0.1; done
PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TMP/http.log" | head -1)
AWS_MAX_ATTEMPTS=1 run_iamsh --endpoint-url "https://127.0.0.1:$PORT" -e 'sts.get_caller_identity()'
kill $HTTP_PID 2>/dev/null
check_eq "TLS failure exits 255" "$RC" 255
check_match "TLS failure message" "$ERR" "TransportError"

# Limits: the Lua heap is capped (IAMSH_MEMORY_LIMIT, default 1 GiB), no core dumps.
run_iamsh -e 'local s = ("x"):rep(1 << 30)'
check_eq "a 1 GiB string: exit 1" "$RC" 1
check_eq "a 1 GiB string: one clear line" "$ERR" \
  "iamsh: not enough memory: the Lua heap reached its cap of 1024 MiB (IAMSH_MEMORY_LIMIT raises it)"
IAMSH_MEMORY_LIMIT=32M run_iamsh -e 'local t = {} for i = 1, 1e9 do t[i] = i end'
check_eq "IAMSH_MEMORY_LIMIT=32M caps the heap" "$ERR" \
  "iamsh: not enough memory: the Lua heap reached its cap of 32 MiB (IAMSH_MEMORY_LIMIT raises it)"
IAMSH_MEMORY_LIMIT=32M run_iamsh -e 'print(#("x"):rep(4 << 20))'
check_eq "under the cap all is well" "$OUT" "4194304"
for bad in 12x -5 0 99999999999G 1.5G; do
  IAMSH_MEMORY_LIMIT=$bad run_iamsh -e ''
  check_eq "IAMSH_MEMORY_LIMIT=$bad is bad usage" "$RC:$ERR" \
    "252:iamsh: IAMSH_MEMORY_LIMIT=$bad is not a size (bytes, or a number with K, M or G, e.g. 512M)"
done
OUT=$(printf 'x = ("x"):rep(1 << 30)\nprint("still here")\n' | IAMSH_MEMORY_LIMIT=64M "$IAMSH" -i 2>&1)
check_eq "REPL: out of memory, then the session goes on" "$OUT" \
  "not enough memory: the Lua heap reached its cap of 64 MiB (IAMSH_MEMORY_LIMIT raises it)
still here"
core_limit='for l in io.lines("/proc/self/limits") do if l:find("^Max core") then print((l:gsub("%s+", " "))) end end'
run_iamsh -e "$core_limit"
check_eq "no core dumps (RLIMIT_CORE 0, soft and hard)" "$OUT" "Max core file size 0 0 bytes "
run_iamsh --debug -e "$core_limit"
check_eq "--debug leaves the core limit alone" "$(printf '%s' "$OUT" | awk '{print $6}')" \
  "$(ulimit -Hc)"
# A policy set (a data file) with a loop: a clear line, not a hang.
printf 'while true do end\n' >"$TMP/loopset.lua"
start=$(date +%s)
run_iamsh -e "policy.load_set('$TMP/loopset.lua')"
check_eq "a looping data file: one line, exit 1" "$RC:$ERR" \
  "1:iamsh: policy set $TMP/loopset.lua: must return a table: took more than 10000000 instructions (a data file must only declare data)"
check "a looping data file stops quickly" test $(( $(date +%s) - start )) -lt 10

# Ctrl-C ends a running script with 130.
"$IAMSH" -e 'while true do end' 2>"$TMP/err" &
PID=$!
sleep 0.3
kill -INT $PID
wait $PID
check_eq "Ctrl-C exits 130" "$?" 130
check_match "Ctrl-C message" "$(cat "$TMP/err")" "interrupted"

finish
