#!/usr/bin/env bash
# The project's style check, the one list both .ci/run and ctest (style.*) use:
# the C files as .clang-format writes them (files genmodel writes, *_gen.c, are left
# as generated) and the Lua as .luacheckrc wants it.
# Usage: tools/check_style.sh c|lua|all
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
if [ "$what" = c ] || [ "$what" = all ]; then
  find host bindings include tests tools -name '*.[ch]' ! -name '*_gen.c' ! -name '*_gen_*.c' \
    ! -path 'tests/fuzz/corpus/*' -print0 | sort -z | xargs -0 clang-format --dry-run -Werror
fi
if [ "$what" = lua ] || [ "$what" = all ]; then
  luacheck -q scripts tests/lua
fi
