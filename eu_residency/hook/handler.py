"""The CloudFormation Lambda hook's handler: the rule core judging resource, stack and change-set operations at
deploy time, answering as the Hooks user guide documents. Standard library and the rule core only.

The request and response shapes are those of "Create Lambda functions to evaluate resources for Lambda Hooks"
(https://docs.aws.amazon.com/cloudformation-cli/latest/hooks-userguide/lambda-hooks-create-lambda-function.html).
The package exports ``handler`` under this module's name, so read this module as
``sys.modules["eu_residency.hook.handler"]`` (``import eu_residency.hook.handler as m`` yields the function).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eu_residency.core.acknowledgements import MetadataAcknowledgement, template_acknowledgement
from eu_residency.core.rule_model import Finding, Rule, Severity, Violation
from eu_residency.core.settings import RuleSettings
from eu_residency.core.template_view import Resource, TemplateView
from eu_residency.hook.settings import settings_from_environment
from eu_residency.rules.engine import TemplateInput, active_rules, check_templates, check_view
from eu_residency.rules.registry import RULES

LOG = logging.getLogger(__name__)

# What the request says (user guide, "Lambda Hook ... input syntax").
STACK_TARGET = "STACK"
CHANGE_SET_TARGET = "CHANGE_SET"
CREATE, UPDATE, DELETE = "CREATE_PRE_PROVISION", "UPDATE_PRE_PROVISION", "DELETE_PRE_PROVISION"
INVOCATION_POINTS = (CREATE, UPDATE, DELETE)
# A change set's changedResources[].action: the guide documents CREATE | UPDATE | DELETE; the API's ResourceAction
# words (Add | Modify | Remove) are read the same way.
REMOVED_ACTIONS = frozenset({"DELETE", "Remove"})

# What the answer may hold (user guide, "Response input"; the API's Annotation type for the field lengths:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Annotation.html).
MESSAGE_LIMIT = 4096  # CloudFormation truncates the message there
ANNOTATION_NAME_LIMIT = 1024
ANNOTATION_TEXT_LIMIT = 16384  # statusMessage and remediationMessage
# No documented cap on the number of annotations: ours, to keep the answer small (failed ones come first).
MAX_ANNOTATIONS = 100
SEVERITY_LEVELS = {Severity.FATAL: "CRITICAL", Severity.ERROR: "HIGH"}

# The stack payload: a JSON object with the template and the previous one, each up to 1 MB (CloudFormation's limit
# for a template in S3), so a few MB at most. The hook waits 30 seconds for the function: the fetch must be done
# well inside that.
PAYLOAD_LIMIT = 4 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})

# Rules the hook does not run: EU-RES-002 fails a nested stack whose template is not checked with its parent; at
# deploy time the nested stack is a stack operation of its own, where the hook checks its template.
NOT_RUN_BY_THE_HOOK = frozenset({"EU-RES-002"})
HOOK_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule.id not in NOT_RUN_BY_THE_HOOK)

# The function carries no third-party package, so no YAML reader: a template it cannot read is not shown to keep
# the policy, and fails closed (WARN mode lets it through with the warning).
YAML_NOT_READ = (
    "the template is YAML, which this hook's dependency-free function does not read, so it cannot show that the "
    "stack keeps the policy: deploy it as JSON (cfn-flip, or rain fmt --json), or run the hook in WARN mode"
)


class RequestError(Exception):
    """A request the hook cannot judge (or settings it cannot judge by): answered InternalFailure, in one line."""


@functools.cache
def cold_start_settings() -> RuleSettings:
    """The function's settings, read from its environment once per cold start (``cache_clear`` to read again)."""
    return settings_from_environment(os.environ)


@dataclass(frozen=True)
class Judged:
    """A finding as the hook answers it: open (fails the hook), acknowledged, or left to the stack operation."""

    finding: Finding
    acknowledgement: MetadataAcknowledgement | None = None
    # Found in a one-resource template by a rule that reads the rest of the stack's template: not judged here.
    deferred: bool = False

    @property
    def open(self) -> bool:
        return self.acknowledgement is None and not self.deferred


