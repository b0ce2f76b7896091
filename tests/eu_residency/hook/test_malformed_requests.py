"""What the hook cannot judge is FAILED with InternalFailure and a one-line message; it never raises."""

from __future__ import annotations

import copy
import json
import socket
import sys
from collections.abc import Callable
from typing import Any

import pytest

from eu_residency.hook import handler
from eu_residency.hook.handler import PAYLOAD_LIMIT
from eu_residency.hook.settings import SETTINGS_VARIABLE
from tests.eu_residency.hook.events import TOKEN, change_set_event, resource_event, stack_event, stack_payload

Serve = Callable[[bytes], str]
QUEUE = resource_event("AWS::SQS::Queue", "Queue", {"SqsManagedSseEnabled": True})


def without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    place = changed
    for key in path[:-1]:
        place = place[key]
    del place[path[-1]]
    return changed


def with_value(event: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    place = changed
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return changed


def assert_internal_failure(answer: dict[str, Any], says: str, *, token: str | None = TOKEN) -> None:
    assert answer["hookStatus"] == "FAILED"
    assert answer["errorCode"] == "InternalFailure"
    assert answer.get("clientRequestToken") == token
    assert "\n" not in answer["message"]
    assert says in answer["message"]


MALFORMED = [
    (without(QUEUE, "requestData"), "requestData: expected an object"),
    (without(QUEUE, "requestData", "targetType"), "requestData.targetType"),
    (without(QUEUE, "requestData", "targetName"), "requestData.targetName"),
    (without(QUEUE, "requestData", "targetLogicalId"), "requestData.targetLogicalId"),
    (without(QUEUE, "requestData", "targetModel"), "requestData.targetModel"),
    (with_value(QUEUE, ["x"], "requestData", "targetModel", "resourceProperties"), "resourceProperties"),
    (without(QUEUE, "actionInvocationPoint"), "actionInvocationPoint"),
    (with_value(QUEUE, "POST_PROVISION", "actionInvocationPoint"), "actionInvocationPoint"),
    (without(QUEUE, "awsAccountId"), "awsAccountId"),
]


@pytest.mark.parametrize(("event", "says"), MALFORMED)
def test_a_request_missing_a_field_is_an_internal_failure(event: dict[str, Any], says: str) -> None:
    assert_internal_failure(handler(event, None), says)


def test_a_request_without_its_token_is_answered_without_one() -> None:
    assert_internal_failure(handler(without(QUEUE, "clientRequestToken"), None), "clientRequestToken", token=None)
    assert_internal_failure(handler(["not", "an", "object"], None), "expected a JSON object", token=None)


def test_the_token_as_the_stack_input_syntax_spells_it(serve: Serve) -> None:
    event = without(stack_event(serve(stack_payload({"Resources": {}}))), "clientRequestToken")
    event["clientRequesttoken"] = TOKEN
    assert handler(event, None)["clientRequestToken"] == TOKEN


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://127.0.0.1/payload", "expected an https URL"),
        ("http://example.com/payload", "expected an https URL"),
        ("", "expected the payload's URL"),
    ],
)
def test_a_payload_url_that_is_not_https_is_refused(url: str, says: str) -> None:
    assert_internal_failure(handler(stack_event(url), None), says)


def test_a_payload_that_cannot_be_fetched_is_an_internal_failure(serve: Serve) -> None:
    missing = serve(b"{}").replace("/payload-0", "/missing")
    answer = handler(stack_event(missing), None)
    assert_internal_failure(answer, "payload: could not be fetched (HTTP 404)")
    assert "X-Amz-Signature" not in answer["message"]  # the presigned URL grants access: never repeated
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert_internal_failure(handler(stack_event(f"http://127.0.0.1:{port}/p"), None), "could not be fetched")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<Error>AccessDenied</Error>", "payload: not JSON"),
        (b"[]", "payload: expected a JSON object"),
        (json.dumps({"template": '{"Resources": '}).encode(), "payload: template: not JSON"),
        (json.dumps({"template": "[1]"}).encode(), "payload: template"),
        (json.dumps({"template": 3}).encode(), "payload: template: expected a string"),
        (b" " * (PAYLOAD_LIMIT + 1), "payload: larger than 4 MB"),
    ],
)
def test_a_bad_stack_payload_is_an_internal_failure(serve: Serve, body: bytes, says: str) -> None:
    assert_internal_failure(handler(stack_event(serve(body)), None), says)


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"template": ""}, "payload.changedResources: expected a list"),
        ({"changedResources": ["x"]}, "changedResources[0]: expected an object"),
        (
            {"changedResources": [{"action": "CREATE", "resourceType": "AWS::SQS::Queue", "afterContext": "{}"}]},
            "changedResources[0].logicalResourceId",
        ),
        (
            {
                "changedResources": [
                    {
                        "action": "CREATE",
                        "logicalResourceId": "Q",
                        "resourceType": "AWS::SQS::Queue",
                        "afterContext": "{",
                    }
                ]
            },
            "changedResources[0].afterContext: not JSON",
        ),
    ],
)
def test_a_bad_change_set_payload_is_an_internal_failure(serve: Serve, payload: dict[str, Any], says: str) -> None:
    assert_internal_failure(handler(change_set_event(serve(json.dumps(payload).encode())), None), says)


def test_bad_settings_are_an_internal_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTINGS_VARIABLE, '{"allowed_regions": ["us-east-1"]}')
    assert_internal_failure(handler(QUEUE, None), "settings: ")


def test_any_fault_is_an_internal_failure_naming_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    module = sys.modules["eu_residency.hook.handler"]

    def broken(*_: Any, **__: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(module, "check_view", broken)
    assert_internal_failure(handler(QUEUE, None), "the hook failed (KeyError: 'boom')")
