#!/usr/bin/env python3
"""N GetRole calls from one boto3 client in one process, for the benchmark's
per-call CPU (tests/bench/run); the endpoint comes from AWS_ENDPOINT_URL.

    getrole_boto3.py N ROLE_NAME
"""
import sys

import boto3

iam = boto3.client("iam")
for _ in range(int(sys.argv[1])):
    iam.get_role(RoleName=sys.argv[2])
