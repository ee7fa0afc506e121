#!/usr/bin/env python3
"""Benchmarks of the iamsh client (not tests): start-up, start-up of the REPL to
its first prompt, CPU per IAM call, the SageMaker set-up's CPU and peak RSS,
against moto_server on loopback. Writes a Markdown report (default:
bench-report.md).

    python3 tools/bench.py --iamsh build/iamsh [--report FILE] [--calls N]

Only the client's own CPU is counted (getrusage of the child processes); the
server's time is not. Per-call CPU is (CPU of N calls - CPU of 0 calls) / N, so
start-up and module loading are subtracted out.
"""
import argparse
import os
import pty
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "tests", "support")
ENV = dict(os.environ,
           AWS_ACCESS_KEY_ID="AKIDFAKEFAKEFAKE01",
           AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           AWS_EC2_METADATA_DISABLED="true",
           AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_measured(cmd, **kw):
    """(cpu seconds, peak RSS KiB of this child, wall seconds) of one command."""
    before = child_cpu()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    _, _, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if p.returncode not in (0, None) and ru is None:
        sys.exit("bench: %s failed: %s" % (cmd, err))
    return child_cpu() - before, ru.ru_maxrss, wall


def start_moto():
    p = subprocess.Popen([sys.executable, os.path.join(SUPPORT, "moto.py")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = p.stdout.readline().decode().strip()
    if not port:
        sys.exit("bench: could not start moto_server")
    return p, "http://127.0.0.1:" + port


def startup(iamsh, runs):
    walls = []
    for _ in range(runs):
        _, _, wall = run_measured([iamsh, "-e", ""])
        walls.append(wall * 1000)
    return statistics.median(walls), statistics.mean(walls)


def repl_startup(iamsh, runs):
    """Wall from fork to the REPL's first prompt on a terminal (the banner, the
    configuration for the prompt and the AWS module are all loaded by then)."""
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(ENV, TERM="dumb", IAMSH_HISTORY="")
            os.execv(iamsh, [iamsh])
        seen = b""
        while not seen.rstrip().endswith(b">"):
            if not select.select([fd], [], [], 10)[0]:
                sys.exit("bench: no REPL prompt within 10 s: %r" % seen)
            seen += os.read(fd, 4096)
        walls.append((time.perf_counter() - t0) * 1000)
        os.write(fd, b"\x04")
        os.waitpid(pid, 0)
        os.close(fd)
    return statistics.median(walls), max(walls)


def per_call_cpu(iamsh, endpoint, calls):
    chunk = 'iam.create_role{RoleName="bench", AssumeRolePolicyDocument={Version="2012-10-17", Statement={{Effect="Allow", Principal={Service="x.amazonaws.com"}, Action="sts:AssumeRole"}}}}'
    subprocess.run([iamsh, "--endpoint-url", endpoint, "-e", chunk], env=ENV, check=True)
    code = 'for i = 1, tonumber(arg[1]) do iam.get_role{RoleName = "bench"} end'
    samples = []
    for _ in range(3):
        zero, _, _ = run_measured([iamsh, "--endpoint-url", endpoint, "-e", code + " iam.get_role{RoleName='bench'}", "0"])
        many, _, wall = run_measured([iamsh, "--endpoint-url", endpoint, "-e", code, str(calls)])
        samples.append(((many - zero) / (calls - 1) * 1e6, wall / calls * 1000))
    cpu_us = statistics.median(s[0] for s in samples)
    wall_ms = statistics.median(s[1] for s in samples)
    return cpu_us, wall_ms


def sagemaker(iamsh, endpoint):
    out = tempfile.mkdtemp()
    cpu, rss, wall = run_measured([iamsh, "--quiet", "--endpoint-url", endpoint, "run", "sagemaker",
                                   "out_dir=" + out])
    cpu2, rss2, wall2 = run_measured([iamsh, "--quiet", "--endpoint-url", endpoint, "run", "sagemaker",
                                      "out_dir=" + out])
    subprocess.run([iamsh, "--quiet", "--endpoint-url", endpoint, "run", "sagemaker-teardown",
                    "out_dir=" + out], env=ENV, check=True, stdout=subprocess.DEVNULL)
    return (cpu, rss, wall), (cpu2, rss2, wall2)


def boto3_client_cpu():
    code = "import boto3; boto3.client('iam', region_name='us-east-1')"
    cpu, rss, wall = run_measured([sys.executable, "-c", code])
    return cpu, rss, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iamsh", required=True)
    ap.add_argument("--report", default="bench-report.md")
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--startup-runs", type=int, default=200)
    a = ap.parse_args()
    iamsh = os.path.abspath(a.iamsh)
    med, mean = startup(iamsh, a.startup_runs)
    repl_med, repl_max = repl_startup(iamsh, 50)
    moto, endpoint = start_moto()
    try:
        call_cpu, call_wall = per_call_cpu(iamsh, endpoint, a.calls)
        first, again = sagemaker(iamsh, endpoint)
    finally:
        moto.stdin.close()
        moto.wait()
    b_cpu, b_rss, b_wall = boto3_client_cpu()
    lines = [
        "# iamsh benchmark report",
        "",
        "Machine: %s, %d cores; iamsh: %s" % (os.uname().machine, os.cpu_count(), iamsh),
        "",
        "| what | value |",
        "|---|---|",
        "| `iamsh -e ''` wall, median of %d | %.2f ms (mean %.2f ms) |" % (a.startup_runs, med, mean),
        "| `iamsh` (REPL) to its first prompt on a terminal, median of 50 | %.1f ms (max %.1f ms) |"
        % (repl_med, repl_max),
        "| client CPU per IAM call (get_role, beyond start-up), median of 3 x %d | %.0f us |" % (a.calls, call_cpu),
        "| wall per IAM call against moto (server time included) | %.2f ms |" % call_wall,
        "| SageMaker set-up, empty account: client CPU / peak RSS / wall | %.1f ms / %.1f MB / %.2f s |"
        % (first[0] * 1000, first[1] / 1024, first[2]),
        "| SageMaker set-up, re-run (no change): client CPU / peak RSS | %.1f ms / %.1f MB |"
        % (again[0] * 1000, again[1] / 1024),
        "| for scale: python3 + `boto3.client('iam')`: CPU / peak RSS / wall | %.0f ms / %.1f MB / %.0f ms |"
        % (b_cpu * 1000, b_rss / 1024, b_wall * 1000),
        "",
    ]
    with open(a.report, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
