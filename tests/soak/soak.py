#!/usr/bin/env python3
"""The proofs at scale (issue 13): the shipped SageMaker set-up and teardown run
again and again against a fault-injecting endpoint, and killed with SIGKILL at
many points, every state checked exactly with boto3 (an independent client); writes a Markdown
report. Run it through tests/soak/run (which builds iamsh and adds the fuzzing).

    soak.py --iamsh BUILD/iamsh [--cycles N] [--kill-points M] [--seed S]
            [--faults SPEC] [--max-runs R] [--max-seconds T] [--report FILE]
            [--workdir DIR]

Phases:
  cycles   N times: `iamsh run sagemaker out_dir=W` through fault_proxy.py
           (throttling, 500s, dropped connections, before and after moto acted),
           re-run until it exits 0 (at most --max-runs runs), then the state
           checked exactly; the same for `iamsh run sagemaker-teardown`.
  kills    a fault-free calibration run counts the set-up's requests (R); then
           M kill points, each on an empty account: the proxy stops the set-up
           at request k (mid: moto acted, half its answer sent; after: the whole
           answer sent, the next request held) and the harness SIGKILLs it; the
           state left is recorded, the set-up re-run (no faults) and checked
           exactly, then torn down and checked. Points: every request's mid and
           after (2R, evenly thinned when M is smaller); beyond 2R, `after`
           CreateAccessKey with a delay of 1, 2, 3, ... ms before the kill (the
           credentials file is written then).
Every run's label (c7-setup-2, k13-rerun-1, ...) keys the proxy's fault draws,
so a run is reproduced by the seed and its label; its output is kept in
WORKDIR/logs/LABEL.{out,err} and the proxy's request log in WORKDIR/proxy.log.
With --max-seconds T no cycle or kill point is started once its phase's share of T
is spent (the shares in proportion to the planned work, 25 s a cycle, 30 s a kill
point); the report says how many ran of how many were asked. The kill points run
in an order whose every prefix is spread over the whole set-up, so a cut run still
covers it from the first request to the last.
No secret is ever printed: the harness reads the credentials file's secret only
to look for it (bytes, literally) in everything iamsh printed.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SUPPORT = os.path.join(ROOT, "tests", "support")

ACCOUNT = "123456789012"
ROLE, USER = "SageMakerExecutionRoleLLM", "sagemaker-deployer"
ROLE_ARN = "arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE)
P = "arn:aws:iam::aws:policy/"
ROLE_POLICIES = sorted(P + n for n in ("AmazonSageMakerFullAccess", "AmazonS3FullAccess",
                                       "CloudWatchLogsFullAccess", "AmazonEC2ContainerRegistryFullAccess"))
USER_POLICIES = sorted(P + n for n in ("AmazonSageMakerFullAccess", "AWSCloudFormationFullAccess", "IAMFullAccess",
                                       "AmazonEC2ContainerRegistryFullAccess", "AmazonS3FullAccess"))
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
CREDS, ROLE_FILE = "sagemaker_user_credentials.json", "sagemaker_execution_role.json"
FAULT_KINDS = ("throttle", "error500-before", "error500-after", "reset-before", "reset-after")
RUN_TIMEOUT = 600



def key_label(key_id):
    """An access key id as the report names it: its last four characters, so a committed
    report never holds a string shaped like a real key id."""
    return "...%s" % key_id[-4:]

def env_for_clients(tmp):
    """Obviously fake credentials and private config files, as tests/support/lib.sh sets them."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(AWS_ACCESS_KEY_ID="AKIDFAKEFAKEFAKE01", AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
               AWS_CONFIG_FILE=os.path.join(tmp, "aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "aws-credentials"),
               AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="", no_proxy="127.0.0.1,localhost",
               NO_PROXY="127.0.0.1,localhost")
    return env


class Helper:
    """A helper server that prints its port first and stops when its stdin closes."""

    def __init__(self, argv, env, stderr_path):
        self.err = open(stderr_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, env=env)
        line = self.proc.stdout.readline().strip()
        if not line:
            raise SystemExit("soak: %s did not start (see %s)" % (argv[1], stderr_path))
        self.port = int(line)

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


