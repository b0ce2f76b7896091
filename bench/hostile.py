"""Part 5: hostile and huge inputs, each checked in bounded time, with the growth exponent.

- mixed/N: N resources of the kinds the quadratic rules met (buckets with and without access logging to
  a log bucket, and their bucket policies), through the rule core: a template past CloudFormation's
  resource quota, so past the loader's 1 MB cap too; the rule core is what must stay linear.
- long-sub/B: a template of B bytes (up to the loader's 1 MB cap) whose Fn::Sub text is one long string
  with an unterminated ``${``, through the whole check (loader, rules, report).
- aliases/N: a YAML template whose N resources share property blocks through anchors and aliases, through
  the whole check; and alias-bomb: 543 bytes that expand to 387 million values, refused by the loader.

Each figure is the median of fresh processes (``bench.children``); targets: under 2 s at the largest size,
growth exponent at most bench.report's LINEAR_UP_TO.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.harness import PROJECT_PYTHON, SCRATCH, BenchError, field, log, run, summary

MIXED_SIZES = (1_000, 2_000, 4_000, 8_000)
SUB_SIZES = (128_000, 256_000, 512_000, 1_000_000)
ALIAS_SIZES = (100, 200, 400, 800)
FOLDER = SCRATCH / "hostile"


def mixed_template(size: int) -> dict[str, Any]:
    """``size`` resources: a log bucket, then buckets (every other one logging to it) and bucket policies."""
    resources: dict[str, Any] = {
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketEncryption": _sse_s3()}},
    }
    for index in range(1, size):
        if index % 3 == 0:
            resources[f"Policy{index}"] = {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": f"Bucket{index - 1}"},
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [_deny_insecure(index - 1)]},
                },
            }
            continue
        properties: dict[str, Any] = {"BucketEncryption": _sse_s3()}
        if index % 2:
            properties["LoggingConfiguration"] = {"DestinationBucketName": {"Ref": "Logs"}}
        resources[f"Bucket{index}"] = {"Type": "AWS::S3::Bucket", "Properties": properties}
    return {"Resources": resources}


def _sse_s3() -> dict[str, Any]:
    return {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


def _deny_insecure(index: int) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [{"Fn::GetAtt": [f"Bucket{index}", "Arn"]}],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def long_sub_template(size: int) -> str:
    """A YAML template of about ``size`` bytes: a topic whose display name is one long Sub text, unclosed."""
    head = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Sub '"
    tail = "'\n"
    body = ("${AWS::Region}-x" * 4 + "${unterminated-") * (size // 80)
    return head + body[: max(size - len(head) - len(tail), 0)].replace("'", "") + tail


def alias_template(size: int) -> str:
    """``size`` buckets whose encryption, tags and logging are anchored once and aliased by every other."""
    lines = [
        "Resources:",
        "  Logs:",
        "    Type: AWS::S3::Bucket",
        "    Properties: &logs",
        "      BucketEncryption: &sse {ServerSideEncryptionConfiguration: "
        "[{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}",
        "      Tags: &tags [{Key: team, Value: chat}, {Key: data-classification, Value: personal}]",
    ]
    for index in range(1, size):
        lines += [
            f"  Bucket{index}:",
            "    Type: AWS::S3::Bucket",
            "    Properties: {BucketEncryption: *sse, Tags: *tags, LoggingConfiguration: "
            "{DestinationBucketName: !Ref Logs}}",
        ]
    return "\n".join(lines) + "\n"


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {Tags: *a8}\n"


def _write(name: str, text: str) -> Path:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / name
    path.write_text(text, encoding="utf-8")
    return path


def _child(*arguments: str | Path, ok: tuple[int, ...] = (0, 1)) -> Any:
    return run([PROJECT_PYTHON, "-m", "bench.children", *(str(argument) for argument in arguments)], ok=ok)


def _checked(samples: list[Any], *, refused: bool) -> list[Any]:
    """``samples`` of the whole check, each refusing its input (the bomb) or reading it (the others)."""
    for sample in samples:
        errors = sample.payload()["errors"]
        if (errors == 1) != refused or errors > 1:
            raise BenchError(f"expected the input {'refused' if refused else 'read'}; the check had {errors} error(s)")
    return samples


def measure(runs: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for size in MIXED_SIZES:
        log(f"hostile: {size:,} mixed resources through the rule core x {runs}")
        path = _write(f"mixed-{size}.json", json.dumps(mixed_template(size)))
        samples = [_child("core", path) for _ in range(runs)]
        results.append(summary(f"hostile/mixed/{size}", field(samples, "core_s"), resources=size))
    for size in SUB_SIZES:
        log(f"hostile: a {size:,}-byte template with an unterminated Sub x {runs}")
        path = _write(f"long-sub-{size}.yaml", long_sub_template(size))
        samples = _checked([_child("check", path) for _ in range(runs)], refused=False)
        results.append(summary(f"hostile/long-sub/{size}", field(samples, "check_s"), bytes=path.stat().st_size))
    for size in ALIAS_SIZES:
        log(f"hostile: {size} resources sharing aliased blocks x {runs}")
        path = _write(f"aliases-{size}.yaml", alias_template(size))
        samples = _checked([_child("check", path) for _ in range(runs)], refused=False)
        results.append(summary(f"hostile/aliases/{size}", field(samples, "check_s"), resources=size))
    log(f"hostile: the alias bomb x {runs}")
    path = _write("alias-bomb.yaml", alias_bomb())
    samples = _checked([_child("check", path) for _ in range(runs)], refused=True)
    results.append(summary("hostile/alias-bomb", field(samples, "check_s"), bytes=path.stat().st_size))
    return results
