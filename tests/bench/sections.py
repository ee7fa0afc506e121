"""The measured sections of the benchmark report (tests/bench/run) and the
summary against issue 14's targets. Each section returns Markdown lines and
leaves its figures in ctx.results for the summary and the profile."""
import os
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

from measure import BENCH, ENV, ROOT, Failed, Runs, answers

SETUP_CLIENTS = ["iamsh", "boto3", "cli2", "cli1"]


class Context:
    def __init__(self, meter, clients, endpoints, cfg, results):
        self.meter, self.clients, self.endpoints, self.cfg, self.results = meter, clients, endpoints, cfg, results
        self.iamsh = clients["iamsh"].path

    def on_endpoint(self, ep_name, fn):
        """fn(url) against the endpoint; if it fails because the endpoint stopped
        answering, once more against the endpoint started again."""
        for attempt in (1, 2):
            url = self.endpoints.url(ep_name)
            if isinstance(url, Failed):
                raise url
            try:
                return fn(url)
            except Failed:
                if attempt == 2 or answers(url):
                    raise

    def endpoint_env(self, url):
        return dict(ENV, AWS_ENDPOINT_URL=url, BENCH_ENDPOINT=url)

    def iamsh_ok(self, args, url, what):
        """Run iamsh (not measured) against url; raise Failed unless it succeeds."""
        p = subprocess.run([self.iamsh, "--endpoint-url", url] + args, env=ENV, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failed("%s failed (exit %d): %s" % (what, p.returncode, p.stderr.strip()[-200:]))
        return p


# --- formatting ---

def ms(seconds):
    v = seconds * 1000
    return "%.2f ms" % v if v < 10 else "%.1f ms" % v if v < 100 else "%.0f ms" % v


def us(seconds):
    v = seconds * 1e6
    return "%.1f µs" % v if v < 100 else "%.0f µs" % v


def mib(kib):
    return "%.1f MiB" % (kib / 1024)


def times(x, base):
    """x / base as '12.3x', or '' when either is missing."""
    if not x or not base:
        return ""
    r = x / base
    return "%.1fx" % r if r < 100 else "%.0fx" % r


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return out


def missing_row(label, why, width):
    return [label] + ["-"] * (width - 2) + [str(why)]


# --- 1. start-up and time to first answer ---

def repl_first_prompt(iamsh, runs):
    """Wall seconds from fork to the REPL's first prompt on a terminal (the
    banner, the configuration for the prompt and the AWS module loaded)."""
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(iamsh, [iamsh], dict(ENV, TERM="dumb", IAMSH_HISTORY=""))
            finally:
                os._exit(127)   # never go on running the harness in the child
        seen = b""
        try:
            while not seen.rstrip().endswith(b">"):
                if not select.select([fd], [], [], 10)[0]:
                    raise Failed("no REPL prompt within 10 s: %r" % seen[-80:])
                seen += os.read(fd, 4096)
            walls.append(time.perf_counter() - t0)
            os.write(fd, b"\x04")
        finally:
            os.waitpid(pid, 0)
            os.close(fd)
    return walls


def startup(ctx):
    m, cl, cfg = ctx.meter, ctx.clients, ctx.cfg
    url = ctx.endpoints.url("moto")
    head = ["command", "runs", "wall", "client CPU", "peak RSS", "CPU vs iamsh's"]
    rows, res = [], ctx.results.setdefault("startup", {})

    def add(key, label, client, cmd, runs, env=None, base=None):
        if client.missing:
            return rows.append(missing_row(label, client.missing, len(head)))
        if isinstance(url, Failed) and env is not None:
            return rows.append(missing_row(label, url, len(head)))
        try:
            r = m.runs(cmd, runs, env=env)
        except Failed as e:
            return rows.append(missing_row(label, e, len(head)))
        res[key] = r
        rows.append([label, len(r), ms(r.median("wall")), ms(r.median("cpu")), mib(r.median("rss_kib")),
                     times(r.median("cpu"), base.median("cpu")) if base else ""])

    iamsh = ctx.iamsh
    lua = shutil.which("lua5.4")
    if lua:
        add("lua", "`lua5.4 -e ''` (for scale: the interpreter alone)", cl["iamsh"], [lua, "-e", ""], cfg.fast_runs)
    add("empty", "`iamsh -e ''`", cl["iamsh"], [iamsh, "-e", ""], cfg.fast_runs)
    add("module", "`iamsh -e 'local x = aws'` (loads the AWS module)", cl["iamsh"],
        [iamsh, "-e", "local x = aws"], cfg.fast_runs)
    env = ctx.endpoint_env(url) if not isinstance(url, Failed) else {}
    add("sts", "`iamsh -e 'sts.get_caller_identity()'`", cl["iamsh"],
        [iamsh, "-e", "sts.get_caller_identity()"], cfg.fast_runs, env=env)
    base = res.get("sts")
    add("boto3", "`python3 -c 'import boto3; boto3.client(\"sts\").get_caller_identity()'`", cl["boto3"],
        [cl["boto3"].path, "-c", 'import boto3; boto3.client("sts").get_caller_identity()'],
        cfg.slow_runs, env=env, base=base)
    for key in ("cli2", "cli1"):
        c = cl[key]
        add(key, "`aws sts get-caller-identity` (%s)" % c.name, c,
            [c.path, "--endpoint-url", env.get("AWS_ENDPOINT_URL", ""), "sts", "get-caller-identity"],
            cfg.slow_runs, env=env, base=base)
    try:
        walls = repl_first_prompt(iamsh, cfg.repl_runs)
        rows.append(["`iamsh` (the REPL) to its first prompt on a terminal", len(walls),
                     "%s (max %s)" % (ms(statistics.median(walls)), ms(max(walls))), "-", "-", ""])
    except (Failed, OSError) as e:
        rows.append(missing_row("`iamsh` (the REPL) to its first prompt", e, len(head)))
    return ["## 1. Start-up and time to first answer", "",
            "The commands with a call ask moto (started by the benchmark) on loopback; `python3` is "
            "`%s`, the CLI v1 is the `aws` beside it (not a pyenv shim). The REPL's figure is wall time "
            "from fork to the prompt on a pseudo-terminal (it loads the AWS module before the prompt)."
            % cl["boto3"].path, ""] + table(head, rows) + [""]


# --- 2. the SageMaker set-up ---

def setup_cmd(ctx, key, url, out):
    c = ctx.clients[key]
    if key == "iamsh":
        return [c.path, "--endpoint-url", url, "run", "sagemaker", "out_dir=" + out]
    if key == "boto3":
        return [c.path, os.path.join(BENCH, "sagemaker_boto3.py"), out]
    return ["bash", os.path.join(BENCH, "sagemaker_cli.sh"), c.path, out]


def requests_of(key, stderr):
    """Requests a set-up sent: iamsh's --debug wire log, the others' own count."""
    if key == "iamsh":
        return len(re.findall(r"^\[debug\] > POST ", stderr, re.M))
    m = re.search(r"^requests: (\d+)$", stderr, re.M)
    return int(m.group(1)) if m else None


def teardown(ctx, url, out):
    ctx.iamsh_ok(["--quiet", "run", "sagemaker-teardown", "out_dir=" + out], url, "sagemaker-teardown")


def count_iamsh_requests(ctx, url, out):
    counts = []
    for _ in range(2):
        p = ctx.iamsh_ok(["--debug", "run", "sagemaker", "out_dir=" + out], url, "iamsh --debug run sagemaker")
        counts.append(requests_of("iamsh", p.stderr))
    return counts


def setup_client(ctx, key, url, runs):
    """runs x (teardown, set-up on the empty account, re-run): (first, again,
    requests, converged) where converged says whether iamsh --plan finds
    nothing to change after the client's first run."""
    m, env = ctx.meter, ctx.endpoint_env(url)
    first, again, requests, converged = [], [], [None, None], None
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as out:
        if key == "iamsh":
            teardown(ctx, url, out)
            requests = count_iamsh_requests(ctx, url, out)
        for i in range(runs):
            teardown(ctx, url, out)
            cmd = setup_cmd(ctx, key, url, out)
            s, err = m.once(cmd, env=env, cwd=out)
            first.append(s)
            if i == 0:
                if key != "iamsh":
                    requests[0] = requests_of(key, err)
                plan = subprocess.run([ctx.iamsh, "--plan", "--quiet", "--endpoint-url", url, "run", "sagemaker",
                                       "out_dir=" + out], env=ENV, capture_output=True)
                converged = plan.returncode == 0
            s, err = m.once(cmd, env=env, cwd=out)
            again.append(s)
            if i == 0 and key != "iamsh":
                requests[1] = requests_of(key, err)
        teardown(ctx, url, out)
    return Runs(first), Runs(again), requests, converged


def setup(ctx):
    cfg = ctx.cfg
    head = ["client", "run", "runs", "requests", "wall", "client CPU", "peak RSS", "CPU vs iamsh's",
            "then `iamsh --plan`"]
    out = ["## 2. The SageMaker set-up (role, 4 policies, user, 5 policies, access key, 2 files)", "",
           "iamsh: `iamsh run sagemaker`. boto3: `tests/bench/sagemaker_boto3.py`, the handbook's two "
           "programs made convergent as ours (get-or-create, attach what is missing, key file 0600), "
           "sending the same requests in the same order. AWS CLI: `tests/bench/sagemaker_cli.sh`, the "
           "same requests as `aws` commands from bash (one process each; their CPU and peak RSS are the "
           "whole script's, children included). Before each empty-account run the set-up is torn down "
           "(`iamsh run sagemaker-teardown`, not measured); the re-run changes nothing. The last column "
           "checks that the client left what iamsh would: `iamsh --plan run sagemaker` finds no change.", ""]
    res = ctx.results.setdefault("setup", {})
    for ep_name in ctx.endpoints.names():
        url = ctx.endpoints.url(ep_name)
        if isinstance(url, Failed):
            out += ["Endpoint: %s: %s." % (ep_name, url), ""]
            continue
        rows = []
        for key in SETUP_CLIENTS:
            c = ctx.clients[key]
            label = c.name if key != "boto3" else "python3 + boto3"
            if c.missing:
                rows.append(missing_row(label, c.missing, len(head)))
                continue
            runs = cfg.setup_runs if key in ("iamsh", "boto3") else cfg.cli_setup_runs
            print("bench: setup %s on %s (%d runs)" % (key, ep_name, runs), file=sys.stderr)
            try:
                first, again, requests, converged = ctx.on_endpoint(
                    ep_name, lambda u: setup_client(ctx, key, u, runs))
            except Failed as e:
                rows.append(missing_row(label, e, len(head)))
                continue
            res[(ep_name, key)] = {"first": first, "again": again}
            base = res.get((ep_name, "iamsh"))
            for kind, r, n in (("empty account", first, requests[0]), ("re-run, no change", again, requests[1])):
                b = base["first" if kind == "empty account" else "again"].median("cpu") if base else None
                rows.append([label, kind, len(r), n if n is not None else "?", ms(r.median("wall")),
                             ms(r.median("cpu")), mib(r.median("rss_kib")),
                             times(r.median("cpu"), b) if key != "iamsh" else "",
                             ("no change" if converged else "CHANGES") if kind == "empty account" else ""])
        out += ["Endpoint: %s" % ep_name, ""] + table(head, rows) + [""]
    return out


# --- 3. client CPU per call ---

GETROLE_LUA = "for _ = 1, tonumber(arg[1]) do iam.get_role{RoleName = arg[2]} end"
BENCH_ROLE = "bench-getrole"
TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
         '"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def ensure_role(ctx, url):
    """The role the GetRole loops ask for (made once; kept until the endpoint stops)."""
    subprocess.run([ctx.iamsh, "--endpoint-url", url, "-e",
                    "pcall(iam.create_role, {RoleName = arg[1], AssumeRolePolicyDocument = arg[2]})",
                    BENCH_ROLE, TRUST], env=ENV, capture_output=True)


def percall_cmd(ctx, key, url, n):
    if key == "iamsh":
        return [ctx.iamsh, "--endpoint-url", url, "-e", GETROLE_LUA, str(n), BENCH_ROLE]
    return [ctx.clients["boto3"].path, os.path.join(BENCH, "getrole_boto3.py"), str(n), BENCH_ROLE]


def percall_client(ctx, key, url):
    """(CPU per call, wall per call) in seconds: (median CPU of N calls - median
    CPU of 1 call) / (N - 1), so start-up and the first call's set-up drop out."""
    m, env, n = ctx.meter, ctx.endpoint_env(url), ctx.cfg.calls
    one, many = [], []
    for _ in range(ctx.cfg.call_runs):
        one.append(m.once(percall_cmd(ctx, key, url, 1), env=env)[0])
        many.append(m.once(percall_cmd(ctx, key, url, n), env=env)[0])

    def per(what):
        return (statistics.median(getattr(s, what) for s in many)
                - statistics.median(getattr(s, what) for s in one)) / (n - 1)
    return per("cpu"), per("wall")


def percall(ctx):
    cfg = ctx.cfg
    head = ["client", "endpoint", "connection", "calls", "runs", "client CPU per call", "wall per call",
            "CPU vs iamsh's"]
    rows, res = [], ctx.results.setdefault("percall", {})
    conn = {"moto": "new TCP connection per call (moto closes it)", "iamsh serve": "kept alive"}
    for ep_name in ctx.endpoints.names():
        url = ctx.endpoints.url(ep_name)
        if isinstance(url, Failed):
            rows.append(["iamsh and boto3", ep_name, conn.get(ep_name, "?")] + ["-"] * 4 + [str(url)])
            continue
        for key in ("iamsh", "boto3"):
            c = ctx.clients[key]
            label = [c.name if key != "boto3" else "python3 + boto3", ep_name, conn.get(ep_name, "?")]
            if c.missing:
                rows.append(label + ["-"] * 4 + [c.missing])
                continue
            print("bench: percall %s on %s" % (key, ep_name), file=sys.stderr)

            def measure_calls(u):
                ensure_role(ctx, u)
                return percall_client(ctx, key, u)
            try:
                cpu, wall = ctx.on_endpoint(ep_name, measure_calls)
            except Failed as e:
                rows.append(label + ["-"] * 4 + [str(e)])
                continue
            res[(ep_name, key)] = cpu
            base = res.get((ep_name, "iamsh"))
            rows.append(label + [cfg.calls, cfg.call_runs, us(cpu), us(wall),
                                 times(cpu, base) if key != "iamsh" else ""])
    return ["## 3. Client CPU per call", "",
            "`GetRole` %d times in one process (iamsh: `iamsh -e '%s'`; boto3: "
            "`tests/bench/getrole_boto3.py`, one client). Per call = (median CPU of %d calls - median CPU "
            "of 1 call) / %d, so start-up drops out. moto closes every connection, so each call against it "
            "includes a TCP connect; the kept-alive figure (the target) needs iamsh's own endpoint."
            % (cfg.calls, GETROLE_LUA, cfg.calls, cfg.calls - 1), ""] + table(head, rows) + [""]


# --- 4. SigV4 ---

def typical_body():
    """CreateRole as iamsh serialises it (the request of tools/bench_model.c)."""
    doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
           '"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
    return urllib.parse.urlencode([
        ("Action", "CreateRole"), ("Version", "2010-05-08"), ("AssumeRolePolicyDocument", doc),
        ("Description", "bench role"), ("MaxSessionDuration", "3600"), ("Path", "/apps/"),
        ("RoleName", "app-role"), ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "infra"),
        ("Tags.member.2.Key", "env"), ("Tags.member.2.Value", "prod")], quote_via=urllib.parse.quote)