def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda handler (``eu_residency.hook.handler``): never raises; what it cannot judge is InternalFailure."""
    token = _token(event)
    try:
        return _answer(event, token)
    except RequestError as error:
        return _internal_failure(token, f"the hook could not judge this request: {error}")
    except Exception as error:  # the hook must answer: any fault is an InternalFailure that names its type
        LOG.exception("the hook failed on this request")
        return _internal_failure(token, f"the hook failed ({type(error).__name__}: {error})")


def _answer(event: Any, token: str | None) -> dict[str, Any]:
    if not isinstance(event, Mapping):
        raise RequestError(f"request: expected a JSON object, got {type(event).__name__}")
    if token is None:
        raise RequestError("request: clientRequestToken is missing")
    request = _mapping(event, "requestData")
    target_type = _text(request, "targetType", "requestData.targetType")
    point = event.get("actionInvocationPoint")
    if target_type != CHANGE_SET_TARGET and point not in INVOCATION_POINTS:
        raise RequestError(f"actionInvocationPoint: expected one of {', '.join(INVOCATION_POINTS)}")
    if point == DELETE:
        return _response(token, [], "nothing to judge: the operation deletes")
    try:
        settings = cold_start_settings()
    except ValueError as error:
        raise RequestError(f"settings: {error}") from None
    account = _text(event, "awsAccountId", "awsAccountId")
    region = _region(event)
    if target_type == STACK_TARGET:
        return _stack_operation(token, request, region, account, settings)
    if target_type == CHANGE_SET_TARGET:
        return _change_set_operation(token, request, region, account, settings)
    resource_type = _text(request, "targetName", "requestData.targetName")
    logical_id = _text(request, "targetLogicalId", "requestData.targetLogicalId")
    model = _mapping(request, "targetModel", "requestData.targetModel")
    properties = _properties(model.get("resourceProperties"), "requestData.targetModel.resourceProperties")
    # In a stack, the stack operation reads the resource's Metadata, and its acknowledgements, which this request
    # does not carry: errors are judged there; a fatal finding, which no acknowledgement can accept, stands here.
    # A Cloud Control request has no stack, and no acknowledgement to read: every finding stands.
    in_stack = bool(event.get("stackId"))
    judged = judge_resource(
        logical_id,
        resource_type,
        properties,
        metadata=None,
        region=region,
        account=account,
        settings=settings,
        errors_at_stack_operation=in_stack,
    )
    return _response(token, judged, f"no finding on this {resource_type}")


def _stack_operation(
    token: str, request: Mapping[str, Any], region: str, account: str, settings: RuleSettings
) -> dict[str, Any]:
    """Every rule over the stack's template, with the acknowledgements its Metadata holds."""
    stack_name = _text(request, "targetLogicalId", "requestData.targetLogicalId")
    payload = fetch_payload(request.get("payload"))
    text = payload.get("template")
    if text is None or text == "":
        return _response(token, [], "nothing to judge: the payload holds no template")
    template = _json_template(text)
    if template is None:
        raise RequestError(YAML_NOT_READ)
    findings = check_templates(
        [TemplateInput(name=stack_name, template=template, region=region, account=account, stack_name=stack_name)],
        settings,
        HOOK_RULES,
    )[stack_name]
    judged = [Judged(finding, template_acknowledgement(template, finding)) for finding in findings]
    return _response(token, judged, "no finding in the stack's template")


def _change_set_operation(
    token: str, request: Mapping[str, Any], region: str, account: str, settings: RuleSettings
) -> dict[str, Any]:
    """Each resource the change set adds or modifies, judged as at its resource operation; acknowledgements from
    its Metadata in the change (or in the change set's template, when that is JSON)."""
    payload = fetch_payload(request.get("payload"))
    changes = payload.get("changedResources")
    if not isinstance(changes, list):
        raise RequestError("payload.changedResources: expected a list")
    text = payload.get("template")
    template = _json_template(text) if isinstance(text, str) and text else None
    judged: list[Judged] = []
    for index, change in enumerate(changes):
        where = f"payload.changedResources[{index}]"
        if not isinstance(change, Mapping):
            raise RequestError(f"{where}: expected an object")
        if change.get("action") in REMOVED_ACTIONS or change.get("afterContext") is None:
            continue  # a resource the change set removes: nothing is left to judge
        logical_id = _text(change, "logicalResourceId", f"{where}.logicalResourceId")
        resource_type = _text(change, "resourceType", f"{where}.resourceType")
        after = _json_object(change.get("afterContext"), f"{where}.afterContext")
        properties = _properties(after.get("Properties"), f"{where}.afterContext.Properties")
        metadata = after.get("Metadata")
        if metadata is None and template is not None:
            metadata = _resource_metadata(template, logical_id)
        judged += judge_resource(
            logical_id, resource_type, properties, metadata=metadata, region=region, account=account, settings=settings
        )
    return _response(token, judged, f"no finding on the {len(changes)} changed resource(s)")


# -- one resource ------------------------------------------------------------------------------------------------


@dataclass
class OneResourceView(TemplateView):
    """The template of one resource, noting whether a rule read the rest of the template (other resources, or an
    index over them): what it misses there may well be in the stack's template, which a resource operation does
    not carry."""

    read_beyond: bool = False

    def resources(self) -> Any:
        self.read_beyond = True
        return super().resources()

    def resources_of_type(self, resource_type: str) -> Any:
        self.read_beyond = True
        return super().resources_of_type(resource_type)

    def resource(self, logical_id: str) -> Resource | None:
        found = super().resource(logical_id)
        if found is None or found is not self._all[0]:  # any resource but the one judged
            self.read_beyond = True
        return found

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        self.read_beyond = True
        return super().memo(key, compute)


