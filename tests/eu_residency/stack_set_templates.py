"""A StackSet resource for the tests of StackSet instances: one body (a bucket without a TLS-only policy), the
regions given."""

from __future__ import annotations

import json
from typing import Any

PLAIN_BUCKET_BODY = json.dumps({"Resources": {"Attachments": {"Type": "AWS::S3::Bucket"}}})


def stack_set_resource(regions: Any, path: str | None = None) -> dict[str, Any]:
    """An AWS::CloudFormation::StackSet deploying PLAIN_BUCKET_BODY to ``regions``; ``path`` is the
    construct path CDK would record on it (``aws:cdk:path``), when given."""
    resource: dict[str, Any] = {
        "Type": "AWS::CloudFormation::StackSet",
        "Properties": {
            "StackSetName": "chat",
            "PermissionModel": "SELF_MANAGED",
            "TemplateBody": PLAIN_BUCKET_BODY,
            "StackInstancesGroup": [{"DeploymentTargets": {"Accounts": ["123456789012"]}, "Regions": regions}],
        },
    }
    if path is not None:
        resource["Metadata"] = {"aws:cdk:path": path}
    return resource
