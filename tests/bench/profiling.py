"""The report's last section: where iamsh's time and memory go, measured in the
same run. Memory from /proc/PID/smaps at three points (tests/bench/memory.lua)
with each library charged to the dependency chain that brings it in, and
LD_DEBUG=statistics; CPU from callgrind (instructions by phase and by object)
and perf (samples by object, kernel included) over the SageMaker set-up and the
GetRole loops; perf's samples by owner (libc and the kernel charged to their caller)
give each missed target's floor: the share no change to iamsh's code removes."""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

from measure import BENCH, ENV, Failed
from sections import GETROLE_LUA, ensure_role, ms, percall_cmd, table, teardown, us


# --- memory ---

MAP_LINE = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$")


def read_smaps(path):
    """{object name: Counter(Rss, Private_Dirty, Anonymous)} in KiB; anonymous
    mappings are '[anon]', the heap '[heap]', stacks '[stack]'."""
    objs = collections.defaultdict(collections.Counter)
    cur = None
    with open(path) as f:
        for line in f:
            m = MAP_LINE.match(line)
            if m:
                cur = m.group(1).strip() or "[anon]"
                continue
            key, _, rest = line.partition(":")
            if key in ("Rss", "Private_Dirty", "Anonymous") and cur:
                objs[cur][key] += int(rest.split()[0])
    return objs


def vm_hwm(status_path):
    with open(status_path) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def elf(path):
    """(soname, [needed sonames]) of a shared object, from readelf -d."""
    try:
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    except OSError:
        return None, []
    soname = re.findall(r"\(SONAME\)\s+Library soname: \[(.+?)\]", out)
    return (soname[0] if soname else os.path.basename(path)), re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def symbol_relocations(path):
    """Dynamic relocations that need a symbol look-up (all but R_*_RELATIVE)."""
    try:
        out = subprocess.run(["readelf", "-rW", path], capture_output=True, text=True).stdout
    except OSError:
        return 0
    return len(re.findall(r"^[0-9a-f]+\s+[0-9a-f]+\s+R_\w+(?<!_RELATIVE)\s", out, re.M))


def chains(paths, iamsh, module):
    """{path: chain}: which dependency brings each mapped object in. The program's
    own libraries first, then the AWS module and each library it links directly,
    libxml2 last, then libcurl (opened at run time), so a library two chains share is
    charged to the first."""
    info = {p: elf(p) for p in paths if p.startswith("/")}
    by_soname = {so: p for p, (so, _) in info.items()}
    out = {}

    def walk(root, chain):
        todo = [root]
        while todo:
            p = todo.pop(0)
            if p is None or p in out:
                continue
            out[p] = chain
            todo += [by_soname.get(n) for n in info.get(p, (None, []))[1]]

    walk(iamsh, "the program (iamsh, Lua, readline, libc)")
    for p in paths:
        if "ld-linux" in p:
            out[p] = "the program (iamsh, Lua, readline, libc)"
    out[module] = "iamsh_aws.so itself"
    direct = [by_soname.get(n) for n in info.get(module, (None, []))[1]]
    order = sorted((p for p in direct if p), key=lambda p: ("libcurl" in p, "libxml2" in p, p))
    # libcurl (and libmicrohttpd) are opened by soname when first needed (dynlib.h),
    # so no DT_NEEDED names them: their chains start from the mapped file.
    order += sorted(p for p in info if os.path.basename(p).startswith(("libcurl", "libmicrohttpd")))
    for p in order:
        name = re.sub(r"\.so.*$", "", os.path.basename(p))
        walk(p, {"libcrypto": "OpenSSL", "libssl": "OpenSSL"}.get(name, name + " and what only it needs"))
    return out


def ld_statistics(iamsh, code):
    """The dynamic linker's relocation counts for `iamsh -e CODE`."""
    p = subprocess.run([iamsh, "-e", code], env=dict(ENV, LD_DEBUG="statistics"), capture_output=True, text=True)
    stats = {}
    for key, pat in (("start", r"\s number of relocations: (\d+)"),
                     ("start_relative", r"number of relative relocations: (\d+)"),
                     ("final", r"final number of relocations: (\d+)"),
                     ("cycles", r"total startup time in dynamic loader: (\d+)")):
        m = re.search(pat, p.stderr)
        stats[key] = int(m.group(1)) if m else None
    return stats


SMAPS_COPY = ('local f = assert(io.open("/proc/self/smaps")) local t = f:read("a") f:close() '
              'f = assert(io.open(arg[1], "w")) f:write(t) f:close()')