def judge_resource(
    logical_id: str,
    resource_type: str,
    properties: Mapping[str, Any],
    *,
    metadata: Any,
    region: str,
    account: str,
    settings: RuleSettings,
    errors_at_stack_operation: bool = False,
) -> list[Judged]:
    """The findings of the rules for ``resource_type`` on one resource, in a template of its own. A finding short
    of fatal from a rule that read the rest of the template is left to the stack operation, where the whole
    template is; a fatal one (proven) stands."""
    body: dict[str, Any] = {"Type": resource_type, "Properties": dict(properties)}
    if isinstance(metadata, Mapping):
        body["Metadata"] = dict(metadata)
    template = {"Resources": {logical_id: body}}
    view = OneResourceView(template=template, region=region, settings=settings, account=account, name=logical_id)
    read_beyond: set[str] = set()
    rules = [
        _noting_reads(rule, view, read_beyond)
        for rule in active_rules(settings, HOOK_RULES)
        if rule.check_resource is not None and rule.applies_to(resource_type)
    ]
    return [
        Judged(
            finding,
            template_acknowledgement(template, finding),
            deferred=(finding.rule_id in read_beyond or errors_at_stack_operation)
            and finding.severity is not Severity.FATAL,
        )
        for finding in check_view(view, rules)
    ]


def _noting_reads(rule: Rule, view: OneResourceView, read_beyond: set[str]) -> Rule:
    """``rule``, noting in ``read_beyond`` whether its check read the rest of the template."""
    check = rule.check_resource
    assert check is not None

    def noted(resource: Resource, seen: TemplateView) -> list[Violation]:
        view.read_beyond = False
        violations = list(check(resource, seen))
        if view.read_beyond:
            read_beyond.add(rule.id)
        return violations

    return replace(rule, check_resource=noted)


# -- the answer --------------------------------------------------------------------------------------------------


def _response(token: str, judged: Sequence[Judged], compliant: str) -> dict[str, Any]:
    """SUCCESS, or FAILED NonCompliant with the open findings most severe first; annotations for every finding."""
    ordered = sorted(judged, key=lambda item: (item.finding.severity is not Severity.FATAL, not item.open))
    failing = [item.finding for item in ordered if item.open]
    answer: dict[str, Any] = {"hookStatus": "SUCCESS", "clientRequestToken": token}
    if failing:
        answer |= {"hookStatus": "FAILED", "errorCode": "NonCompliant", "message": findings_message(failing)}
    else:
        answer["message"] = _cut(_success_message(compliant, judged), MESSAGE_LIMIT)
    if ordered:
        failed_first = [item for item in ordered if item.open] + [item for item in ordered if not item.open]
        answer["annotations"] = [annotation(item) for item in failed_first[:MAX_ANNOTATIONS]]
    return answer


def _success_message(compliant: str, judged: Sequence[Judged]) -> str:
    acknowledged = sum(1 for item in judged if item.acknowledgement is not None)
    deferred = sum(1 for item in judged if item.deferred and item.acknowledgement is None)
    if not acknowledged and not deferred:
        return compliant
    parts = [f"{acknowledged} acknowledged"] if acknowledged else []
    if deferred:
        parts.append(f"{deferred} left to the stack operation, which reads the whole template")
    return f"no open finding: {', '.join(parts)} (see the annotations)"


def finding_line(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.logical_id or '(template)'}: {finding.message}"


def findings_message(findings: Sequence[Finding]) -> str:
    """The findings one a line, within MESSAGE_LIMIT; when they do not fit, as many as do and how many more."""
    lines = [finding_line(finding) for finding in findings]
    text = "\n".join(lines)
    if len(text) <= MESSAGE_LIMIT:
        return text
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        cost = used + (1 if kept else 0) + len(line)
        if cost + len(_more(len(lines) - index - 1)) > MESSAGE_LIMIT:
            break
        kept.append(line)
        used = cost
    if not kept:  # one finding longer than the limit on its own
        suffix = _more(len(lines) - 1)
        return _cut(lines[0], MESSAGE_LIMIT - len(suffix)) + suffix
    return "\n".join(kept) + _more(len(lines) - len(kept))


def _more(count: int) -> str:
    return f"\n... and {count} more finding{'' if count == 1 else 's'}" if count else ""


