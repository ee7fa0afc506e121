#!/usr/bin/env python3
"""`iamsh serve` against `moto_server`: requests per second for the same mixed workload,
side by side, as a Markdown report.

    tools/bench_serve.py [--iamsh build/iamsh] [--seconds 10] [--rounds 3]
                         [--connections 4] [--state FILE] [--only iamsh|moto]
                         [--out bench-serve.md]

Both servers start on free loopback ports (moto with AWS's managed policies, as the
tests run it; iamsh serve in memory, or on --state FILE) and stay up for the whole run.
Per connection, a role and a user are made first; then wrk (Debian's `wrk`) replays a
cycle of 20 signed requests per connection, one connection per wrk thread so that each
cycle runs in order: 12 reads (GetRole, ListRoles, GetUser, ListRoleTags, GetRolePolicy,
ListRolePolicies, ListAttachedRolePolicies, ListUsers, ListGroups, STS
GetCallerIdentity, ...) and 8 writes (TagRole/UntagRole, PutRolePolicy,
CreateUser/DeleteUser, AttachRolePolicy/DetachRolePolicy, UpdateRole). Requests are
signed by botocore beforehand (SigV4 allows a signature 15 minutes; each run is far
shorter), so the load client spends nothing on signing: both servers get byte-for-byte
the same requests.

Each server is warmed up (a 2 s run), then the timed runs alternate between the two
servers, --rounds times, in the order ABBA...: a shared machine's speed drifts by tens
of percent from minute to minute, and interleaving spreads that drift over both. Each
server's figure is the median of its rounds; the ratio is the ratio of the medians (the
report also gives every round's).

The report names the machine, its load, the versions and the command, and gives for
each server: requests per second, latency, the answers that were not 2xx (they must be
0: a failing request is cheap and would flatter a server), server CPU per request, and
iamsh's ratio to moto (issue 14's target: at least 50x). Credentials: any; iamsh serve
takes the environment's keys as the root's (fake ones are set when none are).
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(ROOT, "tests", "support")
sys.path.insert(0, SUPPORT)
import serve_client as sc  # noqa: E402  (botocore signing, shared with the tests)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDFAKEFAKEFAKE01")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"

TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
         '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}')
INLINE = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
          '["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*"]}]}')
MANAGED = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def iam(action, **params):
    return ("iam", dict(Action=action, Version=sc.IAM, **params))


def cycle(t):
    """The 20 requests of connection t: 12 reads, 8 writes, names of its own."""
    role, user, tmp = "bench-role-%d" % t, "bench-user-%d" % t, "bench-tmp-%d" % t
    return [
        iam("GetRole", RoleName=role),
        iam("ListRoles", MaxItems="20"),
        iam("GetUser", UserName=user),
        iam("TagRole", RoleName=role, **{"Tags.member.1.Key": "stage", "Tags.member.1.Value": "b"}),
        iam("ListRoleTags", RoleName=role),
        iam("UntagRole", RoleName=role, **{"TagKeys.member.1": "stage"}),
        iam("PutRolePolicy", RoleName=role, PolicyName="inline", PolicyDocument=INLINE),
        iam("GetRolePolicy", RoleName=role, PolicyName="inline"),
        iam("ListRolePolicies", RoleName=role),
        iam("CreateUser", UserName=tmp),
        iam("GetUser", UserName=tmp),
        iam("DeleteUser", UserName=tmp),
        ("sts", dict(Action="GetCallerIdentity", Version=sc.STS)),
        iam("ListAttachedRolePolicies", RoleName=role),
        iam("AttachRolePolicy", RoleName=role, PolicyArn=MANAGED),
        iam("DetachRolePolicy", RoleName=role, PolicyArn=MANAGED),
        iam("ListUsers", MaxItems="20"),
        iam("UpdateRole", RoleName=role, Description="benchmark role %d" % t),
        iam("GetRole", RoleName=role),
        iam("ListGroups", MaxItems="20"),
    ]


def setup_requests(t):
    return [iam("CreateRole", RoleName="bench-role-%d" % t, AssumeRolePolicyDocument=TRUST),
            iam("CreateUser", UserName="bench-user-%d" % t)]


def raw_http(url, service, params):
    """One botocore-signed POST as the bytes wrk sends."""
    p = sc.sign(sc.request(url, params), service)
    u = urllib.parse.urlsplit(p.url)
    body = p.body.encode() if isinstance(p.body, str) else p.body
    lines = ["POST %s HTTP/1.1" % (u.path or "/"), "Host: %s" % u.netloc]
    lines += ["%s: %s" % (k, v) for k, v in p.headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def lua_string(b):
    return "'" + "".join(c if 32 <= ord(c) < 127 and c not in "'\\" else "\\%03d" % ord(c)
                         for c in b.decode("latin-1")) + "'"


def wrk_script(url, connections, path):
    """A wrk script: thread t replays its cycle of pre-signed requests, in order."""
    with open(path, "w") as f:
        f.write("local cycles = {\n")
        for t in range(connections):
            f.write("{\n")
            for service, params in cycle(t):
                f.write(lua_string(raw_http(url, service, params)) + ",\n")
            f.write("},\n")
        f.write("}\n")
        f.write("local n = 0\n"
                "function setup(thread) thread:set('tid', n); n = n + 1 end\n"
                "local mine, i\n"
                "function init() mine = cycles[tid + 1]; i = 0 end\n"
                "function request() i = i % #mine + 1; return mine[i] end\n")


def prepare(url, connections):
    """Each connection's role and user, made through the server's own API."""
    for t in range(connections):
        for service, params in setup_requests(t):
            status, code = sc.send(sc.sign(sc.request(url, params), service))
            if status != 200 and code != "EntityAlreadyExists":
                raise RuntimeError("setting up %s: %s %s" % (params["Action"], status, code))


def settle(url, connections):
    """Back to the state a cycle starts from: a timed wrk run stops wherever it is, and a
    cycle stopped between CreateUser and DeleteUser would make the next run's CreateUser
    fail (EntityAlreadyExists), a non-2xx answer that is the benchmark's, not the server's."""
    for t in range(connections):
        status, code = sc.send(sc.sign(sc.request(url, iam("DeleteUser", UserName="bench-tmp-%d" % t)[1]),
                                       "iam"))
        if status != 200 and code != "NoSuchEntity":
            raise RuntimeError("settling: DeleteUser %s %s" % (status, code))


def parse_wrk(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    lat = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", text)
    return {"rps": rps, "requests": total, "non2xx": int(m.group(1)) if m else 0,
            "socket_errors": errors.group(1).strip() if errors else "",
            "latency": "%s avg, %s max" % (lat.group(1), lat.group(3)) if lat else "-"}


def cpu_seconds(pid):
    """User + system CPU of a process so far (Linux /proc)."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(url, connections, seconds, script):
    cmd = ["wrk", "-t%d" % connections, "-c%d" % connections, "-d%ds" % seconds, "--latency",
           "-s", script, url + "/"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("wrk failed: %s%s" % (run.stdout, run.stderr))
    return parse_wrk(run.stdout), " ".join(cmd[:-3] + ["cycle.lua", "URL"])


class Server:
    """A server process printing its port (moto.py) or URL (iamsh serve) first."""

    def __init__(self, cmd, is_url):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        first = self.p.stdout.readline().strip()
        if not first:
            raise RuntimeError("%s did not start" % cmd[0])
        self.url = first if is_url else "http://127.0.0.1:%s" % first

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=30)


