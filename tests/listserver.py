"""A real HTTP server on 127.0.0.1 serving ../shared/data, for `lists update`
tests. It speaks ETag / Last-Modified / 304 like the publishers do, and can be
told to misbehave: fail with 500 a number of times, cut a body short, or serve
changed content for a path."""

from __future__ import annotations

import email.utils
import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Behaviour:
    fail_500: dict[str, int] = field(default_factory=dict)  # path -> how many 500s before success
    truncate: set[str] = field(default_factory=set)  # paths whose body is cut in half (Content-Length kept)
    replace: dict[str, bytes] = field(default_factory=dict)  # path -> body served instead of the file
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status) log


class ListServer:
    def __init__(self, root: Path):
        self.root = root
        self.behaviour = Behaviour()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> ListServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.lstrip("/")
        behaviour = self.behaviour
        if behaviour.fail_500.get(path, 0) > 0:
            behaviour.fail_500[path] -= 1
            return self.reply(request, path, 500, b"server error")
        if path in behaviour.replace:
            body, modified = behaviour.replace[path], 2_000_000_000
        else:
            file = (self.root / path).resolve()
            if self.root.resolve() not in file.parents or not file.is_file():
                return self.reply(request, path, 404, b"not found")
            body, modified = file.read_bytes(), int(file.stat().st_mtime)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        last_modified = email.utils.formatdate(modified, usegmt=True)
        if request.headers.get("If-None-Match") == etag:
            return self.reply(request, path, 304, b"", {"ETag": etag, "Last-Modified": last_modified})
        headers = {"ETag": etag, "Last-Modified": last_modified, "Content-Length": str(len(body))}
        if path in behaviour.truncate:
            body = body[: len(body) // 2]  # the promised length is not delivered
        self.reply(request, path, 200, body, headers)

    def reply(self, request: BaseHTTPRequestHandler, path: str, status: int, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.behaviour.requests.append((path, status))
        request.send_response(status)
        headers = headers or {"Content-Length": str(len(body))}
        for key, value in headers.items():
            request.send_header(key, value)
        request.end_headers()
        if body:
            request.wfile.write(body)
        request.wfile.flush()
        if status == 200 and int(headers.get("Content-Length", len(body))) != len(body):
            request.close_connection = True