def sign_once(cmd):
    """CPU seconds per signature of one run of a loop that prints 'N CPU'."""
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    fields = p.stdout.split()
    if p.returncode != 0 or len(fields) != 2:
        raise Failed("%s: %s" % (os.path.basename(cmd[0]), (p.stderr or p.stdout).strip()[-200:]))
    return float(fields[1]) / int(fields[0])


def bench_model_once(iamsh, n):
    """Seconds per signature of the C signer, from one run of build/bench_model."""
    exe = os.path.join(os.path.dirname(iamsh), "bench_model")
    if not os.path.exists(exe):
        raise Failed("no %s (built from tools/bench_model.c)" % exe)
    p = subprocess.run([exe, str(n)], capture_output=True, text=True)
    m = re.search(r"^sign \w+\s+([\d.]+) us", p.stdout, re.M)
    if p.returncode != 0 or not m:
        raise Failed("bench_model: %s" % (p.stderr or p.stdout).strip()[-200:])
    return float(m.group(1)) / 1e6


def interleaved(cases, runs):
    """{key: median} over rounds in which every case runs once, the order reversed every
    other round (ABC CBA ...), so that the machine's drift weighs on all alike; a case
    that fails gets its Failed instead of a median."""
    samples, out = {k: [] for k, _ in cases}, {}
    for r in range(runs):
        for key, once in (cases if r % 2 == 0 else cases[::-1]):
            if key in out:
                continue
            try:
                samples[key].append(once())
            except Failed as e:
                out[key] = e
    for key, _ in cases:
        out.setdefault(key, statistics.median(samples[key]) if samples[key] else Failed("no run"))
    return out


