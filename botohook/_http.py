"""What botohook's HTTP faces (the EC2 API, instance metadata) share: a threaded server run for the length of a
block, and a request handler that frames every exchange exactly.

Framing rules (every face): a request's body is exactly what its ``Content-Length`` announces, read in full before
anything runs, on every method; a body that ends early, conflicting or malformed lengths, chunked bodies, a request
line, header block or version http.server refuses: each is answered in the face's own error format (never
http.server's HTML pages) and the connection is closed, so no leftover byte is ever read as a next request. Each
answer leaves in one write, headers and body together.
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import traceback
from contextlib import contextmanager, suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Set

_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() also takes "²" and other digits


class RequestError(Exception):
    """A request that cannot be framed or is refused before it runs: ``status``, an error ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class QuietServer(ThreadingHTTPServer):
    """A thread per connection; a client that goes away mid-request ends its connection, the server goes on.

    Keeps its open connections, so that when it stops, kept-alive connections stop too: a client's pool must not
    go on talking to a server (or a metadata view) that has ended.
    """

    daemon_threads = True
    request_queue_size = socket.SOMAXCONN  # http.server's 5 drops connections of a burst (a second's retry each)

    def __init__(self, address: Any, handler: Any) -> None:
        if ":" in str(address[0]):
            self.address_family = socket.AF_INET6
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
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # a client that went away: no news
            self.report(traceback.format_exc())

    def report(self, trace: str) -> None:
        """A failure outside any answer (a botohook bug): the face logs it where it logs; by default nowhere."""


class Handler(BaseHTTPRequestHandler):
    """The shared handler: exact framing, one write per answer, errors in the face's format (:meth:`refuse`)."""

    protocol_version = "HTTP/1.1"  # keep-alive: SDKs reuse their connection
    disable_nagle_algorithm = True  # an answer is one write; without this a kept-alive client may wait 40 ms
    sys_version = ""
    max_body = 1 << 20  # bytes; a face lowers it where its requests are smaller
    _headers_buffer: List[bytes]  # http.server's, for the status line and headers

    def reply(self, status: int, body: bytes, content_type: str, headers: Dict[str, str] | None = None) -> None:
        """Answer with ``body``: status line, headers and body in one write."""
        if self.request_version == "HTTP/0.9":  # http.server would write no status line or headers for it
            self.request_version = "HTTP/1.0"
        self.send_response(status)  # also Server and Date
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":  # it asked to keep alive: say yes, or it waits for a close
            self.send_header("Connection", "keep-alive")
        self._headers_buffer.append(b"\r\n" if self.command == "HEAD" else b"\r\n" + body)  # HEAD: headers only
        self.flush_headers()

    def body(self, limit: int | None = None) -> bytes:
        """The request's body, exactly as announced (``b""`` when none is) and at most ``limit`` bytes (default
        :attr:`max_body`); :class:`RequestError` when it cannot be framed, after which the connection is closed."""
        limit = self.max_body if limit is None else limit
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise RequestError(411, "MissingContentLength", "botohook needs a Content-Length (no chunked bodies)")
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return b""
        if len(lengths) > 1:
            raise RequestError(400, "InvalidRequest", "The request has conflicting Content-Length headers")
        (announced,) = lengths
        if not _DIGITS.fullmatch(announced):
            raise RequestError(400, "InvalidRequest", "Content-Length is not a number of bytes")
        length = int(announced)
        if length > limit:
            raise RequestError(413, "RequestEntityTooLarge", f"The request body is larger than {limit} bytes")
        raw = self.rfile.read(length)
        if len(raw) < length:
            raise RequestError(400, "IncompleteBody", f"The request body ended after {len(raw)} of {length} bytes")
        return raw

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, version, too many or too long headers, unknown method),
        in the face's error format instead of an HTML page."""
        status = HTTPStatus(code)
        self.close_connection = True
        name = "".join(c for c in status.phrase if c.isalnum())  # "Request-URI Too Long": RequestURITooLong
        self.refuse(RequestError(status.value, name, message or status.description))

    def refuse(self, error: RequestError) -> None:
        """Answer a refused request in this face's format; the connection is closed after it."""
        self.close_connection = True
        self.reply(error.status, f"{error.message}\n".encode(), "text/plain")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the EC2 face logs one line per call itself


def base_url(host: str, port: int) -> str:
    """``http://host:port``, an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def running(httpd: QuietServer) -> Iterator[str]:
    """Serve on ``httpd`` in a thread until the block ends, then free its port; yields its base URL."""
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base_url(str(httpd.server_address[0]), httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        thread.join()
