"""The HTTP transport: a simulator served over loopback as EC2's Query API, for other processes and languages (the
AWS CLI, shell scripts, SDKs), and :func:`serve` to run it from a test.

The EC2 API's HTTP face (``metadata`` is the other one; ``_http`` is what both share). Requests are form-encoded
Query bodies (or GET query strings); the region comes from the SigV4 credential scope of the ``Authorization`` header
(signatures are not checked). Answers are EC2's XML (``_query_xml``), errors EC2's error document with EC2's status.
A request botohook cannot answer gets an error response, never a traceback in the server thread, and the server
keeps serving.
"""

from __future__ import annotations

import os
import re
import subprocess
import traceback
import uuid
from contextlib import ExitStack, contextmanager
from email.utils import formatdate
from typing import Any, Callable, Dict, Iterator, Sequence, Tuple
from urllib.parse import urlsplit

from ._http import Handler, QuietServer, running
from ._query_xml import answer, error_xml, request_params
from .identity import OPERATIONS as IDENTITY_OPERATIONS
from .simulator import Simulator

MAX_BODY = 1 << 20  # bytes; EC2 requests are small, a larger body is refused with 413
_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "botohook-testing", "AWS_SECRET_ACCESS_KEY": "botohook-testing"}
_SERVICES = ("ec2", *IDENTITY_OPERATIONS)  # what the server answers: EC2, and the who-am-I calls tools make


