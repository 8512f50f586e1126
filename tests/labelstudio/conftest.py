"""A Label Studio stand-in for the backend's tests: a real HTTP server on loopback that serves
task files at /data/upload/<project>/<8 hex>-<name> and the project export, both only with the
API token, as Label Studio 1.23 does (see ../shared/ls_e2e/README.md §4)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo" / "basicmotions"
TOKEN = "ls-test-token-123456"
PROJECT = 7


class LabelStudioFiles:
    def __init__(self, tasks: list[dict]):
        self.tasks = tasks
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []

    def add_upload(self, name: str, content: bytes) -> str:
        path = f"/data/upload/{PROJECT}/{len(self.files):08x}-{name}"
        self.files[path] = content
        return path


def _handler(state: LabelStudioFiles):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            state.requests.append(self.path)
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self._answer(
                    401, b'{"detail": "Authentication credentials were not provided."}'
                )
            path = self.path.split("?")[0]
            if path in state.files:
                return self._answer(200, state.files[path], "text/csv")
            if path == f"/api/projects/{PROJECT}/export":
                annotated = [t for t in state.tasks if t.get("annotations")]
                return self._answer(200, json.dumps(annotated).encode())
            return self._answer(404, b'{"detail": "Not found."}')

        def _answer(self, status, body, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def label_studio(settings):
    """Tasks of the BasicMotions demo: the first four annotated, the rest not."""
    all_tasks = json.loads((DEMO / "annotations.json").read_text())
    state = LabelStudioFiles([])
    for position, task in enumerate(all_tasks):
        name = task["data"]["csv_url"]
        url = state.add_upload(name, (DEMO / name).read_bytes())
        entry = {
            "id": task["id"],
            "project": PROJECT,
            "data": {"csv_url": url},
            "annotations": task["annotations"] if position < 4 else [],
        }
        state.tasks.append(entry)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LABEL_STUDIO_URL = f"http://127.0.0.1:{server.server_port}"
    settings.LABEL_STUDIO_API_KEY = TOKEN
    state.url = settings.LABEL_STUDIO_URL
    yield state
    server.shutdown()


class RecordingServer:
    """Any other server on loopback: records every request (path and Authorization header) and
    answers 200 with an empty JSON list."""

    def __init__(self):
        self.requests: list[tuple[str, str | None]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N802, N805 - http.server's names
                self.requests.append((handler.path, handler.headers.get("Authorization")))
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", "2")
                handler.end_headers()
                handler.wfile.write(b"[]")

            do_POST = do_GET  # noqa: N815

            def log_message(handler, *args):  # noqa: N805
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def foreign_server():
    server = RecordingServer()
    yield server
    server.server.shutdown()


@pytest.fixture
def label_config() -> str:
    return (DEMO / "label_config.xml").read_text()