def annotation(item: Judged) -> dict[str, str]:
    """One finding as an annotation: FAILED when open; PASSED when acknowledged (a reviewer accepted it, with a
    reason: the documented values are PASSED, FAILED and SKIPPED); SKIPPED when left to the stack operation."""
    finding = item.finding
    if item.acknowledgement is not None:
        status = "PASSED"
        said = f"acknowledged in its {item.acknowledgement.source} ({item.acknowledgement.reason}): {finding.message}"
    elif item.deferred:
        status = "SKIPPED"
        said = (
            "judged at the stack operation, which reads the whole template and the acknowledgements in its Metadata "
            f"(this request carries neither); this resource alone shows: {finding.message}"
        )
    else:
        status = "FAILED"
        said = finding.message
    return {
        "annotationName": _cut(finding.rule_id, ANNOTATION_NAME_LIMIT),
        "status": status,
        "statusMessage": _cut(f"{finding.location}: {said}", ANNOTATION_TEXT_LIMIT),
        "remediationMessage": _cut(finding.fix, ANNOTATION_TEXT_LIMIT),
        "severityLevel": SEVERITY_LEVELS[finding.severity],
    }


def _internal_failure(token: str | None, message: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "hookStatus": "FAILED",
        "errorCode": "InternalFailure",
        "message": _cut(" ".join(message.split()), MESSAGE_LIMIT),
    }
    if token is not None:
        answer["clientRequestToken"] = token
    return answer


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- reading the request -----------------------------------------------------------------------------------------


def _token(event: Any) -> str | None:
    """The request's token; the guide's input syntax spells it ``clientRequesttoken``, its examples
    ``clientRequestToken``."""
    if not isinstance(event, Mapping):
        return None
    token = event.get("clientRequestToken", event.get("clientRequesttoken"))
    return token if isinstance(token, str) and token else None


def _region(event: Mapping[str, Any]) -> str:
    """Where the stack deploys: the region of its stack ARN, else the function's own (the hook is activated per
    region, so the two are one; a Cloud Control API request has no stack)."""
    stack_id = event.get("stackId", event.get("stackID"))
    fields = stack_id.split(":") if isinstance(stack_id, str) else []
    if len(fields) > 3 and fields[0] == "arn" and fields[3]:
        return fields[3]
    region = os.environ.get("AWS_REGION")
    if not region:
        raise RequestError("no region: stackId is not a stack ARN and AWS_REGION is not set")
    return region


def _mapping(source: Mapping[str, Any], key: str, name: str | None = None) -> Mapping[str, Any]:
    value = source.get(key)
    if not isinstance(value, Mapping):
        raise RequestError(f"{name or key}: expected an object")
    return value


def _text(source: Mapping[str, Any], key: str, name: str) -> str:
    value = source.get(key)
    if not isinstance(value, str) or not value:
        raise RequestError(f"{name}: expected a non-empty string")
    return value


def _properties(value: Any, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RequestError(f"{name}: expected an object")
    return value


def _json_object(text: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(text, str):
        raise RequestError(f"{name}: expected a JSON string")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(f"{name}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(value, Mapping):
        raise RequestError(f"{name}: expected a JSON object")
    return value


def _json_template(text: Any) -> dict[str, Any] | None:
    """The template, when it is JSON; None when it is YAML (which the standard library cannot read). Text that
    parses as JSON but is no object, or that opens a JSON object (a brace) and does not parse, is a request error."""
    if not isinstance(text, str):
        raise RequestError("payload: template: expected a string")
    try:
        template = json.loads(text)
    except json.JSONDecodeError as error:
        if text.lstrip().startswith("{"):
            raise RequestError(f"payload: template: not JSON ({error.msg} at line {error.lineno})") from None
        return None
    if not isinstance(template, dict):
        raise RequestError("payload: template: expected a JSON object")
    return template


def _resource_metadata(template: Mapping[str, Any], logical_id: str) -> Any:
    resources = template.get("Resources")
    resource = resources.get(logical_id) if isinstance(resources, Mapping) else None
    return resource.get("Metadata") if isinstance(resource, Mapping) else None


def fetch_payload(url: Any) -> Mapping[str, Any]:
    """The JSON object at the request's presigned payload URL (https; http on loopback, for tests). The URL is
    never repeated in a message: it grants read access to the template until it expires."""
    if not isinstance(url, str) or not url:
        raise RequestError("requestData.payload: expected the payload's URL")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        raise RequestError(f"requestData.payload: expected an https URL, got scheme {parts.scheme!r}")
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            body = response.read(PAYLOAD_LIMIT + 1)
    except urllib.error.HTTPError as error:
        raise RequestError(f"payload: could not be fetched (HTTP {error.code})") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or type(error).__name__
        raise RequestError(f"payload: could not be fetched ({reason})") from None
    if len(body) > PAYLOAD_LIMIT:
        raise RequestError(f"payload: larger than {PAYLOAD_LIMIT // (1024 * 1024)} MB")
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestError("payload: not JSON") from None
    if not isinstance(payload, Mapping):
        raise RequestError("payload: expected a JSON object")
    return payload


__all__ = ["Judged", "RequestError", "cold_start_settings", "handler", "judge_resource"]