def start(name, a):
    if name == "moto":
        return Server([sys.executable, os.path.join(SUPPORT, "moto.py"), "--lifetime", "3600"],
                      False)
    cmd = [a.iamsh, "--quiet", "serve", "--listen", "127.0.0.1:0"]
    if a.state:
        cmd += ["--state", a.state]
    return Server(cmd, True)


class Bench:
    """One server under test: started, its accounts made, its requests signed, warmed up."""

    def __init__(self, name, a, tmp):
        self.name, self.a = name, a
        self.server = start("moto" if name == "moto" else "iamsh", a)
        try:
            prepare(self.server.url, a.connections)
            self.script = os.path.join(tmp, "cycle-%s.lua" % name.split()[0])
            wrk_script(self.server.url, a.connections, self.script)
            run_wrk(self.server.url, a.connections, 2, self.script)  # warm-up (caches, the catalogue)
        except Exception:
            self.server.stop()
            raise
        self.rounds = []

    def round(self):
        """One timed run; its figures appended to self.rounds."""
        settle(self.server.url, self.a.connections)
        cpu0 = cpu_seconds(self.server.p.pid)
        result, self.cmd = run_wrk(self.server.url, self.a.connections, self.a.seconds, self.script)
        result["cpu"] = cpu_seconds(self.server.p.pid) - cpu0
        self.rounds.append(result)
        return result

    def median(self):
        """The round with the median rate (the lower middle one of an even count)."""
        ranked = sorted(self.rounds, key=lambda r: r["rps"])
        return ranked[(len(ranked) - 1) // 2]

    def stop(self):
        self.server.stop()


def order(names, rounds):
    """ABBA...: round i runs the servers forwards when i is even, backwards when odd."""
    return [names if i % 2 == 0 else list(reversed(names)) for i in range(rounds)]


def versions(a):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"
    from importlib.metadata import version
    wrk = first_line(["wrk", "--version"]) or "wrk"
    return ["%s" % first_line([a.iamsh, "--version"]), "moto %s" % version("moto"),
            wrk.split(" [")[0], "Python %s" % platform.python_version()]


def machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d CPUs (%s), load average %s" % (platform.node(), os.cpu_count(), model,
                                                  " ".join("%.2f" % x for x in os.getloadavg()))