def memory(ctx, url, tmp):
    """Lines of the memory part, and figures for the findings."""
    iamsh = ctx.iamsh
    module = os.path.join(os.path.dirname(iamsh), "iamsh_aws.so")
    prefix = os.path.join(tmp, "mem")
    subprocess.run([iamsh, "-e", SMAPS_COPY, prefix + ".empty.smaps"], env=ENV, check=True)
    out_dir = os.path.join(tmp, "setup")
    os.makedirs(out_dir, exist_ok=True)
    teardown(ctx, url, out_dir)
    p = subprocess.run([iamsh, "--endpoint-url", url, "run", os.path.join(BENCH, "memory.lua"), prefix, out_dir],
                       env=ENV, capture_output=True, text=True)
    teardown(ctx, url, out_dir)
    if p.returncode != 0:
        raise Failed("tests/bench/memory.lua: %s" % p.stderr.strip()[-200:])
    points = [("`iamsh -e ''`", read_smaps(prefix + ".empty.smaps"), None)]
    for name, label in (("aws", "+ the AWS module loaded (`local x = aws`)"),
                        ("signed", "+ one SigV4 signature (no network)"),
                        ("called", "+ one call answered (`sts.get_caller_identity()`)"),
                        ("setup", "+ the SageMaker set-up on an empty account")):
        points.append((label, read_smaps("%s.%s.smaps" % (prefix, name)), vm_hwm("%s.%s.status" % (prefix, name))))
    rows = []
    for label, objs, hwm in points:
        files = {k: v for k, v in objs.items() if k.startswith("/")}
        rows.append([label, kib(sum(v["Rss"] for v in objs.values())),
                     kib(sum(v["Rss"] - v["Private_Dirty"] for v in files.values())),
                     kib(sum(v["Private_Dirty"] for v in files.values())),
                     kib(sum(v["Rss"] for k, v in objs.items() if not k.startswith("/"))),
                     len([k for k in files if ".so" in k]), kib(hwm) if hwm else "-"])
    lines = ["### Memory", "",
             "RSS from `/proc/self/smaps` (`tests/bench/memory.lua`), split into pages of files (shared "
             "libraries, read-only: code and constants), pages of files written by this process (their "
             "relocated data: GOT, vtables, `.data`) and anonymous memory (heap, Lua, stacks).", ""]
    lines += table(["point", "RSS", "library pages, clean", "library pages, written", "anonymous",
                    "shared objects", "VmHWM"], rows) + [""]
    end, empty = points[-1][1], points[0][1]
    ch = chains(list(end), iamsh, module)
    per_chain = collections.defaultdict(lambda: [0, 0, [], 0])
    for k, v in end.items():
        if k.startswith("/") and not k.startswith(tmp):
            c = per_chain[ch.get(k, "other files")]
            c[0] += v["Rss"]
            c[1] += v["Private_Dirty"]
            c[2].append((v["Rss"], os.path.basename(k)))
            c[3] += symbol_relocations(k) if ".so" in k else 0
    crow = []
    for name, (rss, dirty, libs, relocs) in sorted(per_chain.items(), key=lambda kv: -kv[1][0]):
        libs.sort(reverse=True)
        crow.append([name, len(libs), kib(rss), kib(dirty), "{:,}".format(relocs),
                     ", ".join("%s %s" % (short(n), kib(r)) for r, n in libs[:8])
                     + (", ..." if len(libs) > 8 else "")])
    lines += ["File-backed RSS at the end of the set-up, by the dependency that brings each library in "
              "(a library two chains share is charged to the first; the program's own first). Symbol "
              "relocations: the objects' dynamic relocations that need a symbol look-up (`readelf -r`, "
              "all but `R_*_RELATIVE`), which is what `_dl_relocate_object` spends its time on:", ""]
    lines += table(["brought in by", "objects", "RSS", "of it written", "symbol relocations", "largest"],
                   crow) + [""]
    lines += ["What each step added to RSS, largest first:", ""]
    grew = {}
    for (_, before, _), (label, after, _) in zip(points, points[1:]):
        g = sorted(((v["Rss"] - before.get(k, {}).get("Rss", 0), k) for k, v in after.items()), reverse=True)
        grew[label] = g
        lines.append("- %s: %s." % (label.lstrip("+ "), ", ".join(
            "%s +%s" % (short(os.path.basename(k)), kib(d)) for d, k in g[:8] if d > 0)))
    lines.append("")
    anon = [(v["Rss"], k) for k, v in end.items() if not k.startswith("/")]
    anon.sort(reverse=True)
    lines += ["Anonymous memory at the end of the set-up: %s (%s); at `iamsh -e ''`: %s." % (
        kib(sum(r for r, _ in anon)), ", ".join("%s %s" % (k, kib(r)) for r, k in anon if r),
        kib(sum(v["Rss"] for k, v in empty.items() if not k.startswith("/")))), ""]
    st_empty, st_aws = ld_statistics(iamsh, ""), ld_statistics(iamsh, "local x = aws")
    lines += ["`LD_DEBUG=statistics`: `iamsh -e ''` needs %s symbol relocations at start (%s relative); "
              "with the AWS module loaded the process has made %s symbol relocations in all (%s at start)."
              % (st_empty["start"], st_empty["start_relative"], st_aws["final"], st_aws["start"]), ""]
    figs = {"rss": [r[1] for r in rows], "points": points, "chains": per_chain, "ld": (st_empty, st_aws),
            "grew": grew, "files": rows[-1][2] + " + " + rows[-1][3] + " written", "anon": rows[-1][4]}
    return lines, figs