class FaultEndpoint:
    """The fault-injecting endpoint and its control paths (tests/soak/fault_proxy.py).
    Switching to another endpoint (e.g. `iamsh serve --faults`, issue 12) means
    another class with these methods; the checks read moto (self.state_url) directly."""

    def __init__(self, upstream, faults, log, env, errlog):
        self.helper = Helper([sys.executable, os.path.join(HERE, "fault_proxy.py"), "--upstream", upstream,
                              "--faults", faults, "--log", log], env, errlog)
        self.url = "http://127.0.0.1:%d" % self.helper.port

    def control(self, path, timeout=60):
        with urllib.request.urlopen(self.url + "/__soak/" + path, timeout=timeout) as r:
            return r.status, r.read().decode()

    def start_run(self, label, faults):
        self.control("run?label=%s&faults=%d" % (label, 1 if faults else 0))

    def arm_kill(self, at, phase):
        self.control("kill?at=%d&phase=%s" % (at, phase))

    def reached(self, timeout):
        status, text = self.control("reached?timeout=%g" % timeout, timeout + 30)
        return text.strip() if status == 200 else None

    def release(self):
        self.control("release")

    def stats(self):
        return json.loads(self.control("stats")[1])

    def stop(self):
        self.helper.stop()


class Soak:
    def __init__(self, args):
        self.args = args
        self.work = args.workdir
        self.logs = os.path.join(self.work, "logs")
        self.out_dir = os.path.join(self.work, "out")
        os.makedirs(self.logs, exist_ok=True)
        os.makedirs(self.out_dir, exist_ok=True)
        self.env = env_for_clients(self.work)
        self.failures = []       # (where, what)
        self.notes = []          # observations that are not failures
        self.secrets = set()     # every secret seen, only to look for it in the output
        self.between = []        # runs that failed and were re-run: (label, exit, last line, left)
        self.runs = 0
        self.faults = {k: 0 for k in FAULT_KINDS}
        self.requests = 0
        self.cycle_requests = 0      # the requests of the cycles (faults on)
        self.figures = {}
        self.check_seconds = 0.0     # in the boto3 checks
        self._iam = None
        self.run_seconds = 0.0       # in iamsh

    # ---- helpers ----
    def fail(self, where, what):
        self.failures.append((where, what))
        print("soak: FAIL %s: %s" % (where, what), file=sys.stderr, flush=True)

    def start(self):
        self.moto = Helper([sys.executable, os.path.join(SUPPORT, "moto.py"), "--lifetime", "86400"], self.env,
                           os.path.join(self.work, "moto.err"))
        self.moto_url = "http://127.0.0.1:%d" % self.moto.port
        self.endpoint = FaultEndpoint(self.moto_url, self.args.faults, os.path.join(self.work, "proxy.log"), self.env,
                                      os.path.join(self.work, "proxy.err"))

    def stop(self):
        self.endpoint.stop()
        self.moto.stop()

    def iamsh_argv(self, flow):
        return [self.args.iamsh, "--endpoint-url", self.endpoint.url, "run", flow, "out_dir=" + self.out_dir]

    def spawn(self, flow, label):
        out = open(os.path.join(self.logs, label + ".out"), "wb")
        err = open(os.path.join(self.logs, label + ".err"), "wb")
        p = subprocess.Popen(self.iamsh_argv(flow), stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                             env=self.env, cwd=self.work)
        out.close()
        err.close()
        return p

    def finish_run(self, label, rc):
        """Count the run and its faults; returns the proxy's stats of the run."""
        st = self.endpoint.stats()
        self.runs += 1
        self.requests += st["requests"]
        if label.startswith("c"):
            self.cycle_requests += st["requests"]
        for k in FAULT_KINDS:
            self.faults[k] += st["outcomes"].get(k, 0)
        st["rc"] = rc
        return st

    def run(self, flow, label, faults):
        self.endpoint.start_run(label, faults)
        t0 = time.monotonic()
        p = self.spawn(flow, label)
        try:
            rc = p.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = "timeout"
        self.run_seconds += time.monotonic() - t0
        return self.finish_run(label, rc)

    def last_line(self, label):
        with open(os.path.join(self.logs, label + ".err"), "rb") as f:
            lines = [ln for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else "(no output)"

    # ---- the state, read with boto3 directly from moto ----
    def iam(self):
        """A boto3 IAM client straight to moto (not through the fault proxy), no retries:
        an independent client in this process, ~10 ms a check instead of an AWS CLI
        process (~1 s each, three quarters of an earlier run's time)."""
        if self._iam is None:
            import boto3
            from botocore.config import Config
            self._iam = boto3.session.Session(
                aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
                region_name="us-east-1").client(
                "iam", endpoint_url=self.moto_url,
                config=Config(retries={"max_attempts": 1}, read_timeout=300))
        return self._iam

    def call(self, name, absent_ok=False, **params):
        try:
            return getattr(self.iam(), name)(**params)
        except self.iam().exceptions.NoSuchEntityException:
            if absent_ok:
                return None
            raise

    def state(self):
        """Roles, users, groups, local policies (with attachments, trust, inline
        policies), every page; then the user's access keys and the role, when they
        exist."""
        t0 = time.monotonic()
        d = {"UserDetailList": [], "RoleDetailList": [], "GroupDetailList": [], "Policies": []}
        pages = self.iam().get_paginator("get_account_authorization_details").paginate(
            Filter=["User", "Role", "Group", "LocalManagedPolicy"])
        for page in pages:
            for k in d:
                d[k].extend(page.get(k, []))
        users, roles = d["UserDetailList"], d["RoleDetailList"]
        k = self.call("list_access_keys", absent_ok=True, UserName=USER) if users else None
        r = self.call("get_role", absent_ok=True, RoleName=ROLE) if roles else None
        self.check_seconds += time.monotonic() - t0
        return {"roles": roles, "users": users, "groups": d["GroupDetailList"],
                "policies": d["Policies"], "keys": None if k is None else k.get("AccessKeyMetadata", []),
                "role": None if r is None else r.get("Role")}

    def files(self):
        return sorted(os.listdir(self.out_dir))

    def read_creds(self):
        """(doc, problem): the credentials file's JSON, or why it is not a complete one."""
        path = os.path.join(self.out_dir, CREDS)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None, None
        if not stat.S_ISREG(st.st_mode):
            return None, "%s is not a regular file" % CREDS
        mode = stat.S_IMODE(st.st_mode)
        with open(path, "rb") as f:
            raw = f.read()
        try:
            doc = json.loads(raw)
        except ValueError:
            return None, "%s is not valid JSON (%d bytes, half-written?)" % (CREDS, len(raw))
        if (not isinstance(doc, dict) or sorted(doc) != ["AccessKeyId", "SecretAccessKey"]
                or not all(isinstance(v, str) and v for v in doc.values())):
            return None, "%s is JSON but not {AccessKeyId, SecretAccessKey} (keys %s)" % (
                CREDS, sorted(doc) if isinstance(doc, dict) else type(doc).__name__)
        self.secrets.add(doc["SecretAccessKey"].encode())
        if mode != 0o600:
            return doc, "%s has mode %o, not 600" % (CREDS, mode)
        return doc, None

    def temp_files(self):
        return [f for f in self.files() if ".iamsh-tmp-" in f]

    def key_problems(self, st, doc):
        """Keys on the user that the credentials file does not record (orphans) or more than one."""
        keys = st["keys"] or []
        problems = []
        if len(keys) > 1:
            problems.append("duplicate keys: the user has %d access keys (%s)" % (
                len(keys), ", ".join(key_label(k["AccessKeyId"]) for k in keys)))
        recorded = doc["AccessKeyId"] if doc else None
        orphans = [k["AccessKeyId"] for k in keys if k["AccessKeyId"] != recorded]
        if orphans:
            problems.append("orphaned key(s) %s: on the user, not in %s%s" % (
                ", ".join(key_label(k) for k in orphans), CREDS, "" if doc else " (no file)"))
        return problems

    def check_setup(self, st):
        """Every difference from the converged set-up, as sentences."""
        bad = []
        roles = [r["RoleName"] for r in st["roles"]]
        users = [u["UserName"] for u in st["users"]]
        if roles != [ROLE]:
            bad.append("roles are %s, expected [%s]" % (roles, ROLE))
        if users != [USER]:
            bad.append("users are %s, expected [%s]" % (users, USER))
        if st["groups"] or st["policies"]:
            bad.append("unexpected groups %s / local policies %s" % (
                [g["GroupName"] for g in st["groups"]], [p["PolicyName"] for p in st["policies"]]))
        for r in st["roles"]:
            if r["RoleName"] != ROLE:
                continue
            if r.get("Path") != "/" or r.get("Arn") != ROLE_ARN:
                bad.append("role path/ARN %s %s" % (r.get("Path"), r.get("Arn")))
            if r.get("AssumeRolePolicyDocument") != TRUST:
                bad.append("role trust policy is %s" % json.dumps(r.get("AssumeRolePolicyDocument")))
            got = sorted(a["PolicyArn"] for a in r.get("AttachedManagedPolicies", []))
            if got != ROLE_POLICIES:
                bad.append("role policies %s, expected %s" % (got, ROLE_POLICIES))
            if r.get("RolePolicyList"):
                bad.append("role has inline policies %s" % [p["PolicyName"] for p in r["RolePolicyList"]])
        if st["role"] and st["role"].get("Description") != "Execution role for SageMaker":
            bad.append("role description %r" % st["role"].get("Description"))
        for u in st["users"]:
            if u["UserName"] != USER:
                continue
            if u.get("Path") != "/":
                bad.append("user path %s" % u.get("Path"))
            got = sorted(a["PolicyArn"] for a in u.get("AttachedManagedPolicies", []))
            if got != USER_POLICIES:
                bad.append("user policies %s, expected %s" % (got, USER_POLICIES))
            if u.get("UserPolicyList") or u.get("GroupList"):
                bad.append("user has inline policies or groups")
        doc, problem = self.read_creds()
        if problem:
            bad.append(problem)
        keys = st["keys"] or []
        if len(keys) != 1:
            bad.append("the user has %d access keys, expected exactly 1" % len(keys))
        elif doc is None and not problem:
            bad.append("no %s" % CREDS)
        elif doc and keys[0]["AccessKeyId"] != doc["AccessKeyId"]:
            bad.append("the user's key %s is not the file's %s" % (keys[0]["AccessKeyId"], doc["AccessKeyId"]))
        elif keys[0].get("Status") != "Active":
            bad.append("the key is %s" % keys[0].get("Status"))
        if len(keys) > 1:
            bad.extend(self.key_problems(st, doc))
        try:
            with open(os.path.join(self.out_dir, ROLE_FILE)) as f:
                if json.load(f) != {"RoleArn": ROLE_ARN}:
                    bad.append("%s does not hold the role's ARN" % ROLE_FILE)
        except (OSError, ValueError) as e:
            bad.append("%s: %s" % (ROLE_FILE, e))
        if self.files() != sorted([CREDS, ROLE_FILE]):
            bad.append("out_dir holds %s" % self.files())
        return bad

    def check_teardown(self, st):
        bad = []
        if st["roles"] or st["users"] or st["groups"] or st["policies"]:
            bad.append("left: roles %s, users %s, groups %s, local policies %s" % (
                [r["RoleName"] for r in st["roles"]], [u["UserName"] for u in st["users"]],
                [g["GroupName"] for g in st["groups"]], [p["PolicyName"] for p in st["policies"]]))
        if st["keys"]:
            bad.append("access keys left: %s" % [k["AccessKeyId"] for k in st["keys"]])
        if self.files():
            bad.append("out_dir still holds %s" % self.files())
        return bad

    def check_between(self, st):
        """After a run that failed or was killed: what it left that is wrong at any
        point (a half-written file, two keys) and what the next run must clean up
        (a key nobody has the secret of, a temp file)."""
        doc, problem = self.read_creds()
        wrong = [problem] if problem else []
        keys = st["keys"] or []
        if len(keys) > 1:
            wrong.append("duplicate keys: the user has %d access keys" % len(keys))
        recorded = doc["AccessKeyId"] if doc else None
        left = ["orphaned key %s" % key_label(k["AccessKeyId"]) for k in keys if k["AccessKeyId"] != recorded]
        left += ["temp file %s" % t for t in self.temp_files()]
        return wrong, left

    # ---- phase 1: set-up and teardown cycles under faults ----
    def converge(self, flow, prefix, faults, check):
        """Runs flow until it exits 0 (at most max_runs); returns (runs, state problems or None)."""
        for attempt in range(1, self.args.max_runs + 1):
            label = "%s-%d" % (prefix, attempt)
            st = self.run(flow, label, faults)
            state = self.state()
            if st["rc"] == 0:
                return attempt, check(state), label
            wrong, left = self.check_between(state)
            for w in wrong:
                self.fail(label, "after a failed run (exit %s): %s" % (st["rc"], w))
            self.between.append((label, st["rc"], self.last_line(label), left))
        self.fail(prefix, "never converged in %d runs; last exit %s: %s" % (
            self.args.max_runs, st["rc"], self.last_line(label)))
        return self.args.max_runs, None, label

    def cycles(self):
        n = self.args.cycles
        reruns = {"setup": 0, "teardown": 0}
        first_try = {"setup": 0, "teardown": 0}
        exact = {"setup": 0, "teardown": 0}
        t0 = time.monotonic()
        ran = 0
        for c in range(1, n + 1):
            if self.out_of_time(self.cycles_end):
                break
            ran = c
            for kind, flow, check in (("setup", "sagemaker", self.check_setup),
                                      ("teardown", "sagemaker-teardown", self.check_teardown)):
                runs, bad, label = self.converge(flow, "c%d-%s" % (c, kind), True, check)
                reruns[kind] += runs - 1
                first_try[kind] += runs == 1
                if bad is None:
                    continue
                if bad:
                    for b in bad:
                        self.fail(label, b)
                else:
                    exact[kind] += 1
            if c % 10 == 0 or c == n:
                print("soak: cycle %d/%d, %d failures, %.0f s" % (c, n, len(self.failures), time.monotonic() - t0),
                      file=sys.stderr, flush=True)
        self.figures["cycles"] = dict(cycles=ran, asked=n, reruns=reruns, first_try=first_try, exact=exact,
                                      seconds=time.monotonic() - t0)

    @staticmethod
    def out_of_time(end):
        return end is not None and time.monotonic() >= end

    @staticmethod
    def spread_order(n):
        """0..n-1 in an order whose every prefix is spread evenly (van der Corput)."""
        order, seen, j = [], set(), 0
        while len(order) < n:
            x, f, i = 0.0, 0.5, j
            while i:
                x, f, i = x + f * (i & 1), f / 2, i >> 1
            k = int(x * n)
            if k not in seen:
                seen.add(k)
                order.append(k)
            j += 1
        return order

    # ---- phase 2: SIGKILL at M points ----
    @staticmethod
    def kill_points(actions, m):
        """Every request's mid and after, evenly thinned to m; beyond that, after
        CreateAccessKey with a delay of 1, 2, ... ms (its file is written then)."""
        total = len(actions)
        points = []
        for k in range(1, total + 1):
            points += [(k, "mid", 0), (k, "after", 0)]
        if m <= len(points):   # evenly spread, the first and the last always in
            idx = sorted({round(i * (len(points) - 1) / max(m - 1, 1)) for i in range(m)})
            return [points[i] for i in idx]
        key = max((n for n, a in actions.items() if a == "CreateAccessKey"), default=total)
        return points + [(key, "after", d) for d in range(1, m - len(points) + 1)]

    def kills(self):
        m = self.args.kill_points
        t0 = time.monotonic()
        calib = self.run("sagemaker", "k0-calibration", False)
        if calib["rc"] != 0 or self.check_setup(self.state()):
            self.fail("k0-calibration", "the fault-free set-up did not converge exactly (exit %s)" % calib["rc"])
            return
        actions = {n: a for n, a, _ in calib["list"]}
        total = calib["requests"]
        self.run("sagemaker-teardown", "k0-teardown", False)
        if self.check_teardown(self.state()):
            self.fail("k0-teardown", "the fault-free teardown did not leave an empty account")
            return
        rows, extra, reached, left_by_kill = [], 0, 0, {}
        points = self.kill_points(actions, m)
        for n, i in enumerate(self.spread_order(len(points)), 1):
            if self.out_of_time(self.args.deadline):
                break
            k, phase, delay = points[i]
            label = "k%d" % (i + 1)
            where = "%s (%s request %d %s%s)" % (label, phase, k, actions.get(k, "?"),
                                                  ", +%d ms" % delay if delay else "")
            self.endpoint.start_run(label, False)
            self.endpoint.arm_kill(k, phase)
            p = self.spawn("sagemaker", label)
            what = None
            while p.poll() is None and what is None:
                what = self.endpoint.reached(1.0)
            if what is not None:
                if delay:
                    time.sleep(delay / 1000.0)
                p.kill()          # SIGKILL, our own child
            rc = p.wait()
            self.endpoint.release()
            st = self.finish_run(label, rc)
            if what is None:
                self.fail(where, "the kill point was never reached (the set-up exited %s)" % rc)
            else:
                reached += 1
            state = self.state()
            wrong, left = self.check_between(state)
            for w in wrong:
                self.fail(where, "after SIGKILL: " + w)
            for item in left:
                kind = item.rsplit(" ", 1)[0]
                left_by_kill[kind] = left_by_kill.get(kind, 0) + 1
            runs, bad, rlabel = self.converge("sagemaker", label + "-rerun", False, self.check_setup)
            extra += runs > 1
            for b in bad or []:
                self.fail("%s, re-run %s" % (where, rlabel), b)
            truns, tbad, tlabel = self.converge("sagemaker-teardown", label + "-teardown", False, self.check_teardown)
            for b in tbad or []:
                self.fail("%s, teardown %s" % (where, tlabel), b)
            rows.append((label, k, actions.get(k, "?"), phase, delay, rc, st["requests"], left, runs,
                         "exact" if bad == [] else "NOT EXACT" if bad else "never converged",
                         "exact" if tbad == [] else "NOT EXACT"))
            if n % 10 == 0:
                print("soak: kill point %d/%d, %d failures, %.0f s" % (n, len(points), len(self.failures),
                                                                     time.monotonic() - t0), file=sys.stderr, flush=True)
        rows.sort(key=lambda r: int(r[0][1:]))
        self.figures["kills"] = dict(points=len(rows), asked=len(points), requests=total, reached=reached, extra=extra,
                                     left=left_by_kill, rows=rows, seconds=time.monotonic() - t0)

    # ---- no secret in anything iamsh printed ----
    def scan_secrets(self):
        leaks = 0
        for name in sorted(os.listdir(self.logs)):
            with open(os.path.join(self.logs, name), "rb") as f:
                data = f.read()
            if any(s in data for s in self.secrets):
                leaks += 1
                self.fail(name, "a secret from the credentials file is in this output")
        self.figures["secrets"] = dict(secrets=len(self.secrets), files=len(os.listdir(self.logs)), leaks=leaks)


def versions(iamsh):
    def first(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    moto = first([sys.executable, "-c", "import moto; print(moto.__version__)"])
    git = first(["git", "-C", ROOT, "describe", "--always", "--dirty"])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [("machine", "%s, %d CPUs (%s), %.0f GiB; load %s at the start" % (
                platform.platform(), os.cpu_count(), cpu, mem, " ".join("%.1f" % x for x in os.getloadavg()))),
            ("iamsh", "%s (commit %s)" % (" / ".join(first([iamsh, "--version"]).split("\n")), git)),
            ("python", platform.python_version()), ("moto", moto), ("boto3", first([sys.executable, "-c", "import boto3; print(boto3.__version__)"]))]


def asked(ran, n):
    return "" if ran == n else " of %d asked (the --max-seconds cap)" % n


def report(soak, args, started, seconds, env_lines):
    f = soak.figures
    L = ["# Soak report: SageMaker set-up and teardown under faults and SIGKILL", ""]
    L.append("Date %s, %.0f s in all. Command: `%s`" % (started, seconds, args.command))
    L.append("")
    for k, v in env_lines:
        L.append("- %s: %s" % (k, v))
    L.append("- seed %d, faults `%s`, at most %d runs to converge" % (args.seed, args.faults_spec, args.max_runs))
    L.append("")
    L.append("## Summary")
    L.append("")
    c, k = f.get("cycles"), f.get("kills")
    L.append("| figure | value |")
    L.append("|---|---|")
    if c:
        L.append("| set-up/teardown cycles | %d%s (%.0f s) |" % (c["cycles"], asked(c["cycles"], c["asked"]),
                                                             c["seconds"]))
        L.append("| set-ups exact / teardowns exact | %d / %d |" % (c["exact"]["setup"], c["exact"]["teardown"]))
        L.append("| converged on the first run: set-ups / teardowns | %d / %d |" % (
            c["first_try"]["setup"], c["first_try"]["teardown"]))
        L.append("| re-runs: set-up / teardown | %d / %d |" % (c["reruns"]["setup"], c["reruns"]["teardown"]))
    if k:
        L.append("| kill points (reached) | %d%s (%d), over the set-up's %d requests (%.0f s) |" % (
            k["points"], asked(k["points"], k["asked"]), k["reached"], k["requests"], k["seconds"]))
        L.append("| set-ups after the kills converged on the first run / needed more | %d / %d |" % (
            k["points"] - k["extra"], k["extra"]))
        L.append("| left by the killed runs for the re-run | %s |" % (
            ", ".join("%d %s" % (n, what) for what, n in sorted(k["left"].items())) or "nothing"))
    L.append("| iamsh runs in all / requests through the proxy | %d / %d |" % (soak.runs, soak.requests))
    L.append("| time in iamsh runs / in boto3 checks | %.0f s / %.0f s |" % (soak.run_seconds, soak.check_seconds))
    if c:
        L.append("| requests in the cycles (faults on) / faults injected | %d / %d (%.1f%%) |" % (
            soak.cycle_requests, sum(soak.faults.values()),
            100.0 * sum(soak.faults.values()) / max(soak.cycle_requests, 1)))
    for kind in FAULT_KINDS:
        L.append("| faults injected: %s | %d |" % (kind, soak.faults[kind]))
    s = f.get("secrets")
    if s:
        L.append("| outputs searched for %d secrets / leaks | %d / %d |" % (s["secrets"], s["files"], s["leaks"]))
    L.append("| **failures** | **%d** |" % len(soak.failures))
    L.append("")
    L.append("## Failures")
    L.append("")
    if not soak.failures:
        L.append("None.")
    for where, what in soak.failures:
        L.append("- `%s`: %s" % (where, what))
    L.append("")
    if c or k:
        L.append("## Runs that failed and were re-run")
        L.append("")
        L.append("What a failed run left for the next one to clean up is listed with it; the exit "
                 "status and the last line it printed tell why it failed.")
        L.append("")
        if not soak.between:
            L.append("None.")
        for label, rc, line, left in soak.between:
            L.append("- `%s` exit %s: %s%s" % (label, rc, line.replace("`", "'"),
                                              " — left: " + ", ".join(left) if left else ""))
        L.append("")
    if k:
        L.append("## Kill points")
        L.append("")
        L.append("mid: moto acted on the request, half its answer was sent; after: the whole answer was sent "
                 "(and the next request held), +N ms: the kill N ms after that. \"left\" is what the killed "
                 "run left for the re-run: a key whose secret died with the process, a temp file.")
        L.append("")
        L.append("| point | request | phase | exit | requests | left | runs to converge | re-run | teardown |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for label, n, action, phase, delay, rc, reqs, left, runs, rerun, td in k["rows"]:
            L.append("| %s | %d %s | %s%s | %s | %d | %s | %d | %s | %s |" % (
                label, n, action, phase, " +%d ms" % delay if delay else "", rc, reqs,
                ", ".join(left) or "-", runs, rerun, td))
        L.append("")
    L.append("Reproduce one run: its label (e.g. `c7-setup-2`) and the seed fix the proxy's fault draws; "
             "the per-request log is `proxy.log` in the work folder.")
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iamsh", required=True)
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--kill-points", type=int, default=50)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--faults", default="throttle=0.1,error500=0.05,reset=0.02")
    ap.add_argument("--max-runs", type=int, default=10)
    ap.add_argument("--max-seconds", type=float, default=0, help="time cap (0: none), see above")
    ap.add_argument("--report", default="soak-report.md")
    ap.add_argument("--workdir")
    ap.add_argument("--command", default=" ".join(sys.argv))
    args = ap.parse_args()
    args.faults_spec = "%s,seed=%d" % (args.faults, args.seed)
    args.faults = args.faults_spec
    args.iamsh = os.path.abspath(args.iamsh)
    keep = bool(args.workdir)
    args.workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="iamsh-soak-"))
    os.makedirs(args.workdir, exist_ok=True)
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    env_lines = versions(args.iamsh)
    t0 = time.monotonic()
    args.deadline = t0 + args.max_seconds if args.max_seconds > 0 else None
    soak = Soak(args)
    planned = 25.0 * args.cycles + 30.0 * args.kill_points
    soak.cycles_end = t0 + args.max_seconds * 25.0 * args.cycles / planned if args.deadline and planned else None
    soak.start()
    try:
        if args.cycles > 0:
            soak.cycles()
        if args.kill_points > 0:
            soak.kills()
    finally:
        soak.stop()
    soak.scan_secrets()
    text = report(soak, args, started, time.monotonic() - t0, env_lines)
    with open(args.report, "w") as f:
        f.write(text)
    print("soak: %d failures; report in %s; logs in %s" % (len(soak.failures), args.report, args.workdir),
          file=sys.stderr)
    if not keep and not soak.failures:
        shutil.rmtree(args.workdir, ignore_errors=True)
    return 1 if soak.failures else 0


if __name__ == "__main__":
    sys.exit(main())