def report(a, benches, cmd):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# `iamsh serve` vs `moto_server`: requests per second", "",
           "Measured %s by `tools/bench_serve.py` on %s." % (when, machine()), "",
           "Versions: " + "; ".join(versions(a)) + ".", "",
           "Workload: per connection, a cycle of 20 botocore-signed requests, 12 reads and "
           "8 writes (see the script); %d keep-alive connections, one per wrk thread; "
           "%d rounds of %d s per server after a 2 s warm-up, the servers alternating "
           "(ABBA...); each figure is the median round's. Load client: `%s`; the servers on "
           "the same machine: %s." % (a.connections, a.rounds, a.seconds, cmd,
                                      "iamsh serve's state in %s" % a.state if a.state else
                                      "iamsh serve's state in memory"), "",
           "| server | requests/s (median) | each round | requests | not 2xx | latency | "
           "server CPU | CPU per request | socket errors |",
           "|---|---|---|---|---|---|---|---|---|"]
    for b in benches:
        r = b.median()
        out.append("| %s | %.0f | %s | %d | %d | %s | %.2f s | %.0f µs | %s |" % (
            b.name, r["rps"], ", ".join("%.0f" % x["rps"] for x in b.rounds), r["requests"],
            sum(x["non2xx"] for x in b.rounds), r["latency"], r["cpu"],
            1e6 * r["cpu"] / max(r["requests"], 1),
            "; ".join(x["socket_errors"] for x in b.rounds if x["socket_errors"]) or "none"))
    if len(benches) == 2:
        i, m = benches[0], benches[1]
        ratio = i.median()["rps"] / max(m.median()["rps"], 1e-9)
        each = [x["rps"] / max(y["rps"], 1e-9) for x, y in zip(i.rounds, m.rounds)]
        cpu = [(x["requests"] / max(x["cpu"], 1e-9)) / (y["requests"] / max(y["cpu"], 1e-9))
               for x, y in zip(i.rounds, m.rounds)]
        out += ["", "iamsh serve / moto: **%.0fx** the requests per second, the ratio of the "
                "medians (target: at least 50x: %s); round by round %s. The requests per CPU "
                "second of the server process: %s times moto's, round by round (moto runs on "
                "one core; iamsh serve's threads may use more)." % (
                    ratio, "met" if ratio >= 50 else "missed",
                    ", ".join("%.0fx" % x for x in each), ", ".join("%.0f" % x for x in cpu))]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iamsh", default=os.path.join(ROOT, "build", "iamsh"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--state", help="iamsh serve's state file (default: in memory)")
    ap.add_argument("--only", choices=["iamsh", "moto"])
    ap.add_argument("--out", default="bench-serve.md")
    a = ap.parse_args()
    if a.rounds < 1 or a.seconds < 1 or a.connections < 1:
        ap.error("--rounds, --seconds and --connections must be at least 1")
    if not shutil.which("wrk"):
        sys.exit("bench_serve.py: wrk is not installed (Debian: apt-get install wrk)")
    names = [n for n in ("iamsh serve", "moto") if not a.only or n.startswith(a.only)]
    benches, cmd = [], ""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for name in names:
                benches.append(Bench(name, a, tmp))
            by_name = {b.name: b for b in benches}
            for names_in_order in order(names, a.rounds):
                for name in names_in_order:
                    r = by_name[name].round()
                    cmd = by_name[name].cmd
                    print("  %s, round %d: %.0f requests/s" % (name, len(by_name[name].rounds),
                                                             r["rps"]), flush=True)
        finally:
            for b in benches:
                b.stop()
    for b in benches:
        print("%s: %.0f requests/s, %d not 2xx" % (b.name, b.median()["rps"],
                                                  sum(x["non2xx"] for x in b.rounds)), flush=True)
    text = report(a, benches, cmd)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
