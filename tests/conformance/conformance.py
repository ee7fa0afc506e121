#!/usr/bin/env python3
"""The differential conformance suite: the same IAM and STS calls, sent by boto3 to
moto_server and to `iamsh serve` (endpoints.py), the results compared field by field.

    python3 tests/conformance/conformance.py [-k SUBSTRING] [-v]

Each case (cases.py) starts from an empty account on both sides and makes its calls
in order. A call's outcome is a result or an error; the two sides must agree, ids,
secrets, dates and markers normalised (and lists sorted where a call says so). Where
AWS is stricter than moto, the call carries `aws=` (what AWS answers, which the local
endpoint must answer) and `doc=` (the AWS documentation it follows): the divergence
is listed, and moto's answer is reported with it. Exit status 0 when every case
passes.
"""
import argparse
import datetime
import os
import re
import sys
import traceback

import botocore.exceptions
import botocore.parsers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402
from endpoints import Moto, Serve  # noqa: E402

# Values that differ by nature between two accounts: compared by their presence.
ID_KEYS = re.compile(r"^(RoleId|UserId|GroupId|PolicyId|InstanceProfileId|AccessKeyId|SecretAccessKey|SessionToken|"
                     r"Marker|DeletionTaskId|ServiceSpecificCredentialId|ServicePassword|SAMLProviderUUID)$")
ID_FORMS = {"RoleId": "AROA", "UserId": "AIDA", "GroupId": "AGPA", "PolicyId": "ANPA", "InstanceProfileId": "AIPA"}


def normalise(v, sort=None, key=""):
    """v with ids, secrets, dates and markers replaced and empty values dropped."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "ResponseMetadata" or (k == "IsTruncated" and x is False):
                continue  # moto leaves IsTruncated out when false
            if k == "PermissionsBoundaryUsageCount" and x == 0:
                continue  # and a policy's boundary count when 0
            n = normalise(x, sort, k)
            if n not in (None, [], {}):
                out[k] = n
        return out
    if isinstance(v, list):
        items = [normalise(x, sort, key) for x in v]
        by = (sort or {}).get(key)
        if by == "#":
            return "<%d items>" % len(items)
        if by:
            items.sort(key=lambda it: str(it.get(by) if isinstance(it, dict) and by != "." else it))
        return items
    if isinstance(v, datetime.datetime):
        return "<date>"
    if isinstance(v, str) and ID_KEYS.search(key):
        return "<%s>" % key
    if isinstance(v, str) and key == "AssumedRoleId":
        return "<id>:" + v.split(":", 1)[-1]
    return v


def check_ids(v, key="", problems=None):
    """The local side's unique ids look like AWS's (AROA..., 21 characters)."""
    problems = [] if problems is None else problems
    if isinstance(v, dict):
        for k, x in v.items():
            check_ids(x, k, problems)
    elif isinstance(v, list):
        for x in v:
            check_ids(x, key, problems)
    elif key in ID_FORMS and isinstance(v, str) and not (v.startswith(ID_FORMS[key]) and len(v) == 21):
        base = v.split(":")[0]  # a role session's: AROA...:session
        if not (key == "UserId" and (v.isdigit() or (base.startswith("AROA") and len(base) == 21))):
            problems.append("%s %s is not %s + 17 characters" % (key, v, ID_FORMS[key]))
    return problems


class Outcome:
    def __init__(self, result=None, code=None, message=None):
        self.result, self.code, self.message = result, code, message

    def show(self):
        if self.code:
            return "%s: %s" % (self.code, self.message)
        return repr(self.result)


def run_call(side, call, saved):
    params = call.resolve(saved[side.name])
    key = secret = token = None
    if call.as_:
        creds = call.as_.get(saved[side.name])
        key, secret = creds["AccessKeyId"], creds["SecretAccessKey"]
        token = creds.get("SessionToken")
    client = side.client(call.service, key, secret, token)
    try:
        res = getattr(client, call.op)(**params)
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        return Outcome(code=err.get("Code"), message=err.get("Message"))
    except (botocore.exceptions.BotoCoreError, botocore.parsers.ResponseParserError) as e:
        # moto answers an HTML 500 for what it has not implemented
        return Outcome(code="(%s fails)" % side.name, message=str(e).splitlines()[0])
    if call.save:
        saved[side.name][call.save] = res
    return Outcome(result=res)


def compare(call, moto, local):
    """Problems with the local outcome (a list of strings; empty when it passes)."""
    want = moto
    if call.aws is not None:
        want = call.aws
    if want.code or local.code:
        if want.code != local.code:
            return ["expected %s, got %s" % (want.show(), local.show())]
        if call.says is not None and call.says != local.message:
            return ["message: expected %r, got %r" % (call.says, local.message)]
        if (call.message or call.aws is not None) and want.message is not None and want.message != local.message:
            return ["message: expected %r, got %r" % (want.message, local.message)]
        return []
    problems = check_ids(local.result)
    if call.check and not call.check(local.result):
        problems.append("the local result fails the case's check: %r" % (normalise(local.result),))
    if call.local_only or (call.aws is not None and call.aws.result is None):
        return problems
    a, b = normalise(want.result, call.sort), normalise(local.result, call.sort)
    for k in call.ignore:
        a.pop(k, None)
        b.pop(k, None)
    if a != b:
        problems.append("results differ:\n      moto:  %r\n      iamsh: %r" % (a, b))
    return problems


def run_case(case, moto, local, verbose):
    saved = {"moto": {}, "iamsh": {}}
    moto.reset(full=run_case.messy, touched=run_case.touched)
    local.reset()
    run_case.messy, run_case.touched = case.messy, {c.op for c in case.calls}
    problems, notes = [], []
    for i, call in enumerate(case.calls, 1):
        m = run_call(moto, call, saved) if not call.local_only else Outcome()
        lo = run_call(local, call, saved)
        if verbose:
            print("    %d %s.%s\n      moto:  %s\n      iamsh: %s" % (i, call.service, call.op, m.show(), lo.show()))
        for p in compare(call, m, lo):
            problems.append("call %d (%s): %s" % (i, call.op, p))
        if call.aws is not None:
            notes.append("%s: AWS %s; moto %s%s" % (call.op, call.aws.show(), "cannot" if call.local_only else
                                                      m.show() if m.code else "succeeds",
                                                      " (moto now agrees)" if call.aws.code and m.code == call.aws.code
                                                      else ""))
    return problems, notes


run_case.messy, run_case.touched = False, set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", help="only cases whose name contains this")
    ap.add_argument("-v", action="store_true", help="show every call's outcomes")
    args = ap.parse_args()
    selected = [c for c in cases.CASES if not args.k or args.k in c.name]
    moto, local = Moto(), Serve()
    failed = 0
    divergences = []
    try:
        for case in selected:
            try:
                problems, notes = run_case(case, moto, local, args.v)
            except Exception:
                problems, notes = [traceback.format_exc()], []
            for n, c in zip(notes, case.divergent()):
                line = "%s: %s (%s)" % (case.name, n, c.doc)
                if line not in divergences:
                    divergences.append(line)
            if problems:
                failed += 1
                print("FAIL %s" % case.name)
                for p in problems:
                    print("    " + p)
            elif args.v:
                print("ok   %s" % case.name)
    finally:
        moto.close()
        local.close()
    print("\nIntended divergences (moto lenient or missing, AWS strict; moto authorizes nothing), %d:"
          % len(divergences))
    for d in divergences:
        print("  - " + d)
    calls = sum(len(c.calls) for c in selected)
    print("\n%d cases (%d calls): %d passed, %d failed" % (len(selected), calls, len(selected) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
