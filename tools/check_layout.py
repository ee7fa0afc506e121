#!/usr/bin/env python3
"""check_layout.py - the layout rules of docs/architecture.md, checked on the compiled objects.

    check_layout.py ARCHITECTURE_MD INCLUDE_DIR CORE_OBJECTS BINDING_OBJECTS [SERVER_OBJECTS]

CORE_OBJECTS, BINDING_OBJECTS and SERVER_OBJECTS (host/server, the local endpoint) are
';'-separated lists of object files (CMake's $<TARGET_OBJECTS:...>). What `nm` says each object defines and uses is the real
dependency graph, so the checks cannot be fooled by an include left behind:

  1. no cycle between .c files: A uses a symbol B defines and B (directly or through
     others) one A defines;
  2. a core file's externs carry its module's name: in host/core/M.c or M_*.c, where
     include/iamsh/M.h is the longest header name that fits, every defined extern is
     M or M_*; in bindings/lX.c, lX_* (or luaopen_*, Lua's own convention, and
     iamsh_aws_*, the module's entry points for the program, include/iamsh/boundary.h);
     in host/server/X.c, X_* (or iamsh_local_*, the local endpoint's entry points);
  3. the core does not know Lua: no core object uses a lua_* or luaL_* symbol;
  4. the core's layers, as the table in docs/architecture.md gives them (between the
     lines "<!-- layers -->" and "<!-- /layers -->"): every module is in one layer,
     and a file uses modules of its own layer or of the layers above it in the table.

Exit status 0 when all hold; otherwise each broken rule is printed and the status is 1.
"""
import os
import subprocess
import sys


def nm_symbols(obj):
    """(defined externs, undefined symbols) of one object file."""
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDRBCGSV" and not parts[2].startswith("__"):
            defined.add(parts[2])  # "__" names are the compiler's (sanitizers, coverage)
        elif len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
    return defined, used


def source_name(obj):
    """foo.c.o -> foo (CMake names objects after their source)."""
    name = os.path.basename(obj)
    for suffix in (".o", ".obj"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name[:-2] if name.endswith(".c") else name


def load(objects):
    return {source_name(o): nm_symbols(o) for o in objects if o}


def find_cycles(units):
    """Strongly connected components of more than one file (Tarjan)."""
    owner = {sym: name for name, (defs, _) in units.items() for sym in defs}
    edges = {name: sorted({owner[s] for s in used if s in owner and owner[s] != name})
             for name, (_, used) in units.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return cycles


def module_of(name, headers):
    """The longest header name M with name == M or name starting with M_."""
    fits = [h for h in headers if name == h or name.startswith(h + "_")]
    return max(fits, key=len) if fits else None


def misnamed_core(units, headers):
    problems = []
    for name, (defs, _) in sorted(units.items()):
        module = module_of(name, headers)
        if module is None:
            problems.append(f"host/core/{name}.c: no include/iamsh/ header names its module")
            continue
        for sym in sorted(defs):
            if sym != module and not sym.startswith(module + "_"):
                problems.append(f"host/core/{name}.c defines {sym}, not {module}_*")
    return problems


def misnamed_bindings(units):
    problems = []
    for name, (defs, _) in sorted(units.items()):
        for sym in sorted(defs):
            if not (sym == name or sym.startswith((name + "_", "luaopen_", "iamsh_aws_"))):
                problems.append(f"bindings/{name}.c defines {sym}, not {name}_* or luaopen_*")
    return problems


def misnamed_server(units):
    problems = []
    for name, (defs, _) in sorted(units.items()):
        for sym in sorted(defs):
            if not (sym == name or sym.startswith((name + "_", "iamsh_local_"))):
                problems.append(f"host/server/{name}.c defines {sym}, not {name}_*")
    return problems


def core_uses_lua(units):
    return [f"host/core/{name}.c uses {sym}: the core must not know Lua"
            for name, (_, used) in sorted(units.items())
            for sym in sorted(used) if sym.startswith(("lua_", "luaL_"))]


def read_layers(path):
    """{module: layer number} from the table between the layers markers."""
    layers, inside, row = {}, False, 0
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line == "<!-- layers -->" or line == "<!-- /layers -->":
            inside = line == "<!-- layers -->"
        elif inside and line.startswith("|") and not set(line) <= set("|-: "):
            cells = [c.strip(" `") for c in line.strip("|").split("|")]
            if len(cells) >= 2 and cells[0] != "layer":
                for module in cells[1].replace("`", "").split(","):
                    layers[module.strip()] = row
                row += 1
    return layers


def misplaced(units, headers, layers):
    """Files that use a module of a later layer, and modules in no layer."""
    owner = {sym: name for name, (defs, _) in units.items() for sym in defs}
    problems = []
    for name, (_, used) in sorted(units.items()):
        module = module_of(name, headers)
        if module not in layers:
            problems.append(f"host/core/{name}.c: module {module} is in no layer of "
                            "docs/architecture.md")
            continue
        for other in sorted({owner[s] for s in used if s in owner}):
            theirs = module_of(other, headers)
            if layers.get(theirs, -1) > layers[module]:
                problems.append(f"host/core/{name}.c ({module}) uses {other}.c ({theirs}), "
                                "a module of a later layer")
    return problems


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    layers = read_layers(argv[1])
    headers = {f[:-2] for f in os.listdir(argv[2]) if f.endswith(".h")}
    core = load(argv[3].split(";"))
    bindings = load(argv[4].split(";"))
    server = load(argv[5].split(";")) if len(argv) == 6 else {}
    problems = [f"cycle between .c files: {' <-> '.join(c)}"
                for c in find_cycles({**core, **bindings, **server})]
    problems += misnamed_core(core, headers) + misnamed_bindings(bindings) + core_uses_lua(core)
    problems += misnamed_server(server) + misplaced(core, headers, layers)
    for p in problems:
        print(p)
    print(f"{len(core)} core, {len(bindings)} binding and {len(server)} server files: "
          f"{'ok' if not problems else str(len(problems)) + ' problems'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
