#!/usr/bin/env python3
"""SigV4 signatures per CPU second with botocore's signer, for the benchmark
(tests/bench/run): SigV4Auth.add_auth on an AWSRequest, as botocore signs every
request (it reads the clock for each signature too).

    sigv4_botocore.py N BODY

Signs a POST of BODY to IAM N times and prints "N CPU_SECONDS"
(time.process_time: this process's CPU).
"""
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

n, body = int(sys.argv[1]), sys.argv[2]
auth = SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "iam", "us-east-1")
request = AWSRequest(method="POST", url="https://iam.amazonaws.com/", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
auth.add_auth(request)
t0 = time.process_time()
for _ in range(n):
    auth.add_auth(request)   # replaces the previous Authorization and X-Amz-Date
print(n, time.process_time() - t0)