def sigv4(ctx):
    cfg, body = ctx.cfg, typical_body()
    head = ["signer", "signatures", "runs", "time per signature", "signatures per second per core",
            "vs botocore"]
    rows, res = [], ctx.results.setdefault("sigv4", {})
    n_c = cfg.sign_n // 10
    cases = [
        ("botocore", "botocore `SigV4Auth.add_auth` on an `AWSRequest` (CPU)", cfg.sign_n_botocore,
         lambda: sign_once([ctx.clients["boto3"].path, os.path.join(BENCH, "sigv4_botocore.py"),
                            str(cfg.sign_n_botocore), body])),
        ("lua", "iamsh `aws.sigv4.sign{...}` from Lua (CPU)", cfg.sign_n,
         lambda: sign_once([ctx.iamsh, "run", os.path.join(BENCH, "sigv4.lua"), str(cfg.sign_n), body])),
        ("c", "iamsh's C signer, `sigv4_sign_headers` (`build/bench_model`, CPU)", n_c,
         lambda: bench_model_once(ctx.iamsh, n_c)),
    ]
    missing = ctx.clients["boto3"].missing
    runnable = [(key, once) for key, _, _, once in cases if not (key == "botocore" and missing)]
    medians = interleaved(runnable, cfg.sign_runs)
    for key, label, n, _ in cases:
        if key == "botocore" and missing:
            rows.append(missing_row(label, missing, len(head)))
            continue
        t = medians[key]
        if isinstance(t, Failed):
            rows.append(missing_row(label, t, len(head)))
            continue
        res[key] = t
        b = res.get("botocore")
        rows.append([label, n, cfg.sign_runs, us(t), "{:,.0f}".format(1 / t),
                     times(b, t) if key != "botocore" else ""])
    return ["## 4. SigV4 signatures per second per core", "",
            "A typical IAM request: POST of a %d-byte CreateRole body (trust policy, path, description, "
            "2 tags) to `https://iam.amazonaws.com/`, signed with the time read for each signature. "
            "Per core: signatures per CPU second of one thread. The three signers take turns, one run "
            "each a round, the order reversed every other round; each figure is the median of its "
            "runs." % len(body), ""] + table(head, rows) + [""]


