#!/usr/bin/env bash
# `cmake --install` gives a relocatable tree whose iamsh finds its module and scripts.
. "$IAMSH_TEST_SUPPORT/lib.sh"
: "${IAMSH_BUILD_DIR:?}"
cmake --install "$IAMSH_BUILD_DIR" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1
check_eq "cmake --install succeeds" "$?" 0
mv "$TMP/prefix" "$TMP/moved"   # relocatable: nothing points back at the prefix
BIN="$TMP/moved/bin/iamsh"
check "installed binary exists" test -x "$BIN"
check "installed module exists" test -f "$TMP/moved/lib/iamsh/iamsh_aws.so"
out=$("$BIN" list 2>&1)
check_match "installed iamsh lists the shipped scripts" "$out" "sagemaker-teardown"
out=$("$BIN" -e 'print(require("iamsh").scripts_dir)' 2>&1)
check_eq "installed iamsh uses the installed scripts" "$out" "$TMP/moved/share/iamsh/scripts"
out=$("$BIN" -e 'print(aws.json.encode({1}), #aws.model.operations("iam"))' 2>&1)
check_eq "installed iamsh loads its AWS module" "$out" "[1]	176"
out=$("$BIN" -e 'help(tabulate)' 2>&1)
check_match "installed help reads the installed docs" "$out" "^tabulate\(rows, columns, opts\)"
out=$("$BIN" run sagemaker --help 2>&1)
check_match "installed iamsh runs a shipped script by name" "$out" "role_name"

# The shipped library precompiled at install time (host/program/chunks.c): used, named as
# the installed (here: moved) source, and left for the source once that changes.
LIB="$TMP/moved/share/iamsh/scripts/lib"
LUAC="$TMP/moved/share/iamsh/luac"
check_match "installed chunks carry their source's size and time" \
  "$(head -1 "$LUAC/provision.luac")" "^#iamsh-chunk size=[0-9]+ mtime=[0-9]+\.[0-9]{9}$"
out=$("$BIN" -e 'local f, p = package.searchers[3]("provision")
print(p, debug.getinfo(f, "S").source, debug.getinfo(require("provision").policy_arn, "S").source)' 2>&1)
check_eq "a module loads from its chunk, named as the moved source (nested functions too)" "$out" \
  "$LIB/provision.lua	@$LIB/provision.lua	@$LIB/provision.lua"
out=$("$BIN" -e 'local ok, e = pcall(require("provision").role, {name = "r", trust = {}, bogus = 1}); print(e)' 2>&1)
check_nomatch "an error from a chunk does not name the install-time path" "$out" "$TMP/prefix"
mkdir -p "$TMP/proj"
printf 'return {mine = true}\n' >"$TMP/proj/dotenv.lua"
printf 'print(require("dotenv").mine)\n' >"$TMP/proj/uses.lua"
out=$("$BIN" run "$TMP/proj/uses.lua" 2>&1)
check_eq "a script's own module still comes before the library's chunk" "$out" "true"
printf 'return {edited = true}\n' >"$LIB/suggest.lua"
out=$("$BIN" -e 'print(select("#", package.searchers[3]("suggest")), require("suggest").edited)' 2>&1)
check_eq "an edited source is loaded instead of its chunk" "$out" "0	true"
{ head -1 "$LUAC/dotenv.luac"; printf '\033Lua garbage'; } >"$TMP/bad" && mv "$TMP/bad" "$LUAC/dotenv.luac"
out=$("$BIN" -e 'print(select("#", package.searchers[3]("dotenv")), type(require("dotenv")))' 2>&1)
check_eq "a damaged chunk falls back to its source" "$out" "0	table"
finish
