#!/usr/bin/env python3
"""Resolve a profile's credentials with botocore, set up as the AWS CLI sets it up.

    botocore_creds.py [--no-cache] PROFILE

Prints the access key id (one line). The assume-role and SSO providers get the AWS
CLI's JSONFileCache (~/.aws/cli/cache), as awscli/customizations/assumerole.py and
customizations/sso do, so this reads and writes the same cache entries as `aws`
(with --no-cache, botocore's own in-memory cache: every answer is fetched). An
MFA prompt is refused (exit 3): a profile with mfa_serial must come from the cache.
Endpoints come from the environment (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO, ...).
"""
import os
import sys

import botocore.session
from botocore.credentials import JSONFileCache

CLI_CACHE = os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))


def no_prompt(prompt):
    sys.stderr.write("botocore asked: %s\n" % prompt)
    sys.exit(3)


def main():
    args = sys.argv[1:]
    cached = args[0] != "--no-cache"
    session = botocore.session.Session(profile=args[-1])
    chain = session.get_component("credential_provider")
    role = chain.get_provider("assume-role")
    role._prompter = no_prompt
    if cached:
        role.cache = JSONFileCache(CLI_CACHE)
        chain.get_provider("sso").cache = JSONFileCache(CLI_CACHE)
    creds = session.get_credentials()
    if creds is None:
        sys.stderr.write("no credentials\n")
        return 1
    print(creds.get_frozen_credentials().access_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
