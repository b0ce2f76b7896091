"""The rule core as a CloudFormation Lambda hook: the handler and what it is configured with.

The function's handler string is ``eu_residency.hook.handler``; importing the package loads the handler and the
rule core it runs, nothing else (no YAML, no boto3: see the import-linter contract in pyproject.toml).
"""

from eu_residency.hook.handler import handler

__all__ = ["handler"]
