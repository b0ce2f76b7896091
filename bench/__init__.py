"""Benchmarks: what the guardrails cost and how they scale (make bench; not part of the test command)."""