class Server:
    """A running HTTP face of ``simulator``: where it listens and what a child process needs to reach it."""

    def __init__(self, simulator: Simulator, host: str, port: int, region: str | None) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self.region = region
        self.endpoint_url = f"http://{host}:{port}"
        self._views: Dict[str, str] = {}  # instance id -> base URL of its metadata view
        self._stack = ExitStack()  # the metadata views, stopped with the server

    def metadata(self, instance_id: str) -> str:
        """The base URL of ``instance_id``'s instance metadata (what ``http://169.254.169.254`` is on that instance),
        served on a port of its own until this server stops and read from the live simulation at each request."""
        from .metadata import serve_metadata

        if instance_id not in self._views:
            self._views[instance_id] = self._stack.enter_context(serve_metadata(self.simulator, instance_id, self.host))
        return self._views[instance_id]

    def metadata_environ(self, instance_id: str) -> Dict[str, str]:
        """:attr:`environ` for a program running on ``instance_id``: SDKs read its metadata from the view."""
        variables = {k: v for k, v in self.environ.items() if k != "AWS_EC2_METADATA_DISABLED"}
        variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.metadata(instance_id)
        variables["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "IPv4"
        return variables

    def run(self, instance_id: str | None, argv: Sequence[str], **options: Any) -> subprocess.CompletedProcess[Any]:
        """Run ``argv`` to its end as a program on ``instance_id`` (169.254.169.254 is its metadata, ``eth0`` its
        MAC, this server its EC2 endpoint, nothing else reachable; needs root), or with :attr:`environ` only when
        ``instance_id`` is None; ``options`` and the result as :func:`subprocess.run`'s. See ``botohook._netns``."""
        from ._netns import run

        return run(self, instance_id, argv, **options)

    @property
    def environ(self) -> Dict[str, str]:
        """The environment variables a child process needs to reach this server, and nothing else: the EC2
        endpoint (and STS's and IAM's, for who-am-I calls), no instance-metadata look-ups, fake keys when this
        process has none, and the region if given."""
        variables = {f"AWS_ENDPOINT_URL_{service.upper()}": self.endpoint_url for service in _SERVICES}
        variables["AWS_EC2_METADATA_DISABLED"] = "true"
        if os.environ.get("AWS_ACCESS_KEY_ID", _FAKE_KEYS["AWS_ACCESS_KEY_ID"]) == _FAKE_KEYS["AWS_ACCESS_KEY_ID"]:
            variables.update(_FAKE_KEYS)
        if self.region is not None:
            variables["AWS_DEFAULT_REGION"] = variables["AWS_REGION"] = self.region
        return variables

    def client(self, region: str | None = None, **options: Any) -> Any:
        """A boto3 EC2 client of this process that talks to this server over HTTP, even inside a ``mock()``
        (which would otherwise answer it in-process): to drive or check the served simulation from a test."""
        import boto3

        from . import _wiring

        ec2 = boto3.Session().client(
            "ec2",
            endpoint_url=self.endpoint_url,
            region_name=region or self.region or "us-east-1",
            aws_access_key_id=_FAKE_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=_FAKE_KEYS["AWS_SECRET_ACCESS_KEY"],
            **options,
        )
        _wiring.exempt(ec2)
        return ec2

    def respond(
        self, action: str, region: str, params: Dict[str, str], request_id: str, service: str = "ec2"
    ) -> Tuple[int, bytes, str]:
        """``(HTTP status, body, error code or "")`` for one request to EC2 (or to STS or IAM)."""
        return answer(self.simulator, action, region, params, request_id, service)


class _Handler(Handler):
    server_version = "AmazonEC2"
    server: _HTTPServer

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._refuse(411, "MissingContentLength", "botohook needs a Content-Length (no chunked bodies)")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self._refuse(400, "InvalidParameterValue", "Content-Length is not a number of bytes")
            return
        if length > MAX_BODY:
            self._refuse(413, "RequestEntityTooLarge", f"The request body is larger than {MAX_BODY} bytes")
            return
        self._handle(self.rfile.read(length))

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._handle(urlsplit(self.path).query.encode())

    def _handle(self, raw: bytes) -> None:
        service, region = _scope(self.headers.get("Authorization", ""))
        if service not in _SERVICES:
            self._refuse(400, "UnsupportedOperation", f"botohook does not simulate the {service} service")
            return
        try:
            params = request_params(raw.decode())
        except ValueError:
            self._refuse(400, "MalformedQueryString", "The request is not a form-encoded Query request")
            return
        action = params.get("Action")
        if not action:
            self._refuse(400, "MissingAction", "The request must contain the parameter Action")
            return
        request_id = str(uuid.uuid4())
        try:
            status, body, code = self.server.botohook.respond(action, region, params, request_id, service)
        except Exception:  # a botohook bug: answer it, log it, keep serving
            status, body = 500, error_xml("InternalError", traceback.format_exc(limit=-3), request_id)
            code = "InternalError"
        self.server.log(f"{action} {region} {code or 'ok'}")
        self._send(status, body, request_id)

    def _refuse(self, status: int, code: str, message: str) -> None:
        self.close_connection = True
        self.server.log(f"- - {code}")
        request_id = str(uuid.uuid4())
        self._send(status, error_xml(code, message, request_id), request_id)

    def _send(self, status: int, body: bytes, request_id: str) -> None:
        headers = {"Date": formatdate(usegmt=True), "x-amzn-RequestId": request_id}
        self.reply(status, body, "text/xml;charset=UTF-8", headers)


class _HTTPServer(QuietServer):
    botohook: Server
    log: Callable[[str], None]


def _scope(authorization: str) -> Tuple[str, str]:
    """``(service, region)`` from a SigV4 ``Authorization`` header; EC2 in us-east-1 when there is none."""
    found = _SCOPE.search(authorization)
    return (found.group(2), found.group(1)) if found else ("ec2", "us-east-1")


@contextmanager
def serve(
    simulator: Simulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str | None = None,
    log: Callable[[str], None] | None = None,
) -> Iterator[Server]:
    """Serve ``simulator`` (default: the one answering calls here, that of the innermost active ``mock()``, else a
    new one) as EC2's Query API on ``host:port`` (port 0: any free port) until the block ends, then free the port.

    ``region`` goes into :attr:`Server.environ` for child processes; ``log`` receives one line per request.
    """
    if simulator is None:
        from ._active import innermost

        simulator = innermost() or Simulator()
    httpd = _HTTPServer((host, port), _Handler)
    server = Server(simulator, host, httpd.server_address[1], region)
    httpd.botohook = server
    httpd.log = log or (lambda line: None)
    with running(httpd), server._stack:
        yield server
