"""What botohook's HTTP faces (the EC2 API, instance metadata) share: a threaded server run for the length of a
block, and the handler settings every SDK expects (keep-alive, one write per answer in effect, no logging)."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, Set


class QuietServer(ThreadingHTTPServer):
    """A thread per connection; a client that goes away mid-request ends its connection, the server goes on.

    Keeps its open connections, so that when it stops, kept-alive connections stop too: a client's pool must not
    go on talking to a server (or a metadata view) that has ended.
    """

    daemon_threads = True

    def __init__(self, address: Any, handler: Any) -> None:
        super().__init__(address, handler)
        self._connections: Set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: SDKs reuse their connection
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, 40 ms per request
    sys_version = ""

    def reply(self, status: int, body: bytes, content_type: str, headers: Dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the EC2 face logs one line per call itself


@contextmanager
def running(httpd: QuietServer) -> Iterator[str]:
    """Serve on ``httpd`` in a thread until the block ends, then free its port; yields its base URL."""
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        thread.join()
