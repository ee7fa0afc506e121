"""Conformance cases: policies, attachments, keys, profiles, providers."""
CASES_B = []
