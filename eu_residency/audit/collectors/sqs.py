"""SQS: queues and their encryption at rest (EU-RES-001, EU-ENC-021)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "sqs"
QUEUE = "AWS::SQS::Queue"
ATTRIBUTES = ["QueueArn", "KmsMasterKeyId", "SqsManagedSseEnabled"]


def collect(scope: Scope) -> None:
    client = scope.client()
    urls = [str(url) for page in pages(client, "list_queues") for url in page.get("QueueUrls", [])]
    for url in urls:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        response = scope.guarded(f"queue {name}", client.get_queue_attributes, QueueUrl=url, AttributeNames=ATTRIBUTES)
        if response is None:
            continue
        attributes = response.get("Attributes", {})
        arn = str(attributes.get("QueueArn", url))
        key = attributes.get("KmsMasterKeyId")
        sse_sqs = str(attributes.get("SqsManagedSseEnabled", "")).lower() == "true"
        encryption = f"SSE-KMS, key {key}" if key else "SSE-SQS" if sse_sqs else "none"
        scope.store(QUEUE, name, arn, encryption)
        if not key and not sse_sqs:
            scope.finding("EU-ENC-021", arn, QUEUE, "the queue stores messages unencrypted (no SSE-KMS, no SSE-SQS)")
