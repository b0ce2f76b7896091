"""``eu-residency audit``: a read-only audit of a live AWS account with boto3.

It lists the data stores of every enabled region (not only the allowed ones: the point is to find what
lives elsewhere), reports with the template rules' ids what breaks the residency, encryption and retention
rules, and says exactly which regions and services it examined and which it could not, and why.
"""

from __future__ import annotations

from typing import Any

from constructs_lib.audit.errors import AuditError, AuditOptionError, AuditUnavailableError
from constructs_lib.audit.model import AuditFinding, AuditReport, Coverage, InventoryItem


def __getattr__(name: str) -> Any:
    """``run_audit`` loads boto3; the review pack reads audit files without it."""
    if name == "run_audit":
        from constructs_lib.audit.runner import run_audit  # noqa: PLC0415

        return run_audit
    raise AttributeError(f"module 'constructs_lib.audit' has no attribute {name!r}")


__all__ = [
    "AuditError",
    "AuditFinding",
    "AuditOptionError",
    "AuditReport",
    "AuditUnavailableError",
    "Coverage",
    "InventoryItem",
    "run_audit",
]
