"""The security policies of API Gateway custom domain names, shared by EU-ENC-057 and EU-ENC-058: which
refuse TLS 1.0 and 1.1, and how a policy written in a template is judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from eu_residency.core.rule_model import PropertyPath, Violation
from eu_residency.core.template_view import Unknown
from eu_residency.rules.predicates import prop_path, unresolved

LEGACY_TLS12 = "TLS_1_2"
LEGACY_TLS10 = "TLS_1_0"
# The enhanced policies (2025): SecurityPolicy_TLS13_1_3_*, SecurityPolicy_TLS13_1_2_* (TLS 1.3 and 1.2),
# SecurityPolicy_TLS12_* and SecurityPolicy_TLS13_<year>_EDGE; every one refuses TLS 1.0 and 1.1.
_ENHANCED_TLS12 = re.compile(r"^SecurityPolicy_(?:TLS13_1_[23]_\w+|TLS12_\w+|TLS13_\d{4}_EDGE)$")


def refuses_old_tls(policy: str) -> bool:
    return policy == LEGACY_TLS12 or _ENHANCED_TLS12.match(policy) is not None


def policy_violations(policies: list[str | Unknown | None], path: PropertyPath, whose: str) -> Iterator[Violation]:
    """The verdict on each value a SecurityPolicy may take; None (not set) is TLS_1_2, API Gateway's default
    for custom domain names."""
    for policy in policies:
        if isinstance(policy, Unknown):
            yield unresolved(path, f"{whose} TLS security policy", policy)
        elif policy == LEGACY_TLS10:
            yield Violation(
                prop_path(*path),
                f"{whose} SecurityPolicy is {LEGACY_TLS10}, so clients may still connect with TLS 1.0 and 1.1",
            )
        elif policy is not None and not refuses_old_tls(policy):
            yield Violation(
                prop_path(*path),
                f"{whose} SecurityPolicy {policy} is not one of API Gateway's TLS 1.2+ policies",
            )
