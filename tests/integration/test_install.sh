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
finish
