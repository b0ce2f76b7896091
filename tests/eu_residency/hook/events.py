"""Events shaped as the Hooks user guide documents them ("Create Lambda functions to evaluate resources for Lambda
Hooks"), for the handler's tests and the benchmark."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
STACK_ID = f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/MyStack/1a2345b6-0000-00a0-a123-00abc0abc000"
CHANGE_SET_ID = f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:changeSet/SampleChangeSet/1a2345b6-0000-00a0-a123"
TOKEN = "f8da6d11-b23f-48f4-814c-0fb6a667f50e"
HOOK_MODEL = {"LambdaFunction": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:MyFunction"}


def resource_event(
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any] | None,
    *,
    point: str = "CREATE_PRE_PROVISION",
    previous: dict[str, Any] | None = None,
    stack_id: str | None = STACK_ID,
) -> dict[str, Any]:
    """A resource operation ("Lambda Hook resource input syntax"); ``stack_id`` None: a Cloud Control API request,
    which belongs to no stack."""
    return {
        "clientRequestToken": TOKEN,
        "awsAccountId": ACCOUNT,
        "stackId": stack_id,
        "changeSetId": None,
        "hookTypeName": "EuResidency::Lambda::Hook",
        "hookTypeVersion": "00000001",
        "hookModel": HOOK_MODEL,
        "actionInvocationPoint": point,
        "requestData": {
            "targetName": resource_type,
            "targetType": resource_type,
            "targetLogicalId": logical_id,
            "targetModel": {"resourceProperties": properties, "previousResourceProperties": previous},
        },
        "requestContext": {"invocation": 1, "callbackContext": None},
    }


def stack_event(payload_url: str, *, point: str = "CREATE_PRE_PROVISION") -> dict[str, Any]:
    """A stack operation ("Lambda Hook stack input syntax")."""
    return {
        "clientRequestToken": TOKEN,
        "awsAccountId": ACCOUNT,
        "stackId": STACK_ID,
        "changeSetId": None,
        "hookTypeName": "EuResidency::Lambda::Hook",
        "hookTypeVersion": "00000001",
        "hookModel": HOOK_MODEL,
        "actionInvocationPoint": point,
        "requestData": {
            "targetName": "STACK",
            "targetType": "STACK",
            "targetLogicalId": "my-cloudformation-stack",
            "payload": payload_url,
        },
        "requestContext": {"invocation": 1, "callbackContext": None},
    }


def change_set_event(payload_url: str) -> dict[str, Any]:
    """A change-set operation ("Lambda Hook change set input syntax")."""
    return {
        "clientRequestToken": TOKEN,
        "awsAccountId": ACCOUNT,
        "stackId": STACK_ID,
        "changeSetId": CHANGE_SET_ID,
        "hookTypeName": "EuResidency::Lambda::Hook",
        "hookTypeVersion": "00000001",
        "hookModel": HOOK_MODEL,
        "actionInvocationPoint": "CREATE_PRE_PROVISION",
        "requestData": {
            "targetName": "CHANGE_SET",
            "targetType": "CHANGE_SET",
            "targetLogicalId": CHANGE_SET_ID,
            "payload": payload_url,
        },
        "requestContext": {"invocation": 1, "callbackContext": None},
    }


def stack_payload(template: dict[str, Any] | str, previous: str = "") -> bytes:
    """What the presigned URL of a stack operation returns: the template and the previous one, as strings."""
    text = template if isinstance(template, str) else json.dumps(template)
    return json.dumps({"template": text, "previousTemplate": previous}).encode()
