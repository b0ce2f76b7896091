"""SNS: topics and their KMS key (EU-RES-001, EU-ENC-022)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "sns"
TOPIC = "AWS::SNS::Topic"


def collect(scope: Scope) -> None:
    client = scope.client()
    arns = [str(topic["TopicArn"]) for page in pages(client, "list_topics") for topic in page.get("Topics", [])]
    for arn in arns:
        response = scope.guarded(f"topic {arn}", client.get_topic_attributes, TopicArn=arn)
        if response is None:
            continue
        key = response.get("Attributes", {}).get("KmsMasterKeyId")
        scope.store(TOPIC, arn.rsplit(":", 1)[-1], arn, f"SSE-KMS, key {key}" if key else "none")
        if not key:
            scope.finding(
                "EU-ENC-022", arn, TOPIC, "the topic stores messages unencrypted until delivery (no KmsMasterKeyId)"
            )
