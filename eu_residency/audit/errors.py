"""The audit's own errors: each is one line for the command to print before it exits 2."""

from __future__ import annotations


class AuditError(Exception):
    """The audit could not run at all: a bad option, no credentials, an invalid profile, no endpoint."""


class AuditOptionError(AuditError):
    """A bad option value (``--regions``)."""


class AuditUnavailableError(AuditError):
    """Nothing could be audited: no credentials, an invalid profile, an unreachable endpoint."""
