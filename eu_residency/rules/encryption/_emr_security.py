"""What an EMR security configuration says about encryption in transit, read once for EU-ENC-062 (the
configuration) and EU-ENC-063 (the cluster that names it). Its document is JSON, written as an object or as
a JSON string; either way it is read through the resolver and fails closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from eu_residency.core.resolved import Cause, Text
from eu_residency.core.rule_model import Violation
from eu_residency.core.template_view import Resource, TemplateView, Unknown, options
from eu_residency.core.values import MISSING, descend
from eu_residency.rules.predicates import judge_true, unresolved

SECURITY_CONFIGURATION = "AWS::EMR::SecurityConfiguration"
DOCUMENT = "SecurityConfiguration"
IN_TRANSIT = ("EncryptionConfiguration", "EnableInTransitEncryption")
WHAT = "encryption in transit"
NOT_SET = (
    "encryption in transit is not turned on (EncryptionConfiguration.EnableInTransitEncryption is not set), "
    "so the cluster's nodes and applications exchange data in plain text"
)


def in_transit_violations(configuration: Resource, view: TemplateView) -> Iterator[Violation]:
    """Why the security configuration does not turn on encryption in transit (nothing when it does)."""
    for option in options(view.resolve(configuration.properties.get(DOCUMENT, MISSING))):
        if option is MISSING:
            continue  # the document is required: a configuration without one does not deploy
        document = _document(option)
        if isinstance(document, Unknown):
            yield unresolved((DOCUMENT,), "the security configuration's encryption in transit", document)
        else:
            values = descend(document, IN_TRANSIT)
            yield from judge_true(view, values, (DOCUMENT, *IN_TRANSIT), WHAT, absent=NOT_SET)


def _document(option: Any) -> Mapping[str, Any] | Unknown:
    """The configuration's document: the object itself, or the object a JSON string holds."""
    if isinstance(option, Mapping):
        return option
    if isinstance(option, Text):  # a JSON text built around deploy-time values: name the first, not the text
        return Unknown(f"a JSON text with a part known only at deploy time, {option.holes[0].reason}", Cause.TEXT)
    if isinstance(option, Unknown):
        return option
    if isinstance(option, str):
        try:
            parsed = json.loads(option)
        except ValueError:
            return Unknown("a SecurityConfiguration text that is not JSON", Cause.MALFORMED)
        if isinstance(parsed, Mapping):
            return parsed
    return Unknown("a SecurityConfiguration that is not a JSON object", Cause.MALFORMED)
