"""Servers for the LLM engine tests: the real llama.cpp server, and a misbehaving local one.

Import the fixtures into a test module (``from tests.llm_server import llama_server``); both
listen on 127.0.0.1 only and are stopped when the module's tests are done.

``llama_server``: ``python -m llama_cpp.server`` with SmolLM2-135M-Instruct (``make llm`` /
``scripts/llm.sh`` installs both).  Skipped locally, failed in CI, when either is missing.

``fault_server``: an HTTP server in a thread whose behaviour is chosen by the first path part of
the base URL (``fault_server.url("status429")`` -> ``http://127.0.0.1:PORT/status429/v1``):

- ``status401`` / ``status403`` / ``status404`` / ``status429`` / ``status500`` / ``status503``:
  that HTTP status with an OpenAI-style error body (the 401 body echoes the API key, as OpenAI's
  does, to prove it is never shown);
- ``garbage``: 200 with an event stream of non-JSON lines; ``html``: 200 with an HTML page;
- ``empty``: a valid stream with no text; ``hang``: accepts and never answers;
- ``stall``: one good sentence, then silence; ``cut``: one good sentence, then the connection drops;
- ``gated``: one sentence, then the rest once the test sets ``fault_server.gate``;
- ``script``: streams the next text queued with ``fault_server.script.append(text)`` in small
  chunks, as a well-behaved server would.

``fault_server.requests`` records (mode, body) of every request, to check request counts.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from simulator.errors import RapportError
from tests.conftest import require_service
from tools.llm_local import DEFAULT_MODEL, LlamaServer, free_port, missing

__all__ = ["fault_server", "free_port", "llama_server", "sample_persona"]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory) -> Iterator[LlamaServer]:
    """Start ``python -m llama_cpp.server`` on a free port, wait for /v1/models, stop it afterwards."""
    reason = missing(DEFAULT_MODEL)
    if reason:
        require_service("llama.cpp server", reason)
    try:
        server = LlamaServer.start(DEFAULT_MODEL, log=tmp_path_factory.mktemp("llama") / "server.log")
    except RapportError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


# -- the misbehaving server ---------------------------------------------------------------------


def sse_chunk(text: str | None, finish: str | None = None) -> bytes:
    delta = {"content": text} if text is not None else {"role": "assistant"}
    body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": "test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.requests: list[tuple[str, dict]] = []
        self.script: list[str] = []
        self.stop_event = threading.Event()
        self.gate = threading.Event()

    def handle_error(self, request, client_address) -> None:  # clients hanging up are expected here
        pass

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        mode = self.path.strip("/").split("/")[0]
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        self.server.requests.append((mode, body))
        if mode.startswith("status"):
            code = int(mode.removeprefix("status"))
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            error = {"error": {"message": f"Incorrect API key provided: {key}", "type": "test", "code": code}}
            self._send(code, "application/json", json.dumps(error).encode())
        elif mode == "garbage":
            self._send(200, "text/event-stream", b"data: this is not json\n\ndata: {broken\n\n")
        elif mode == "html":
            self._send(200, "text/html", b"<html><body>Gateway says hello</body></html>")
        elif mode == "empty":
            self._send(200, "text/event-stream", sse_chunk(None) + sse_chunk("", "stop") + b"data: [DONE]\n\n")
        elif mode == "hang":
            self.server.stop_event.wait(30)
        elif mode in ("stall", "cut"):
            self._start_stream()
            self._write_chunk(sse_chunk(None) + sse_chunk("Well, we bake bread all day. "))
            if mode == "stall":
                self.server.stop_event.wait(30)
            self.close_connection = True
        elif mode == "gated":  # the first sentence, then the rest only once the test opens the gate
            self._start_stream()
            self._write_chunk(sse_chunk(None) + sse_chunk("We bake bread all day. "))
            self.server.gate.wait(30)
            self._write_chunk(sse_chunk("Mostly sourdough.") + sse_chunk("", "stop") + b"data: [DONE]\n\n")
            self._write_chunk(b"")
        elif mode == "script":
            text = self.server.script.pop(0) if self.server.script else "Fine, thanks."
            self._start_stream()
            self._write_chunk(sse_chunk(None))
            for i in range(0, len(text), 7):
                self._write_chunk(sse_chunk(text[i : i + 7]))
            self._write_chunk(sse_chunk("", "stop") + b"data: [DONE]\n\n")
            self._write_chunk(b"")
        else:
            self._send(404, "application/json", b'{"error": {"message": "unknown mode"}}')

    def _send(self, code: int, ctype: str, data: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


@pytest.fixture(scope="module")
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop_event.set()
        server.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- a small persona for engine tests -----------------------------------------------------------


def sample_persona():
    """A bakery owner with three facts at rising trust levels (independent of the bundled personas)."""
    from simulator.persona.schema import parse_persona

    return parse_persona({
        "name": "Rosa Alvarez", "role": "Owner", "company": "Alvarez Bakery", "industry": "Food retail",
        "situation": "Runs two bakery shops; orders live on paper.", "personality": "Warm and chatty.",
        "speaking_style": "Short friendly sentences.", "difficulty": "medium", "starting_trust": 40,
        "opening_line": "Hi, come in! What did you want to chat about?",
        "facts": [
            {"id": "two-shops", "kind": "situation", "topic": "the business", "trust_needed": 0,
             "keywords": ["business", "shops", "bakery", "day to day"],
             "says": ["We have two shops and twelve staff, and my husband Luis does the deliveries."]},
            {"id": "paper-orders", "kind": "problem", "topic": "custom orders on paper", "trust_needed": 42,
             "keywords": ["orders", "paper", "order book", "hardest", "mix up"],
             "says": ["The custom orders go in a paper book at the counter, and the book is always in the wrong shop."],
             "guarded": ["Oh, orders are fine, mostly."]},
            {"id": "lost-cakes", "kind": "cost", "topic": "cost of lost orders", "trust_needed": 90,
             "keywords": ["cost", "money", "lose"],
             "says": ["We remade eleven wedding cakes last year, about four thousand pounds gone."]},
        ],
        "concerns": [{"id": "price", "topic": "price", "says": ["Everything new costs a fortune."]}],
    }, "sample", "rosa")
