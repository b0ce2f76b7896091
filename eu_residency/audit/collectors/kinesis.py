"""Kinesis Data Streams: streams and their encryption at rest (EU-RES-001, EU-ENC-023)."""

from __future__ import annotations

from eu_residency.audit.scope import Scope, pages

SERVICE = "kinesis"
STREAM = "AWS::Kinesis::Stream"


def collect(scope: Scope) -> None:
    client = scope.client()
    names: list[str] = []
    for page in pages(client, "list_streams"):
        summaries = page.get("StreamSummaries")
        if summaries is not None:
            names += [str(summary["StreamName"]) for summary in summaries]
        else:
            names += [str(name) for name in page.get("StreamNames", [])]
    for name in dict.fromkeys(names):
        response = scope.guarded(f"stream {name}", client.describe_stream_summary, StreamName=name)
        if response is None:
            continue
        summary = response["StreamDescriptionSummary"]
        arn = str(summary.get("StreamARN", name))
        kms = summary.get("EncryptionType") == "KMS"
        key = summary.get("KeyId")
        scope.store(STREAM, name, arn, f"KMS, key {key}" if kms else "none")
        if not kms:
            scope.finding("EU-ENC-023", arn, STREAM, "the stream stores records unencrypted (EncryptionType NONE)")