# --- 5. the server side ---

def server(ctx):
    """tools/bench_serve.py (wrk replaying botocore-signed cycles of 12 reads and 8 writes
    on 4 keep-alive connections) against iamsh serve and moto_server, taking turns (medians of rounds)."""
    head = ["server", "workload", "load client", "requests per second", "vs moto"]
    res = ctx.results.setdefault("server", {})
    secs, rounds = (3, 1) if ctx.cfg.quick else (10, 3)
    script = os.path.join(ROOT, "tools", "bench_serve.py")
    why = None
    if not shutil.which("wrk"):
        why = "not measured: the load client needs wrk (Debian: apt-get install wrk)"
    elif isinstance(ctx.endpoints.url("iamsh serve"), Failed):
        why = str(ctx.endpoints.url("iamsh serve"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.run([sys.executable, script, "--iamsh", ctx.iamsh, "--seconds", str(secs),
                                "--rounds", str(rounds), "--out", os.path.join(tmp, "serve.md")],
                               capture_output=True, text=True, env=ENV)
        for name, key in (("iamsh serve", "iamsh"), ("moto", "moto")):
            m = re.search(r"^%s: (\d+) requests/s, (\d+) not 2xx" % re.escape(name), p.stdout, re.M)
            if m and m.group(2) == "0":
                res[key] = float(m.group(1))
            elif m:
                why = "not counted: %s answered %s requests with an error" % (name, m.group(2))
        if not why and (p.returncode != 0 or len(res) < 2):
            why = "not measured: tools/bench_serve.py failed: %s" % (
                (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1])
    work = ("mixed: 12 reads and 8 writes a cycle, 4 keep-alive connections, %d s" % secs if rounds == 1
            else "mixed: 12 reads and 8 writes a cycle, 4 keep-alive connections, median of %d "
            "rounds of %d s, the servers alternating" % (rounds, secs))
    client = "wrk, botocore-signed requests (`tools/bench_serve.py`)"
    if why:
        rows = [["`iamsh serve`", work, client, "-", why], ["`moto_server`", work, client, "-", why]]
    else:
        rows = [["`iamsh serve`", work, client, "{:,.0f}".format(res["iamsh"]),
                 "%.1fx" % (res["iamsh"] / res["moto"])],
                ["`moto_server`", work, client, "{:,.0f}".format(res["moto"]), ""]]
    return ["## 5. Server side: `iamsh serve` vs `moto_server`", "",
            "Both servers on this machine, in memory, taking turns; every answer must be a "
            "2xx (a failing request is cheap and would flatter a server). The report of "
            "`tools/bench_serve.py` alone gives latency and server CPU per request.", ""] + \
        table(head, rows) + [""]


# --- summary ---

def status(met, measurable=True):
    if not measurable:
        return "not yet measurable"
    return "**met**" if met else "**missed**"


def summary(results, cfg):
    head = ["target", "iamsh", "compared with", "ratio", "target", "status"]
    rows = []
    su = results.get("setup", {})
    ia, bo = su.get(("moto", "iamsh")), su.get(("moto", "boto3"))
    for kind, label in (("first", "empty account"), ("again", "no-change re-run")):
        if ia and bo:
            a, b = ia[kind].median("cpu"), bo[kind].median("cpu")
            rows.append(["Set-up client CPU (moto, %s)" % label, ms(a), "boto3 %s" % ms(b),
                         "%.1fx lower" % (b / a), ">= 30x lower", status(b / a >= 30)])
        else:
            rows.append(["Set-up client CPU (moto, %s)" % label, "-", "-", "-", ">= 30x lower",
                         status(False, False)])
    if ia:
        peak = max(ia["first"].median("rss_kib"), ia["again"].median("rss_kib"))
        rows.append(["Set-up peak RSS (moto)", mib(peak), "boto3 %s" % mib(max(
            bo["first"].median("rss_kib"), bo["again"].median("rss_kib"))) if bo else "-", "-",
            "< 10 MiB", status(peak < 10 * 1024)])
    else:
        rows.append(["Set-up peak RSS", "-", "-", "-", "< 10 MiB", status(False, False)])
    pc = results.get("percall", {})
    ka = pc.get(("iamsh serve", "iamsh"))
    close = pc.get(("moto", "iamsh"))
    if ka is not None:
        rows.append(["Client CPU per call, kept-alive connection", us(ka), "boto3 %s" % us(
            pc[("iamsh serve", "boto3")]) if ("iamsh serve", "boto3") in pc else "-", "-", "< 100 µs",
            status(ka < 100e-6)])
    elif close is not None:
        bclose = pc.get(("moto", "boto3"))
        rows.append(["Client CPU per call, kept-alive connection",
                     "%s with a new connection per call (moto)" % us(close),
                     "boto3 %s (moto)" % us(bclose) if bclose else "-",
                     "%.1fx lower" % (bclose / close) if bclose else "-", "< 100 µs",
                     "**met** (upper bound: with a TCP connect per call)" if close < 100e-6
                     else "not yet measurable (keep-alive needs iamsh serve)"])
    else:
        rows.append(["Client CPU per call, kept-alive connection", "-", "-", "-", "< 100 µs",
                     status(False, False)])
    sg = results.get("sigv4", {})
    for key, label in (("c", "SigV4 signatures/s, C signer"), ("lua", "SigV4 signatures/s, `aws.sigv4.sign`")):
        if key in sg and "botocore" in sg:
            r = sg["botocore"] / sg[key]
            rows.append([label, "{:,.0f}".format(1 / sg[key]), "botocore {:,.0f}".format(1 / sg["botocore"]),
                         "%.1fx" % r, ">= 20x", status(r >= 20)])
        else:
            rows.append([label, "-", "-", "-", ">= 20x", status(False, False)])
    sv = results.get("server", {})
    if "iamsh" in sv and "moto" in sv:
        r = sv["iamsh"] / sv["moto"]
        rows.append(["`iamsh serve` request rate", "{:,.0f}/s".format(sv["iamsh"]),
                     "moto_server {:,.0f}/s".format(sv["moto"]), "%.1fx" % r, ">= 50x", status(r >= 50)])
    else:
        rows.append(["`iamsh serve` request rate", "-", "moto_server", "-", ">= 50x",
                     status(False, False)])
    note = "Quick run (--quick): too few runs and calls for the figures to mean much." if cfg.quick else ""
    return ["## Summary: issue 14's targets", ""] + table(head, rows) + ([""] + [note] if note else [])
