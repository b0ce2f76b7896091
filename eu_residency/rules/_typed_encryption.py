"""An encryption setting that is an object whose type property says how data is encrypted (Kinesis
StreamEncryption, Firehose's DeliveryStreamEncryptionConfigurationInput, ECR's EncryptionConfiguration),
read through every branch of both levels, failing closed on what the template does not decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from eu_residency.core.rule_model import PropertyPath, Violation
from eu_residency.core.template_view import TemplateView, Unknown
from eu_residency.core.values import MISSING, descend, values_at
from eu_residency.rules._kms_keys import one_verdict
from eu_residency.rules.predicates import prop_path, unresolved

TypeJudge = Callable[[Any, Any], Iterable[Violation]]


def typed_encryption_violations(
    view: TemplateView,
    properties: Mapping[str, Any],
    block: PropertyPath,
    type_key: str,
    *,
    what: str,
    type_what: str,
    missing: str,
    judge_type: TypeJudge,
) -> Iterator[Violation]:
    """Why the encryption object at ``block`` (under Properties) falls short: ``missing`` where it is absent;
    otherwise ``judge_type(settings, kind)`` for each type ``settings.<type_key>`` may take (MISSING when it
    is not set). ``what`` and ``type_what`` name the object and its type where the template does not decide
    them; where only some branches of an undecided Fn::If fall short, one finding fails closed at that level.
    """
    type_path: PropertyPath = (*block, type_key)

    def judge_settings(settings: Any) -> Iterator[Violation]:
        if settings is MISSING:
            yield Violation(prop_path(*block), missing)
        elif isinstance(settings, Unknown):
            yield unresolved(block, what, settings)
        else:
            yield from one_verdict(
                type_path, type_what, descend(settings, (type_key,)), lambda kind: judge_kind(settings, kind)
            )

    def judge_kind(settings: Any, kind: Any) -> Iterator[Violation]:
        if isinstance(kind, Unknown):
            yield unresolved(type_path, type_what, kind)
        else:
            yield from judge_type(settings, kind)

    yield from one_verdict(block, what, values_at(view, properties, block), judge_settings)