def short(name):
    return re.sub(r"\.so[.\d]*$", "", name)


def kib(v):
    return "%.1f MiB" % (v / 1024) if v >= 1024 else "%d KiB" % v


# --- CPU: callgrind ---

NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")


def read_callgrind(path):
    """(total Ir, inclusive Ir by function, calls by function, self Ir by object)."""
    tables = {"fn": {}, "ob": {}}
    fn = ob = cfn = None
    fn_ob = {}
    self_ir, callee_ir = collections.Counter(), collections.Counter()
    calls, obj_ir = collections.Counter(), collections.Counter()
    pending = False
    total = 0

    def resolve(kind, text):
        m = NAME.match(text.strip())
        if not m:
            return text.strip()
        if m.group(2) is not None:
            tables[kind][m.group(1)] = m.group(2)
        return tables[kind].get(m.group(1), text.strip())

    with open(path) as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending:
                    callee_ir[fn] += cost
                    pending = False
                else:
                    self_ir[fn] += cost
                    obj_ir[fn_ob.get(fn)] += cost
            elif line.startswith("fn="):
                fn = resolve("fn", line[3:])
                fn_ob.setdefault(fn, ob)
            elif line.startswith("ob="):
                ob = resolve("ob", line[3:])
            elif line.startswith("cob="):
                resolve("ob", line[4:])
            elif line.startswith("cfn="):
                cfn = resolve("fn", line[4:])
            elif line.startswith("calls="):
                calls[cfn] += int(line[6:].split()[0])
                pending = True
            elif line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    incl = {f: self_ir[f] + callee_ir[f] for f in set(self_ir) | set(callee_ir)}
    return total or sum(self_ir.values()), incl, calls, obj_ir


# (label, functions whose inclusive costs add up, per call?)
PHASES = [
    ("dlopen of iamsh_aws.so and its libraries (`dl_open_worker`)", ["dl_open_worker"], False),
    ("symbol relocation, start-up and dlopen (`_dl_relocate_object`)", ["_dl_relocate_object"], False),
    ("library constructors (`_dl_init`)", ["_dl_init"], False),
    ("Lua loading the library's precompiled chunks and compiling the script (`lua_load`)", ["lua_load"],
     False),
    ("libcurl and OpenSSL initialisation (`curl_global_init`)", ["curl_global_init"], False),
    ("HTTP exchange (`curl_easy_perform`)", ["curl_easy_perform"], True),
    ("SigV4 signing (`sigv4_sign`)", ["sigv4_sign"], True),
    ("OpenSSL digest look-ups (`EVP_MD_fetch`; the first sets up the default provider)", ["EVP_MD_fetch"],
     False),
    ("response decoding (`model_decode`)", ["model_decode"], True),
    ("libxml2 parsing (`xmlReadMemory`)", ["xmlReadMemory"], True),
    ("parameter validation (`model_validate`)", ["model_validate"], True),
    ("query serialisation (`model_serialize`)", ["model_serialize"], True),
    ("PCRE2 (`pcre2_compile_8`, `pcre2_match_8`)", ["pcre2_compile_8", "pcre2_match_8"], False),
]


def run_callgrind(cmd, tmp, name):
    """read_callgrind of one run of cmd under callgrind."""
    if not shutil.which("valgrind"):
        raise Failed("valgrind is not installed (apt-get install valgrind)")
    cg = os.path.join(tmp, name)
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg] + cmd,
                       env=ENV, capture_output=True, text=True)
    if p.returncode != 0 or not os.path.exists(cg):
        raise Failed("callgrind: %s" % p.stderr.strip()[-200:])
    return read_callgrind(cg)


