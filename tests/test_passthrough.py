"""passthrough=True is the one way out while a simulation is active: what it lets through is really sent (here to a
loopback server standing in for AWS), and everything else is refused before it leaves the process."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, List

import boto3
import pytest

import botohook

LIST_BUCKETS = (
    b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets><Bucket><Name>from-the-wire</Name>'
    b"<CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>"
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Here loopback is allowed (the stand-in for AWS); any other connection or name look-up fails the test."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def loopback_only(sock: socket.socket, address: Any) -> Any:
        if address[0] != "127.0.0.1":
            raise AssertionError(f"network use attempted: {address!r}")
        return connect(sock, address)

    def numeric_loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "127.0.0.1":
            raise AssertionError(f"name resolution attempted: {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    monkeypatch.setattr(socket, "getaddrinfo", numeric_loopback_only)


@pytest.fixture
def aws() -> Iterator[List[str]]:
    """A loopback server answering S3 ListBuckets; yields the paths it was asked for."""
    received: List[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(LIST_BUCKETS)))
            self.end_headers()
            self.wfile.write(LIST_BUCKETS)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield received
    server.shutdown()
    server.server_close()


def s3_client(session: Any, endpoint: str) -> Any:
    return session.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )


def test_what_passthrough_lets_through_is_sent_and_nothing_else(aws: List[str]) -> None:
    early = s3_client(boto3.Session(), aws[0])  # made before any simulation
    with botohook.mock(passthrough=True) as sim:
        assert early.list_buckets()["Buckets"][0]["Name"] == "from-the-wire"
        boto3.client("ec2", region_name="us-east-1").describe_vpcs()
    assert aws[1:] == ["/"]
    assert [c.operation for c in sim.calls] == ["DescribeVpcs"]
    with botohook.mock(), pytest.raises(botohook.UnsimulatedOperationError, match=r"s3\.ListBuckets"):
        early.list_buckets()
    assert aws[1:] == ["/"]


def test_the_simulator_that_decides_is_the_one_that_answers(aws: List[str]) -> None:
    installed_session = boto3.Session()
    installed = botohook.install(installed_session, passthrough=True)
    try:
        with botohook.mock():  # no passthrough here
            s3_client(installed_session, aws[0]).list_buckets()  # the installed simulator lets it through
            with pytest.raises(botohook.UnsimulatedOperationError):
                s3_client(boto3.Session(), aws[0]).list_buckets()
            with botohook.mock(passthrough=True):  # the innermost decides for everything else
                s3_client(boto3.Session(), aws[0]).list_buckets()
    finally:
        botohook.uninstall(installed_session)
    assert aws[1:] == ["/", "/"]
    assert installed.calls == []
