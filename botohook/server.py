"""The HTTP transport: a simulator served over loopback as EC2's Query API, for other processes and languages (the
AWS CLI, shell scripts, SDKs), with a JSON control API under ``/_botohook/`` (:mod:`botohook._control`), and
:func:`serve` to run it from a test.

The EC2 API's HTTP face (``metadata`` is the other one; ``_http`` is what both share and how requests are framed).
Requests are form-encoded Query bodies (or GET query strings); the service and region come from the SigV4 credential
scope of the ``Authorization`` header (signatures are not checked; an empty access key is refused, as EC2 refuses a
request without one). Answers are EC2's XML (``_query_xml``), errors EC2's error document with EC2's status; a
service botohook does not simulate is refused in its own protocol (``_protocols``). A request botohook cannot
answer gets an error response (a botohook bug: ``InternalError`` with a request id, the traceback to the log only),
and the server keeps serving. Logging never blocks or fails an answer (:class:`RequestLog`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
import traceback
import uuid
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Sequence, Tuple
from urllib.parse import parse_qsl, urlsplit

from . import _control
from ._http import Handler, QuietServer, RequestError, base_url, running
from ._protocols import refusal
from ._query_xml import answer, request_params
from .identity import FAKE_KEYS
from .identity import OPERATIONS as IDENTITY_OPERATIONS
from .simulator import Simulator

_TOKEN_END = re.compile(r"[,\s]")
_BROWSER_HEADERS = ("Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode")  # no SDK, CLI or curl sends them; a web page does
DEFAULT_REGION = "us-east-1"
"""The region of a request that names none (an unsigned request, a scope that is not SigV4's)."""
_SERVICES = ("ec2", *IDENTITY_OPERATIONS)  # what the server answers: EC2, and the who-am-I calls tools make
_PLAIN = re.compile(r"[\w.:/@-]{1,128}", re.ASCII)  # what is logged as is; anything else is logged JSON-quoted


class Server:
    """A running HTTP face of ``simulator``: where it listens and what a child process needs to reach it."""

    def __init__(self, simulator: Simulator, host: str, port: int, region: str | None, config_dir: Path) -> None:
        self.simulator = simulator
        self.host = host
        self.port = port
        self.region = region
        reachable = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
        self.endpoint_url = base_url(reachable, port)
        """The URL clients use; for a server listening on every interface, its loopback address."""
        self.exposed = not _loopback(host)
        """Whether the server listens beyond loopback (then anyone who can reach the port controls the simulation)."""
        self._views: Dict[str, str] = {}  # instance id -> base URL of its metadata view
        self._views_lock = threading.Lock()
        self._stack = ExitStack()  # the metadata views, stopped with the server
        self.config_file, self.credentials_file = _write_config(config_dir, self.endpoint_url, region)
        self.log: RequestLog = _NoLog()
        """Where the server logs (``serve``'s ``log``): ``server.log.note(...)`` adds a line that never blocks."""

    def metadata(self, instance_id: str) -> str:
        """The base URL of ``instance_id``'s instance metadata (what ``http://169.254.169.254`` is on that instance),
        served on a port of its own until this server stops and read from the live simulation at each request."""
        from .metadata import serve_metadata

        with self._views_lock:
            if instance_id not in self._views:
                view = serve_metadata(self.simulator, instance_id, self.host if not self.exposed else "127.0.0.1")
                self._views[instance_id] = self._stack.enter_context(view)
            return self._views[instance_id]

    def metadata_environ(self, instance_id: str) -> Dict[str, str]:
        """:attr:`environ` for a program running on ``instance_id`` without a namespace of its own: SDKs read its
        metadata from the view (``AWS_EC2_METADATA_SERVICE_ENDPOINT``), and so do curl, ``requests`` and ``urllib``
        asking ``http://169.254.169.254`` (``http_proxy`` is the view, which answers for that address only; the
        no-proxy lists keep this server and leave the metadata address out)."""
        view = self.metadata(instance_id)
        variables = {k: v for k, v in self.environ.items() if k != "AWS_EC2_METADATA_DISABLED"}
        variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = view
        variables["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "IPv4"
        variables["http_proxy"] = variables["HTTP_PROXY"] = view
        for name in ("NO_PROXY", "no_proxy"):
            kept = [entry for entry in variables[name].split(",") if entry != "169.254.169.254"]
            variables[name] = ",".join(kept)
        return variables

    def run(self, instance_id: str | None, argv: Sequence[str], **options: Any) -> subprocess.CompletedProcess[Any]:
        """Run ``argv`` to its end as a program on ``instance_id`` (169.254.169.254 is its metadata, ``eth0`` its
        MAC, this server its EC2 endpoint, nothing else reachable; Linux namespaces, as root or in a user namespace),
        or with :attr:`environ` only when ``instance_id`` is None; ``options`` and the result as
        :func:`subprocess.run`'s. See ``botohook._netns``."""
        from ._netns import run

        return run(self, instance_id, argv, **options)

    @property
    def environ(self) -> Dict[str, str]:
        """The environment variables a child process needs to reach this server and nothing else, safe whatever the
        parent holds: every service's endpoint is this server (``AWS_ENDPOINT_URL``, and per service for EC2, STS
        and IAM), always botohook's fake keys and no session token (a client that ignores the endpoint variables
        signs with nothing real), a config and a credentials file of this server's own with a ``[default]`` profile
        (fake keys, the region, ``endpoint_url``), ``NO_PROXY`` extended with the server's host and the metadata
        address, no instance-metadata look-ups, and the region if given."""
        variables = {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"}
        variables.update({f"AWS_ENDPOINT_URL_{service.upper()}": self.endpoint_url for service in _SERVICES})
        variables["AWS_EC2_METADATA_DISABLED"] = "true"
        variables.update(FAKE_KEYS)
        variables["AWS_SESSION_TOKEN"] = variables["AWS_SECURITY_TOKEN"] = ""
        variables["AWS_CONFIG_FILE"] = str(self.config_file)
        variables["AWS_SHARED_CREDENTIALS_FILE"] = str(self.credentials_file)
        variables["AWS_PROFILE"] = variables["AWS_DEFAULT_PROFILE"] = "default"
        if self.region is not None:
            variables["AWS_DEFAULT_REGION"] = variables["AWS_REGION"] = self.region
        host = urlsplit(self.endpoint_url).hostname or self.host
        hosts = [host, f"[{host}]"] if ":" in host else [host]  # Python's proxy_bypass compares "[::1]"
        for name in ("NO_PROXY", "no_proxy"):  # no_proxy last: the command prints it last
            kept = [entry for entry in os.environ.get(name, "").split(",") if entry.strip()]
            variables[name] = ",".join(dict.fromkeys([*kept, *hosts, "169.254.169.254"]))
        return variables

    def client(self, region: str | None = None, **options: Any) -> Any:
        """A boto3 EC2 client of this process that talks to this server over HTTP, even inside a ``mock()``
        (which would otherwise answer it in-process): to drive or check the served simulation from a test."""
        import boto3

        from . import _wiring

        ec2 = boto3.Session().client(
            "ec2",
            endpoint_url=self.endpoint_url,
            region_name=region or self.region or DEFAULT_REGION,
            aws_access_key_id=FAKE_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_KEYS["AWS_SECRET_ACCESS_KEY"],
            **options,
        )
        _wiring.exempt(ec2)
        return ec2

    def respond(
        self, action: str, region: str, params: Dict[str, str], request_id: str, service: str = "ec2"
    ) -> Tuple[int, bytes, str]:
        """``(HTTP status, body, error code or "")`` for one request to EC2 (or to STS or IAM)."""
        return answer(self.simulator, action, region, params, request_id, service)


def _write_config(directory: Path, endpoint_url: str, region: str | None) -> Tuple[Path, Path]:
    """A config file (``[default]``: region, ``endpoint_url`` for every service) and a credentials file (the fake
    keys) for child processes; AWS CLI agents run ``aws --profile default``."""
    config = directory / "config"
    credentials = directory / "credentials"
    lines = ["[default]", f"region = {region or DEFAULT_REGION}", f"endpoint_url = {endpoint_url}", ""]
    config.write_text("\n".join(lines), encoding="utf-8")
    keys = [f"{name.lower()} = {value}" for name, value in FAKE_KEYS.items()]
    credentials.write_text("\n".join(["[default]", *keys, ""]), encoding="utf-8")
    return config, credentials


_END = "\x00end"  # the line that ends a log's thread (no request's line can be it: fields are escaped)


class RequestLog:
    """One record per request to ``write``, never blocking or failing an answer: lines go through a bounded queue
    that a thread drains; when it is full, lines are dropped and counted (the count is logged when there is room
    again); when ``write`` fails (a closed pipe), logging stops and serving goes on.

    A record is ``(operation, region, result)`` (fields from the client are escaped: :func:`log_field`), written as
    ``text`` (the fields, space-separated) or ``json`` (an object per line); a note (a botohook failure) starts with
    ``#`` in text and is ``{"message": ...}`` in JSON.
    """

    def __init__(self, write: Callable[[str], None], log_format: str = "text", size: int = 10_000) -> None:
        if log_format not in ("text", "json"):
            raise ValueError(f"log_format is 'text' or 'json', not {log_format!r}")
        self._write = write
        self._json = log_format == "json"
        self._lines: queue.Queue[str] = queue.Queue(maxsize=size)
        self._dropped_lock = threading.Lock()
        self.dropped = 0
        """Lines dropped since the last that could be queued."""
        self.broken = False
        """Whether writing failed (logging stopped for good)."""
        threading.Thread(target=self._drain, name="botohook-log", daemon=True).start()

    def record(self, operation: str, region: str, result: str) -> None:
        """One request: its operation, region and result (``ok`` or an error code)."""
        if self._json:
            self._put(json.dumps({"operation": operation, "region": region, "result": result}))
        else:
            self._put(f"{log_field(operation)} {log_field(region)} {log_field(result)}")

    def note(self, message: str) -> None:
        """A note (a traceback, say): in text, every line of it starts with ``#`` and is escaped as a field is."""
        if self._json:
            self._put(json.dumps({"message": message}))
        else:
            self._put("\n".join(f"# {json.dumps(line)[1:-1]}" for line in f"botohook: {message}".splitlines()))

    def flush(self, timeout: float = 0.5) -> None:
        """Give the queued lines up to ``timeout`` seconds to be written (never longer: output nobody reads must
        not hold up stopping)."""
        deadline = time.monotonic() + timeout
        while self._lines.unfinished_tasks and not self.broken and time.monotonic() < deadline:
            time.sleep(0.01)

    def _put(self, line: str) -> None:
        if self.broken:
            return
        with self._dropped_lock:
            try:
                if self.dropped:
                    dropped = f"{self.dropped} log lines dropped (nobody read them in time)"
                    self._lines.put_nowait(json.dumps({"message": dropped}) if self._json else f"# botohook: {dropped}")
                    self.dropped = 0
                self._lines.put_nowait(line)
            except queue.Full:
                self.dropped += 1

    def close(self, timeout: float = 0.5) -> None:
        """:meth:`flush`, then end the log's thread (at once if it is idle, else when its write returns)."""
        self.flush(timeout)
        with suppress(queue.Full):
            self._lines.put_nowait(_END)

    def _drain(self) -> None:
        while True:
            line = self._lines.get()
            if line is _END:
                return
            try:
                self._write(line)
            except Exception:  # a closed pipe, a full disk, a broken callable: stop logging, keep serving
                self.broken = True
                return
            finally:
                self._lines.task_done()


class _NoLog(RequestLog):
    """No log at all: nothing is formatted, queued or written."""

    def __init__(self) -> None:
        self.dropped = 0
        self.broken = False

    def record(self, operation: str, region: str, result: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def flush(self, timeout: float = 0.5) -> None:
        pass

    def close(self, timeout: float = 0.5) -> None:
        pass


def _loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.0/8``, ``::1``, ``::ffff:127.0.0.1``) or ``localhost``."""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def log_field(value: str) -> str:
    """``value`` as one unambiguous log field: as is when plain, else JSON-quoted (newlines, escapes and spaces can
    forge no line or column)."""
    return value if _PLAIN.fullmatch(value) else json.dumps(value)


class _Handler(Handler):
    server_version = "AmazonEC2"
    server: _HTTPServer

    def do_POST(self) -> None:  # noqa: N802 - the names http.server calls
        self._dispatch()

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch()

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            if any(name in self.headers for name in _BROWSER_HEADERS):
                raise RequestError(403, "AccessDenied", "botohook answers no request a web browser sends")
            target = urlsplit(self.path)
            controlled = target.path.startswith(_control.PREFIX)
            raw = self.body(_control.MAX_BODY if controlled else None)
            if controlled:
                self._control(target.path[len(_control.PREFIX) :], target.query, raw)
                return
            if self.command == "GET":
                if raw:
                    raise RequestError(400, "InvalidRequest", "A GET request carries its parameters in the URL")
                raw = target.query.encode()
            elif self.command != "POST":
                raise RequestError(405, "MethodNotAllowed", f"EC2's Query API answers GET and POST, not {self.command}")
            self._ec2(raw)
        except RequestError as error:
            self.refuse(error)

    def _ec2(self, raw: bytes) -> None:
        key, region, service = _scope(self.headers.get("Authorization", ""))
        if key == "":
            raise RequestError(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
        if service not in _SERVICES:
            self._refuse_service(service)
            return
        try:
            params = request_params(raw.decode())
        except ValueError:
            raise RequestError(400, "MalformedQueryString", "The request is not a form-encoded Query request") from None
        action = params.get("Action")
        if not action:
            raise RequestError(400, "MissingAction", "The request must contain the parameter Action")
        request_id = str(uuid.uuid4())
        try:
            status, body, code = self.server.botohook.respond(action, region, params, request_id, service)
        except Exception:  # a botohook bug: answer it, log it, keep serving
            code = "InternalError"
            status, body = 500, refusal(service, code, f"botohook failed (request {request_id})", request_id)[2]
            self.server.log.note(f"request {request_id} failed:\n{traceback.format_exc()}")
        self.server.log.record(action, region, code or "ok")
        self._send(status, body, request_id, service)

    def _refuse_service(self, service: str) -> None:
        request_id = str(uuid.uuid4())
        message = (
            f"botohook does not simulate the {service} service (it simulates EC2, and STS and IAM's who-am-I "
            "calls); point this client at the real service or leave it out of the test"
        )
        content_type, headers, body = refusal(service, "UnsupportedOperation", message, request_id)
        self.server.log.record("-", service, "UnsupportedOperation")
        self.reply(400, body, content_type, {"x-amzn-RequestId": request_id, **headers})

    def _control(self, route: str, query: str, raw: bytes) -> None:
        try:
            status, answer = _control.handle(self.server.botohook, self.command, route, dict(parse_qsl(query)), raw)
        except Exception:  # a botohook bug: answer it, log it, keep serving
            status, answer = 500, {"error": "botohook failed; the traceback is in the server's log"}
            self.server.log.note(f"control request failed:\n{traceback.format_exc()}")
        self.server.log.record(f"{self.command} {_control.PREFIX}{route}", "-", str(status))
        self.reply(status, json.dumps(answer, allow_nan=False).encode(), "application/json")

    def refuse(self, error: RequestError) -> None:
        self.close_connection = True
        self.server.log.record("-", "-", error.code)
        if self._controlled():  # the control API's own format
            self.reply(error.status, json.dumps({"error": error.message}).encode(), "application/json")
            return
        request_id = str(uuid.uuid4())
        self._send(error.status, refusal("ec2", error.code, error.message, request_id)[2], request_id)

    def _controlled(self) -> bool:
        """Whether the request (as far as it was read) is for the control API."""
        return urlsplit(getattr(self, "path", "")).path.startswith(_control.PREFIX)

    def _send(self, status: int, body: bytes, request_id: str, service: str = "ec2") -> None:
        content_type = "text/xml;charset=UTF-8" if service == "ec2" else "text/xml"
        self.reply(status, body, content_type, {"x-amzn-RequestId": request_id})


def _scope(authorization: str) -> Tuple[str | None, str, str]:
    """``(access key, region, service)`` from a SigV4 ``Authorization`` header's credential scope
    (``Credential=KEY/YYYYMMDD/REGION/SERVICE/aws4_request``), in time linear in the header; without one, no key,
    :data:`DEFAULT_REGION` and EC2."""
    start = authorization.find("Credential=")
    if start >= 0:
        parts = _TOKEN_END.split(authorization[start + len("Credential=") :], maxsplit=1)[0].split("/")
        if len(parts) == 5 and parts[4] == "aws4_request" and len(parts[1]) == 8 and parts[2] and parts[3]:
            return parts[0], parts[2], parts[3]
    return None, DEFAULT_REGION, "ec2"


class _HTTPServer(QuietServer):
    botohook: Server
    log: RequestLog

    def report(self, trace: str) -> None:
        self.log.note(f"a request failed outside its answer:\n{trace}")


@contextmanager
def serve(
    simulator: Simulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    region: str | None = None,
    log: Callable[[str], None] | None = None,
    log_format: str = "text",
) -> Iterator[Server]:
    """Serve ``simulator`` (default: the one answering calls here, that of the innermost active ``mock()``, else a
    new one) as EC2's Query API on ``host:port`` (port 0: any free port; ``host`` an IPv4 or IPv6 address, loopback
    by default) until the block ends, then free the port and remove the files it wrote for child processes.

    ``region`` goes into :attr:`Server.environ` for child processes; ``log`` receives one line per request
    (``log_format``: ``"text"`` or ``"json"``), from a thread of its own: a slow or failing ``log`` never holds up
    an answer (:class:`RequestLog`).
    """
    if simulator is None:
        from ._active import innermost

        simulator = innermost() or Simulator()
    request_log = RequestLog(log, log_format) if log is not None else _NoLog()
    httpd = _HTTPServer((host, port), _Handler)
    with tempfile.TemporaryDirectory(prefix="botohook-") as config_dir:
        server = Server(simulator, host, httpd.server_address[1], region, Path(config_dir))
        httpd.botohook = server
        httpd.log = server.log = request_log
        try:
            with running(httpd), server._stack:
                yield server
        finally:
            request_log.close()