def callgrind(ctx, url, tmp):
    out_dir = os.path.join(tmp, "cg")
    os.makedirs(out_dir, exist_ok=True)
    teardown(ctx, url, out_dir)
    try:
        total, incl, calls, obj_ir = run_callgrind(
            [ctx.iamsh, "--endpoint-url", url, "run", "sagemaker", "out_dir=" + out_dir], tmp, "callgrind.setup")
    finally:
        teardown(ctx, url, out_dir)
    rows, figs = [], {"total": total}
    for label, names, per_call in PHASES:
        found = [n for n in names if n in incl]
        if not found:
            rows.append([label, "-", "-", "-", "not called (or renamed)"])
            continue
        ir = sum(incl[n] for n in found)
        n_calls = sum(calls[n] for n in found)
        figs[names[0]] = (ir, n_calls)
        rows.append([label, "{:,}".format(ir), "%.1f%%" % (100 * ir / total), "{:,}".format(n_calls),
                     "{:,.0f}".format(ir / n_calls) if per_call and n_calls else ""])
    orow = [[os.path.basename(o or "?"), "{:,}".format(v), "%.1f%%" % (100 * v / total)]
            for o, v in obj_ir.most_common(10)]
    figs["objects"] = obj_ir
    lines = ["### CPU: instructions (callgrind), one set-up on an empty account", "",
             "`valgrind --tool=callgrind iamsh run sagemaker`: %s instructions in all (user space only; "
             "the kernel's share is in the perf table below). Inclusive instructions of each phase "
             "(phases nest: the relocation is inside dlopen, the digest look-ups inside signing):"
             % "{:,}".format(total), ""]
    lines += table(["phase", "instructions", "of all", "calls", "per call"], rows) + [""]
    lines += ["Instructions by object (self):", ""] + table(["object", "instructions", "of all"], orow) + [""]
    return lines, figs


# (label, functions) of one GetRole, from the Lua binding down.
CALL_PHASES = [
    ("the whole call, from Lua's arguments to Lua's result (`lcall_invoke`)", ["lcall_invoke"]),
    ("the params table into cJSON (`ljson_from_lua`)", ["ljson_from_lua"]),
    ("the core's call: validate, serialise, sign, send, decode (`call_prepare`, `call_send`)",
     ["call_prepare", "call_send"]),
    ("parameter validation (`model_validate`)", ["model_validate"]),
    ("query serialisation (`model_serialize`)", ["model_serialize"]),
    ("SigV4 signing (`sigv4_sign_headers`)", ["sigv4_sign_headers"]),
    ("of it SHA-256 of the body and the canonical request (`sigv4_sha256_hex`)", ["sigv4_sha256_hex"]),
    ("of it the HMAC-SHA256 of the string to sign, from the kept signing key's context (`signature`)",
     ["signature"]),
    ("the HTTP exchange, libcurl handle included (`http_send`)", ["http_send"]),
    ("of it `curl_easy_perform`", ["curl_easy_perform"]),
    ("response decoding (`model_decode`)", ["model_decode"]),
    ("of it libxml2 parsing, our SAX2 handlers included (`xmlParseDocument`)", ["xmlParseDocument"]),
    ("the result into Lua tables (`ljson_push_owned`)", ["ljson_push_owned"]),
    ("formatted printing, anywhere (`__vfprintf_internal`)", ["__vfprintf_internal"]),
    ("malloc and free, anywhere", ["malloc", "free", "realloc", "calloc"]),
]


def callgrind_calls(ctx, url, tmp, n):
    """Instructions per GetRole: callgrind of 1 call and of n calls, the difference / (n - 1)."""
    ensure_role(ctx, url)
    one = run_callgrind(percall_cmd(ctx, "iamsh", url, 1), tmp, "callgrind.1")
    many = run_callgrind(percall_cmd(ctx, "iamsh", url, n), tmp, "callgrind.n")
    per_total = (many[0] - one[0]) / (n - 1)
    rows = [["all of the process", "{:,.0f}".format(per_total), "100%"]]
    for label, names in CALL_PHASES:
        found = [x for x in names if x in many[1]]
        if not found:
            rows.append([label, "-", "not called (or renamed)"])
            continue
        v = sum(many[1][x] - one[1].get(x, 0) for x in found) / (n - 1)
        rows.append([label, "{:,.0f}".format(v), "%.0f%%" % (100 * v / per_total)])
    objs = collections.Counter({o: (v - one[3].get(o, 0)) / (n - 1) for o, v in many[3].items()})
    lines = ["### CPU: instructions per call (callgrind), GetRole", "",
             "callgrind of `iamsh -e '%s'` with 1 and with %d calls; per call = the difference / %d, so "
             "start-up and one-time set-up (the first digest look-up, libcurl's initialisation) drop out. "
             "Instructions do not depend on the machine's load, unlike the CPU times of section 3. "
             "Inclusive, so the rows nest:" % (GETROLE_LUA, n, n - 1), ""]
    lines += table(["part of one GetRole", "instructions", "share"], rows) + [""]
    lines += ["By object (self, per call): %s." % ", ".join(
        "%s %s" % (short(os.path.basename(o or "?")), "{:,.0f}".format(v)) for o, v in objs.most_common(8)), ""]
    return lines, {"per_call": per_total, "rows": {r[0]: r[1] for r in rows}}


# --- CPU: perf ---

