"""Conformance cases: the account, STS, authorization."""
CASES_C = []
