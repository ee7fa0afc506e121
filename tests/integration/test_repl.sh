#!/usr/bin/env bash
# The REPL through a pseudo-terminal (tests/support/pty_session.py) and with piped
# stdin (iamsh -i): Lua's REPL rules, Ctrl-C, Ctrl-D, history and its secret filter,
# -i after a script. Results from moto and the printer are in test_repl_moto.sh.
. "$IAMSH_TEST_SUPPORT/lib.sh"
export HOME="$TMP/home" COLUMNS=100
mkdir -p "$HOME"
# The banner names the endpoint; keep it fixed and unreachable (nothing here calls AWS).
export AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_REGION=us-east-1

# pty STEPS...: run iamsh in a terminal with the steps on stdin; sets OUT.
pty() {
  OUT=$(python3 "$IAMSH_TEST_SUPPORT/pty_session.py" --timeout 30 -- "$IAMSH" "$@" <"$TMP/steps")
}

# --- Lua's REPL rules at a terminal ---------------------------------------
cat >"$TMP/steps" <<'EOF'
wait > $
line 1 + 1
wait > $
line for i = 1, 2 do
wait >> $
line print("line", i)
wait >> $
line end
wait > $
line x = 40
wait > $
line x + 2, x * 2
wait > $
line x.y.z = 1
wait > $
line print("still here", x)
wait > $
send half typed, then Ctrl-C
wait Ctrl-C$
key C-c
wait > $
line for i = 1, 2 do
wait >> $
key C-c
wait > $
line local function f() error("deep") end f()
wait > $
key C-d
EOF
pty
check_eq "a session at a terminal" "$OUT" "iamsh 0.1.0 (Lua 5.4) on http://127.0.0.1:9: help() for help, Tab completes, Ctrl-D leaves.
iamsh default us-east-1> 1 + 1
2
iamsh default us-east-1> for i = 1, 2 do
>> print(\"line\", i)
>> end
line	1
line	2
iamsh default us-east-1> x = 40
iamsh default us-east-1> x + 2, x * 2
42	80
iamsh default us-east-1> x.y.z = 1
stdin:1: attempt to index a number value (global 'x')
iamsh default us-east-1> print(\"still here\", x)
still here	40
iamsh default us-east-1> half typed, then Ctrl-C^C
iamsh default us-east-1> for i = 1, 2 do
>> ^C
iamsh default us-east-1> local function f() error(\"deep\") end f()
stdin:1: deep
stack traceback:
	[C]: in function 'error'
	stdin:1: in local 'f'
	stdin:1: in main chunk
iamsh default us-east-1>
EXIT 0"

# exit / quit leave too; the prompt follows --profile, --region and --plan.
printf '[profile dev]\nregion = eu-west-1\n' >"$TMP/aws-config"
printf 'wait > $\nline quit\n' >"$TMP/steps"
AWS_REGION= pty --profile dev --plan
check_match "prompt: profile, region from the profile, plan" "$OUT" "iamsh dev eu-west-1 \(plan\)> quit"
check_match "quit leaves with 0" "$OUT" "EXIT 0$"
printf '' >"$TMP/aws-config"

# --- history ---------------------------------------------------------------
rm -f "$HOME/.iamsh_history"
umask 000   # the file must still be 0600
secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE2
cat >"$TMP/steps" <<EOF
wait > \$
line x = 1
wait > \$
line k = "$secret"
wait > \$
line t = {SecretAccessKey = "abc"}
wait > \$
line reveal_me = 2
wait > \$
line x + 1
wait > \$
key C-d
EOF
pty
umask 022
check_eq "history: mode 0600 from the first write" "$(stat -c %a "$HOME/.iamsh_history")" 600
check_eq "history: ordinary lines kept, secret-looking ones not" "$(cat "$HOME/.iamsh_history")" "x = 1
x + 1"
check_absent "history: the secret value is absent" "$(cat "$HOME/.iamsh_history")" "$secret"
# Earlier lines come back with the arrow keys (here: Ctrl-P, previous line).
printf 'wait > $\nsend \x10\x10\nkey Enter\nwait > $\nsend \x10\x10\nkey Enter\nwait 2\nwait > $\nkey C-d\n' >"$TMP/steps"
pty
check_match "history: read back in the next session" "$OUT" "> x = 1
iamsh default us-east-1> x \+ 1
2"
# Capped at 1000 lines.
seq -f 'n = %g' 1 1500 >"$HOME/.iamsh_history"
printf 'wait > $\nline last = 1\nwait > $\nkey C-d\n' >"$TMP/steps"
pty
check_eq "history: capped at 1000 lines" "$(wc -l <"$HOME/.iamsh_history")" 1000
check_eq "history: the newest line is last" "$(tail -1 "$HOME/.iamsh_history")" "last = 1"
# IAMSH_HISTORY= (empty) keeps none.
rm -f "$HOME/.iamsh_history"
printf 'wait > $\nline z = 1\nwait > $\nkey C-d\n' >"$TMP/steps"
IAMSH_HISTORY= pty
check "IAMSH_HISTORY empty: no history file" test ! -e "$HOME/.iamsh_history"

# --- Ctrl-C during a call to an endpoint that never answers ----------------
coproc FAULT { exec python3 "$IAMSH_TEST_SUPPORT/fault_server.py" --hang 60 --lifetime 120 \
  --count-file "$TMP/count" hang; }
read -r -t 30 FPORT <&"${FAULT[0]}"
# Ctrl-C only once the request is out (on a slow machine the line may still be
# loading the AWS module a second after Enter). Ctrl-D only at a prompt: typed
# while a line runs, the terminal is still in cooked mode and the kernel turns it
# into an empty read that readline's switch to raw mode drops (as in bash).
cat >"$TMP/steps" <<EOF
wait > \$
line iam.list_roles()
until grep -q '^1 ' '$TMP/count'
key C-c
wait interrupted
wait > \$
line 6 * 7
wait 42
wait > \$
key C-d
EOF
start=$(date +%s)
AWS_ACCESS_KEY_ID=AKIDFAKEFAKEFAKE01 pty --endpoint-url "http://127.0.0.1:$FPORT"
check_match "Ctrl-C interrupts the call; the session goes on" "$OUT" "> iamsh.list_roles\(\)|> iam.list_roles\(\)
\^C
interrupted
iamsh default us-east-1> 6 \* 7
42"
check_match "Ctrl-C: the REPL leaves with 0 afterwards" "$OUT" "EXIT 0$"
check "Ctrl-C: no waiting for the endpoint" test $(( $(date +%s) - start )) -lt 20
check_nomatch "Ctrl-C: no account lookup against the hung endpoint" "$OUT" "@"

# --- Tab completion through a real terminal (tmux) ---------------------------
sock="$TMP/tmux.sock"
tmux_keys() { tmux -S "$sock" send-keys -t repl "$@"; }
screen() { tmux -S "$sock" capture-pane -p -t repl; }
# wait_screen REGEX: until the pane shows it (30 s: CI machines can be slow)
wait_screen() {
  for _ in $(seq 300); do screen | grep -qE "$1" && return 0; sleep 0.1; done
  return 1
}
tmux -S "$sock" new-session -d -s repl -x 120 -y 20 \
  "env HOME='$HOME' AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_REGION=us-east-1 '$IAMSH'"
check "tmux: the prompt appears" wait_screen "us-east-1> ?$"
tmux_keys -l "iam.get_account_summ"
tmux_keys Tab
check "tmux: Tab completes an operation" wait_screen "> iam\.get_account_summary$"
tmux_keys C-u
tmux_keys -l "iam.create_role{Ro"
tmux_keys Tab
check "tmux: Tab completes a parameter from the model" wait_screen "> iam\.create_role\{RoleName=$"
tmux_keys C-u
tmux_keys -l "iam.get_account_"
tmux_keys Tab Tab
check "tmux: Tab Tab lists the candidates" wait_screen \
  "get_account_authorization_details +get_account_password_policy +get_account_summary"
tmux_keys C-u C-d
for _ in $(seq 30); do tmux -S "$sock" has-session -t repl 2>/dev/null || break; sleep 0.1; done
check "tmux: Ctrl-D leaves" bash -c "! tmux -S '$sock' has-session -t repl 2>/dev/null"
tmux -S "$sock" kill-server 2>/dev/null

# --- piped stdin with -i: the REPL's rules, no prompts ----------------------
OUT=$(printf 'x = 2\nx * 21\nfor i = 1, 2 do\nprint(i)\nend\nerror("oops")\nprint("after", x)\n' | "$IAMSH" -i 2>&1)
check_eq "iamsh -i with piped stdin" "$OUT" "42
1
2
stdin:1: oops
after	2"

# -i after -e and after run: the script's globals are kept.
OUT=$(printf 'print(greeting .. ", again")\n' | "$IAMSH" -i -e 'greeting = "hello"' 2>&1)
check_eq "-i -e CODE: globals kept" "$OUT" "hello, again"
printf 'counter = 41\n' >"$TMP/script.lua"
OUT=$(printf 'counter + 1\n' | "$IAMSH" run "$TMP/script.lua" -i 2>&1)
check_eq "run SCRIPT -i: globals kept" "$OUT" "42"
OUT=$(printf 'print("inspect", ok)\n' | "$IAMSH" -i -e 'ok = true; error("script failed")' 2>&1)
check_eq "-i after a failing script: its error, then the REPL" "$OUT" "iamsh: (command line):1: script failed
inspect	true"

# --version names the line editor.
run_iamsh --version
check_match "--version names GNU readline" "$OUT" "GNU readline [0-9]"
run_iamsh --help
check_match "--help lists the REPL" "$OUT" "the interactive shell \(REPL\)"
finish