# Whose code a sample is in, the proof of a floor: each sample is charged to the first
# object on its call stack (leaf first) that is not libc, the vDSO or the kernel, so
# malloc, memcpy and a system call count for whoever made them; anything under the
# dynamic loader is the loader's (mapping, relocating, lazy binding), under a library
# constructor the constructors'. OURS is the code iamsh writes or chooses to run; the
# rest is the floor no change to iamsh's code removes: the loader, libcurl with its
# system calls, OpenSSL, libxml2, exec and exit.
OURS = ("iamsh", "iamsh_aws", "iamsh_local", "liblua5.4", "libcjson", "libpcre2-8", "libreadline", "libtinfo")
LOADER, CONSTRUCTORS, PROCESS = "the dynamic loader", "library constructors", "exec and exit"


def owner(frames):
    """frames: [(symbol, object)] leaf first -> (owner, in the kernel)."""
    objs = [o for _, o in frames]
    syms = {sym for sym, _ in frames}
    kernel = "kernel" in objs[0]
    if syms & {"call_init", "_dl_init"}:
        return CONSTRUCTORS, kernel
    if any(o.startswith("ld-linux") for o in objs):
        return LOADER, kernel
    if syms & {"do_exit", "do_group_exit", "exit_mmap", "begin_new_exec", "load_elf_binary",
               "__x64_sys_execve", "__x64_sys_exit_group"}:
        return PROCESS, kernel
    for o in objs:
        if not ("libc.so" in o or "vdso" in o or "kernel" in o or o == "unknown"):
            return short(o), kernel
    return "unattributed", kernel


