"""The deploy-time hook within Lambda hooks' 30 seconds: its cold start, and a stack operation over the largest
template we generate.

Usage: python -m bench.hook_bench [--runs N] [--size 2000]. (a) cold start: a fresh interpreter imports
``eu_residency.hook`` and answers one resource operation (an unencrypted queue), wall time of the whole
process, median of N; (b) a stack operation over the generated stack of SIZE resources (bench/generated_stack.py,
synthesized bare, ~1 MB as compact JSON: CloudFormation's limit for a template in S3), its payload served on
loopback as S3's presigned URL would serve it: wall time of the handler call, fetch, parse and every rule, median
of N in one warm process. Writes ``hook/...`` entries into bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.harness import PROJECT_PYTHON, log, merge_results, run, summary
from bench.scale import ensure_template

SIZE = 2000
# The event of a resource operation, as the Hooks user guide documents it; a Cloud Control request (no stack), whose
# errors the resource operation judges itself (in a stack, they are the stack operation's).
COLD_START_EVENT = {
    "clientRequestToken": "bench",
    "awsAccountId": "123456789012",
    "stackId": None,
    "hookTypeName": "EuResidency::Lambda::Hook",
    "hookTypeVersion": "00000001",
    "hookModel": {"LambdaFunction": "arn:aws:lambda:eu-west-1:123456789012:function:Hook"},
    "actionInvocationPoint": "CREATE_PRE_PROVISION",
    "requestData": {
        "targetName": "AWS::SQS::Queue",
        "targetType": "AWS::SQS::Queue",
        "targetLogicalId": "Queue",
        "targetModel": {"resourceProperties": {"SqsManagedSseEnabled": False}},
    },
    "requestContext": {"invocation": 1, "callbackContext": None},
}
STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/Bench/1"
COLD_START = (
    "import json, os, sys, time\n"
    "os.environ.setdefault('AWS_REGION', 'eu-west-1')\n"
    "start = time.perf_counter()\n"
    "from eu_residency.hook import handler\n"
    "imported = time.perf_counter()\n"
    "answer = handler(json.loads(sys.argv[1]), None)\n"
    "done = time.perf_counter()\n"
    "print(json.dumps({'import_s': imported - start, 'answer_s': done - imported, 'status': answer['hookStatus']}))\n"
)


def cold_start(runs: int) -> dict[str, Any]:
    """Fresh interpreters importing the handler and answering one resource operation."""
    samples = [run([PROJECT_PYTHON, "-c", COLD_START, json.dumps(COLD_START_EVENT)]) for _ in range(runs)]
    payloads = [sample.payload() for sample in samples]
    if {payload["status"] for payload in payloads} != {"FAILED"}:
        raise RuntimeError(f"the cold-start event should fail (an unencrypted queue): {payloads}")
    return summary(
        "hook/cold-start",
        [sample.wall_s for sample in samples],
        import_s=round(statistics.median(payload["import_s"] for payload in payloads), 4),
        answer_s=round(statistics.median(payload["answer_s"] for payload in payloads), 4),
        peak_rss_mib=round(statistics.median(sample.max_rss_mib for sample in samples), 1),
    )


@contextmanager
def served(body: bytes) -> Iterator[str]:
    """``body`` at a URL on loopback."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/payload"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def stack_operation(runs: int, size: int) -> dict[str, Any]:
    """The handler over the generated template of ``size`` resources, fetched from loopback, in a warm process."""
    from eu_residency.hook import handler  # noqa: PLC0415 (the cold start is measured apart)

    template = json.loads(ensure_template(size).read_text(encoding="utf-8"))
    text = json.dumps(template, separators=(",", ":"))
    body = json.dumps({"template": text, "previousTemplate": ""}).encode()
    seconds = []
    with served(body) as url:
        target = {"targetName": "STACK", "targetType": "STACK", "targetLogicalId": f"Generated{size}", "payload": url}
        event = {**COLD_START_EVENT, "stackId": STACK_ID, "requestData": target}
        for _ in range(runs):
            start = time.perf_counter()
            answer = handler(event, None)
            seconds.append(time.perf_counter() - start)
    if answer["hookStatus"] != "SUCCESS":
        raise RuntimeError(f"the generated stack is compliant; the hook answered {answer}")
    return summary(
        f"hook/stack-operation/{size}",
        seconds,
        resources=len(template["Resources"]),
        template_bytes=len(text.encode()),
    )


def measure(runs: int, size: int = SIZE) -> list[dict[str, Any]]:
    entries = [cold_start(runs), stack_operation(runs, size)]
    for entry in entries:
        extra = ", ".join(f"{key} {value}" for key, value in entry.items() if key not in {"name", "runs"})
        log(f"{entry['name']}: {extra}")
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure (default 5)")
    parser.add_argument("--size", type=int, default=SIZE, help=f"resources of the generated stack (default {SIZE})")
    args = parser.parse_args(argv)
    merge_results(measure(args.runs, args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
