"""The hook's tests: a cold start with default settings each, and a payload server on loopback (what S3's presigned
URL is in production)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from eu_residency.hook.handler import cold_start_settings
from eu_residency.hook.settings import SETTINGS_VARIABLE


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts a cold start with the default settings, in a function in eu-west-1 (Lambda sets
    AWS_REGION in every function's environment)."""
    monkeypatch.delenv(SETTINGS_VARIABLE, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    cold_start_settings.cache_clear()
    yield
    cold_start_settings.cache_clear()


@pytest.fixture
def serve() -> Iterator[Callable[[bytes], str]]:
    """``serve(body)``: a URL on 127.0.0.1 that answers ``body`` (a path ``/missing`` answers 404)."""
    bodies: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def add(body: bytes) -> str:
        path = f"/payload-{len(bodies)}"
        bodies[path] = body
        return f"http://127.0.0.1:{server.server_address[1]}{path}?X-Amz-Signature=secret"

    yield add
    server.shutdown()
    server.server_close()
    thread.join()