def read_owners(data):
    """Counter {(owner, in the kernel): samples} of a perf.data with DWARF call graphs."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym,dso"],
                         capture_output=True, text=True).stdout
    counts = collections.Counter()
    for block in out.split("\n\n"):
        frames = []
        for line in block.strip().splitlines():
            line = line.strip()
            if not line or line.endswith("(inlined)"):
                continue
            m = re.match(r"\S+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)$", line)
            if m:
                frames.append((m.group(1), os.path.basename(m.group(2))))
        if frames:
            counts[owner(frames)] += 1
    return counts


def perf_record(cmd, runs, tmp, before=None):
    """Samples by object, kernel samples by function, user-space samples by
    (object, function), and samples by owner (above), over runs of cmd."""
    if not shutil.which("perf"):
        raise Failed("perf is not installed (apt-get install linux-perf)")
    dso, ksym, usym, owners = (collections.Counter() for _ in range(4))
    for i in range(runs):
        data = os.path.join(tmp, "perf.%d.data" % i)
        if before:
            before()
        p = subprocess.run(["perf", "record", "-q", "-F", "5000", "--call-graph", "dwarf,16384", "-o", data,
                            "--"] + cmd, env=ENV, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failed("perf record: %s" % p.stderr.strip()[-200:])
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "-q", "-n", "--no-children", "-g", "none",
                              "--sort", "dso,sym"], capture_output=True, text=True).stdout
        for line in rep.splitlines():
            m = re.match(r"\s*[\d.]+%\s+(\d+)\s+(\S+)\s+\[(.)\]\s+(.+?)\s*$", line)
            if m:
                n, obj, kind, sym = int(m.group(1)), m.group(2), m.group(3), m.group(4)
                dso[obj] += n
                (ksym if kind == "k" else usym)[sym if kind == "k" else (obj, sym)] += n
        owners.update(read_owners(data))
        os.unlink(data)
    if not sum(dso.values()):
        raise Failed("perf recorded no samples")
    return dso, ksym, usym, owners


def perf_lines(title, what, rec, cpu, cpu_what, unit=ms):
    dso, ksym, usym, owners = rec
    total = sum(dso.values())
    kern = sum(n for name, n in dso.items() if "kernel" in name)
    rows = [[short(name), n, "%.1f%%" % (100 * n / total), unit(cpu * n / total) if cpu else "-"]
            for name, n in dso.most_common(12)]
    lines = ["### %s" % title, "",
             "`perf record -F 5000 --call-graph dwarf` (cpu-clock) of %s, %d samples; the last column "
             "charges %s (%s) by share." % (what, total, cpu_what, unit(cpu) if cpu else "not measured"), ""]
    lines += table(["object", "samples", "share", "of the CPU"], rows) + [""]
    top = ", ".join("`%s` %.1f%%" % (s, 100 * n / kern) for s, n in ksym.most_common(8)) if kern else "-"
    lines += ["Kernel samples by function (share of the kernel's): %s." % top, ""]
    lines += ["User-space samples by function (share of all): %s." % ", ".join(
        "`%s` (%s) %.1f%%" % (sym, short(obj), 100 * n / total) for (obj, sym), n in usym.most_common(12)), ""]
    fl = floor(owners)
    if fl:
        ototal = sum(owners.values())
        by = collections.Counter()
        for (who, _), n in owners.items():
            by[who] += n
        orows = [[who, "yes" if who in OURS else "no", "%.0f" % n, "%.1f%%" % (100 * n / ototal),
                  "%.0f%%" % (100 * owners[(who, True)] / n), unit(cpu * n / ototal) if cpu else "-"]
                 for who, n in by.most_common(14)]
        lines += ["Samples by owner: each charged to the first object on its call stack that is not libc, the "
                  "vDSO or the kernel (a system call or a malloc counts for whoever made it); under the dynamic "
                  "loader, the loader's. Code iamsh writes or chooses (%s) is \"ours\"; the rest is a floor no "
                  "change to iamsh's code removes: **%.1f%% of the samples, %s**." % (
                      ", ".join(OURS), 100 * fl["share"], unit(cpu * fl["share"]) if cpu else "-"), ""]
        lines += table(["owner", "ours", "samples", "share", "of it in the kernel", "of the CPU"], orows) + [""]
    return lines, {"kernel_share": kern / total, "floor": fl}


def floor(owners):
    """{share: of the samples not ours, parts: [(owner, share)] largest first}."""
    total = sum(owners.values())
    if not total:
        return None
    by = collections.Counter()
    for (who, _), n in owners.items():
        if who not in OURS and who != "unattributed":
            by[who] += n
    return {"share": sum(by.values()) / total, "parts": [(w, n / total) for w, n in by.most_common()]}


# The set-up as section 2 times it: on an empty account ("first": a teardown before each
# run) or its no-change re-run ("again": one set-up first, then runs that find it in place).
PERF_SETUP = {
    "first": ("%d set-ups on an empty account", "`iamsh run sagemaker`",
              "the set-up's median client CPU from section 2"),
    "again": ("%d no-change re-runs of the set-up",
              "`iamsh run sagemaker` on an account where it is already in place",
              "the re-run's median client CPU from section 2"),
}


def perf_setup(ctx, url, tmp, runs, run="first"):
    title, what, cpu_what = PERF_SETUP[run]
    out_dir = os.path.join(tmp, "perf-" + run)
    os.makedirs(out_dir, exist_ok=True)
    cmd = [ctx.iamsh, "--endpoint-url", url, "run", "sagemaker", "out_dir=" + out_dir]
    before = (lambda: teardown(ctx, url, out_dir)) if run == "first" else None
    if run == "again":
        teardown(ctx, url, out_dir)
        ctx.iamsh_ok(["--quiet", "run", "sagemaker", "out_dir=" + out_dir], url, "iamsh run sagemaker")
    try:
        rec = perf_record(cmd, runs, tmp, before=before)
    finally:
        teardown(ctx, url, out_dir)
    setup = ctx.results.get("setup", {}).get(("moto", "iamsh"))
    cpu = setup[run].median("cpu") if setup else None
    lines, figs = perf_lines("CPU: samples by object (perf), " + title % runs, what, rec, cpu, cpu_what)
    return lines, dict(figs, cpu=cpu)


def perf_calls(ctx, url, tmp, n, ep_name):
    """perf of n GetRole calls in one process; the owners of 1 call (3 runs, averaged)
    are taken off, so the floor is the calls' and not the start's."""
    ensure_role(ctx, url)
    rec = perf_record(percall_cmd(ctx, "iamsh", url, n), 1, tmp)
    start = perf_record(percall_cmd(ctx, "iamsh", url, 1), 3, tmp)[3]
    calls = collections.Counter({k: v - start[k] / 3 for k, v in rec[3].items() if v - start[k] / 3 > 0})
    per = ctx.results.get("percall", {}).get((ep_name, "iamsh"))
    conn = "kept alive" if ep_name == "iamsh serve" else "a new connection each"
    lines, figs = perf_lines("CPU: samples by object (perf), %d GetRole calls in one process against %s (%s)"
                             % (n, ep_name, conn), "`iamsh -e '%s' %d`" % (GETROLE_LUA, n),
                             rec[:3] + (calls,), per,
                             "the client CPU per call from section 3 (%s)" % ep_name, unit=us)
    sc = syscalls_per_call(ctx, url, n)
    if sc:
        lines += ["System calls per call (`strace -f -c`, %d calls less 1 call, over %d): %.1f in all: %s."
                  % (n, n - 1, sum(sc.values()), ", ".join("%s %.1f" % (k, v) for k, v in sc.most_common(12)
                                                             if v >= 0.05)), ""]
    return lines, dict(figs, per=per, syscalls=sc)


def syscalls_per_call(ctx, url, n):
    """{syscall: calls per GetRole} from strace -c of n calls and of 1 call, or None."""
    if not shutil.which("strace"):
        return None
    counts = []
    for k in (1, n):
        with tempfile.NamedTemporaryFile("r") as f:
            subprocess.run(["strace", "-f", "-c", "-o", f.name] + percall_cmd(ctx, "iamsh", url, k),
                           env=ENV, capture_output=True)
            c = collections.Counter()
            for line in f:
                parts = line.split()
                if len(parts) >= 5 and parts[-1] != "total" and parts[0][0].isdigit():
                    c[parts[-1]] += int(parts[3])
            counts.append(c)
    per = collections.Counter()
    for k in set(counts[0]) | set(counts[1]):
        per[k] = (counts[1][k] - counts[0][k]) / (n - 1)
    return per


# --- the section ---

def section(ctx):
    out = ["## Where the time and memory go", ""]
    figs = {}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        for name, fn in (("memory", lambda url: memory(ctx, url, tmp)),
                         ("callgrind", lambda url: callgrind(ctx, url, tmp)),
                         ("callgrind per call", lambda url: callgrind_calls(ctx, url, tmp, ctx.cfg.callgrind_calls)),
                         ("perf", lambda url: perf_setup(ctx, url, tmp, ctx.cfg.perf_runs)),
                         ("perf re-run", lambda url: perf_setup(ctx, url, tmp, ctx.cfg.perf_runs, "again")),
                         ("perf per call", lambda url: perf_calls(ctx, url, tmp, ctx.cfg.perf_calls, "moto")),
                         ("perf per call, kept alive",
                          lambda url: perf_calls(ctx, url, tmp, ctx.cfg.perf_calls, "iamsh serve"))):
            print("bench: profile %s" % name, file=sys.stderr)
            try:
                ep = "iamsh serve" if name.endswith("kept alive") else "moto"
                lines, figs[name] = ctx.on_endpoint(ep, fn)
            except (Failed, OSError, subprocess.CalledProcessError) as e:
                lines = ["### %s" % name, "", "Not measured: %s" % e, ""]
            out += lines
    return out[:2] + findings(ctx, figs) + out[2:]


def findings(ctx, figs):
    """The summary a reader needs first, every figure from this run."""
    f = []
    st = ctx.results.get("startup", {})
    su = ctx.results.get("setup", {}).get(("moto", "iamsh"))
    if "empty" in st and "module" in st and su:
        e, m, s = st["empty"].median("cpu"), st["module"].median("cpu"), su["first"].median("cpu")
        f.append("- **Fixed cost first.** `iamsh -e ''` takes %s of CPU; loading the AWS module "
                 "(`-e 'local x = aws'`) %s, that is %.0f%% of the whole set-up's %s (empty account)."
                 % (ms(e), ms(m), 100 * m / s, ms(s)))
    cg = figs.get("callgrind")
    if cg:
        t = cg["total"]

        def share(name):
            v = cg.get(name)
            return ("%.0f%%" % (100 * v[0] / t)) if v else "?"
        ld = figs.get("memory", {}).get("ld", ({}, {}))[1]
        f.append("- **Dynamic linking** is the largest single cost in instructions: dlopen of iamsh_aws.so "
                 "and its libraries is %s of the set-up's instructions, nearly all of it symbol relocation "
                 "(`_dl_relocate_object` %s; %s symbol relocations in all, LD_DEBUG; per dependency chain in the "
                 "memory tables below). Its cost grows with the relocations and with the number of "
                 "libraries each look-up searches." % (share("dl_open_worker"), share("_dl_relocate_object"),
                                               ld.get("final", "?")))
        f.append("- **Lua loading code** on every run (`lua_load`): %s of the instructions, undumping "
                 "the library's precompiled chunks (the provision library, the flow, policy sets) and "
                 "compiling the script itself." % share("lua_load"))
        f.append("- **Initialisation**: `curl_global_init` (which initialises OpenSSL) %s; library "
                 "constructors (`_dl_init`) %s." % (share("curl_global_init"), share("_dl_init")))
        fetch = cg.get("EVP_MD_fetch")
        if fetch:
            f.append("- **OpenSSL's first digest look-up** (`EVP_MD_fetch`, setting up the default provider) "
                     "costs %s instructions once, %s of the set-up's; the first signature, which makes it, "
                     "adds the most RSS of any step after the module's load (libcrypto's pages, memory below)."
                     % ("{:,}".format(fetch[0]), share("EVP_MD_fetch")))
    pf, pc = figs.get("perf"), figs.get("perf per call")
    if pf:
        f.append("- **The kernel** takes %.0f%% of the set-up's CPU samples (perf): exec, mmap and page "
                 "faults of the mapped libraries, and a TCP connection per call (moto closes them)."
                 % (100 * pf["kernel_share"]))
    if pc and pc.get("per"):
        sc = pc.get("syscalls")
        f.append("- **Per call, with a new connection each** (moto): %s of client CPU, %.0f%% of it in the "
                 "kernel (perf of the GetRole loop)%s; the kept-alive figure the target asks for needs "
                 "`iamsh serve`." % (us(pc["per"]), 100 * pc["kernel_share"],
                                     ", %.0f system calls a call" % sum(sc.values()) if sc else ""))
    f += floor_findings(ctx, figs)
    cc = figs.get("callgrind per call")
    if cc:
        r = cc["rows"]

        def part(prefix):
            for k, v in r.items():
                if k.startswith(prefix):
                    return v
            return "?"
        f.append("- **Per call in user space** (callgrind, GetRole): %s instructions: the HTTP exchange %s, "
                 "response decoding %s (libxml2 %s), signing %s (SHA-256 %s, HMAC %s, the rest "
                 "canonicalisation and formatting), the result into Lua %s; across all of them malloc/free "
                 "%s and printf-style formatting %s." % (
                     "{:,.0f}".format(cc["per_call"]), part("the HTTP"), part("response decoding"),
                     part("of it libxml2"), part("SigV4 signing"), part("of it SHA-256"), part("of it the HMAC"),
                     part("the result into Lua"), part("malloc"), part("formatted printing")))
    sg = ctx.results.get("sigv4", {})
    if "c" in sg and "botocore" in sg:
        f.append("- **SigV4**: the C signer takes %s a signature, botocore %s (%.1fx); 20x needs %s or less."
                 % (us(sg["c"]), us(sg["botocore"]), sg["botocore"] / sg["c"], us(sg["botocore"] / 20)))
    mem = figs.get("memory")
    if mem:
        chains_ = sorted(mem["chains"].items(), key=lambda kv: -kv[1][0])
        f.append("- **Memory**: RSS is %s at `iamsh -e ''`, %s with the AWS module, %s at the end of the set-up, "
                 "of which %s are pages of shared libraries' files and %s anonymous (heap, Lua, stacks). "
                 "By the dependency that brings the libraries in: %s." % (
                     mem["rss"][0], mem["rss"][1], mem["rss"][-1], mem["files"], mem["anon"],
                     "; ".join("%s %s" % (n, kib(v[0])) for n, v in chains_[:5])))
        curl = [v for n, v in chains_ if n.startswith("libcurl")]
        if curl:
            extra = [(r, n) for r, n in curl[0][2] if not re.match(r"lib(curl|ssl|nghttp2)\.", n)]
            f.append("  - Of libcurl's chain, %s in %d libraries serve protocols and features iamsh does not "
                     "use (%s)." % (kib(sum(r for r, _ in extra)), len(extra),
                                    ", ".join(short(n) for _, n in sorted(extra, reverse=True))))
        xml = [v for n, v in chains_ if n.startswith("libxml2")]
        if xml:
            f.append("  - libxml2's chain: %s." % ", ".join("%s %s" % (short(n), kib(r))
                                                           for r, n in sorted(xml[0][2], reverse=True)))
        for label, g in mem["grew"].items():
            if label.startswith("+"):
                f.append("  - %s: +%s (%s)." % (label[2:], kib(sum(d for d, _ in g)), ", ".join(
                    "%s +%s" % (short(os.path.basename(k)), kib(d)) for d, k in g[:4] if d > 0)))
    return (["What the engineer who fixes the targets should read first (figures from this run; tables "
             "below):", ""] + f + [""]) if f else []


def floor_findings(ctx, figs):
    """Where a target is missed, whether the floor alone (perf's samples by owner)
    already misses it."""
    out = []

    def parts(fl, cpu, unit):
        return ", ".join("%s %s" % (w, unit(cpu * sh)) for w, sh in fl["parts"][:6])
    su = ctx.results.get("setup", {})
    for key, run, label in (("perf", "first", "The set-up's floor"),
                            ("perf re-run", "again", "The no-change re-run's floor")):
        pf = figs.get(key)
        if pf and pf.get("floor") and pf.get("cpu") and ("moto", "boto3") in su:
            fl, cpu = pf["floor"], pf["cpu"]
            budget = su[("moto", "boto3")][run].median("cpu") / 30
            out.append("- **%s** (perf, samples by owner): %.0f%% of its CPU runs code iamsh neither "
                       "writes nor chooses, %s of %s: %s. 30x boto3 is %s or less, so %s." % (
                           label, 100 * fl["share"], ms(cpu * fl["share"]), ms(cpu), parts(fl, cpu, ms),
                           ms(budget), "the floor alone misses the target" if cpu * fl["share"] > budget else
                           "the floor leaves %s for iamsh's own code, which takes %s now" % (
                               ms(budget - cpu * fl["share"]), ms(cpu * (1 - fl["share"])))))
    pk = figs.get("perf per call, kept alive")
    if pk and pk.get("floor") and pk.get("per"):
        fl, per = pk["floor"], pk["per"]
        out.append("- **The per-call floor, kept alive** (perf of the GetRole loop against iamsh serve, the "
                   "start taken off): %.0f%% of a call's CPU is not iamsh's code, %s of %s: %s. The target is "
                   "100 µs, so %s." % (
                       100 * fl["share"], us(per * fl["share"]), us(per), parts(fl, per, us),
                       "the floor alone misses it" if per * fl["share"] > 100e-6 else
                       "iamsh's own code would have to fit in %s (it takes %s now)" % (
                           us(100e-6 - per * fl["share"]), us(per * (1 - fl["share"])))))
    return out
