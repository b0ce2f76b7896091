"""The product's name and version, as every output (SARIF, the review pack, the CDK plugin) reports them."""

from __future__ import annotations

from functools import cache
from importlib import metadata

TOOL_NAME = "eu-residency"
UNKNOWN_VERSION = "0.0.0"  # run from a source tree that was never installed


@cache
def tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION
