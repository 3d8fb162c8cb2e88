"""The HTTP face against clients that frame requests wrongly or send what no SDK sends: nothing runs that did not
arrive whole, no leftover byte is read as a request, every refusal is an error document a client can parse (EC2's,
or the refused service's own protocol), and nothing of botohook's insides reaches a client or forges a log line."""

from __future__ import annotations

import json
import socket
import time
from typing import Iterator, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import botohook

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
OPTIONS = dict(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b", config=NO_RETRIES)


@pytest.fixture
def logged() -> List[str]:
    return []


@pytest.fixture
def server(logged: List[str]) -> Iterator[botohook.Server]:
    with botohook.serve(botohook.Simulator(seed=5, strict=True), log=logged.append) as running:
        yield running


def exchange(server: botohook.Server, raw: bytes, shut: bool = True) -> bytes:
    """Send ``raw`` on a new connection (then half-close it), and read everything the server sends back."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(raw)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def interfaces(server: botohook.Server) -> int:
    return len(server.client().describe_network_interfaces()["NetworkInterfaces"])


def test_a_body_shorter_than_announced_is_refused_and_runs_nothing(server: botohook.Server) -> None:
    subnet = server.client().describe_subnets()["Subnets"][0]["SubnetId"]
    body = f"Action=CreateNetworkInterface&Version=2016-11-15&SubnetId={subnet}".encode()
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body) + 1}\r\n\r\n".encode()
    answer = exchange(server, head + body)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>IncompleteBody</Code>" in answer
    assert interfaces(server) == 0
    assert [c.operation for c in server.simulator.calls] == ["DescribeSubnets", "DescribeNetworkInterfaces"]


def test_leftover_bytes_are_never_read_as_a_second_request(server: botohook.Server) -> None:
    subnet = server.client().describe_subnets()["Subnets"][0]["SubnetId"]
    smuggled = f"POST / HTTP/1.1\r\nContent-Length: 62\r\n\r\nAction=CreateNetworkInterface&SubnetId={subnet}"
    raw = f"GET /?Action=DescribeVpcs HTTP/1.1\r\nContent-Length: {len(smuggled)}\r\n\r\n{smuggled}".encode()
    answer = exchange(server, raw)
    assert answer.count(b"HTTP/1.1 ") == 1  # one answer, then the connection closed
    assert b"<Code>InvalidRequest</Code>" in answer and b"Connection: close" in answer
    assert interfaces(server) == 0


def test_conflicting_content_lengths_are_refused(server: botohook.Server) -> None:
    body = b"Action=DescribeVpcs&Version=2016-11-15"
    raw = b"POST / HTTP/1.1\r\nContent-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(body) + body
    answer = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"conflicting Content-Length" in answer
    assert server.simulator.calls == []


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "MethodNotAllowed"),
        (b"BREW / HTTP/1.1\r\n\r\n", 501, "NotImplemented"),
        (b"GET / HTTP/2.0\r\n\r\n", 505, "HTTPVersionNotSupported"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "RequestURITooLong"),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(200)) + b"\r\n", 431, None),
        (b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n", 400, "InvalidRequest"),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "InvalidRequest"),
    ],
    ids=["put", "unknown-method", "http2", "long-url", "many-headers", "superscript-length", "negative-length"],
)
def test_what_http_server_refuses_is_an_ec2_error_not_an_html_page(
    server: botohook.Server, raw: bytes, status: int, code: str | None
) -> None:
    answer = exchange(server, raw)
    head, _, document = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.") and int(head.split()[1]) == status
    assert b"<html" not in answer.lower() and b"<!DOCTYPE" not in answer
    assert document.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>')
    if code is not None:
        assert f"<Code>{code}</Code>".encode() in document
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1  # and the server keeps serving


def test_an_http_1_0_client_that_asks_to_keep_alive_is_told_so(server: botohook.Server) -> None:
    body = b"Action=DescribeVpcs&Version=2016-11-15"
    request = b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        for _ in range(2):  # two answers on one connection, each framed and announced as kept alive
            sock.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(1)
            assert b"Connection: keep-alive" in head
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            answer = b""
            while len(answer) < length:
                answer += sock.recv(length - len(answer))
            assert answer.endswith(b"</DescribeVpcsResponse>")


def test_a_head_request_is_refused_with_headers_only(server: botohook.Server) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\n\r\nGET /?Action=DescribeVpcs HTTP/1.1\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 501 ") and answer.endswith(b"\r\n\r\n")  # no body, then closed


def test_an_answer_is_one_write_with_one_date_header(server: botohook.Server) -> None:
    body = b"Action=DescribeVpcs&Version=2016-11-15"
    answer = exchange(server, b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    head = answer.partition(b"\r\n\r\n")[0].decode()
    assert [line.split(":")[0] for line in head.splitlines()].count("Date") == 1


def test_a_bug_inside_botohook_answers_without_its_traceback(
    monkeypatch: pytest.MonkeyPatch, server: botohook.Server, logged: List[str]
) -> None:
    from botohook.ec2 import OPERATIONS

    def broken(region: object, params: object) -> object:
        raise KeyError("a bug in /some/secret/path.py")

    monkeypatch.setitem(OPERATIONS, "DescribeSubnets", broken)
    with pytest.raises(ClientError) as caught:
        server.client(config=NO_RETRIES).describe_subnets()
    error = caught.value.response["Error"]
    request_id = caught.value.response["ResponseMetadata"]["RequestId"]
    assert error["Code"] == "InternalError"
    assert error["Message"] == f"botohook failed (request {request_id})"
    assert "Traceback" not in error["Message"] and "secret" not in error["Message"]
    server.log.flush()
    server_log = "\n".join(logged)
    assert f"request {request_id} failed" in server_log and "/some/secret/path.py" in server_log


def test_what_a_client_sends_cannot_forge_a_log_line(server: botohook.Server, logged: List[str]) -> None:
    raw = b"GET /?Action=DescribeVpcs%0aDeleteVpc%20us-east-1%20ok HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
    exchange(server, raw)
    scope = "AWS4-HMAC-SHA256 Credential=AKID/20261205/\x1b[31mred/ec2/aws4_request, Signature=0"
    body = b"Action=DescribeVpcs"
    exchange(server, b"POST / HTTP/1.1\r\nAuthorization: %s\r\nContent-Length: 19\r\n\r\n" % scope.encode() + body)
    server.client().describe_vpcs()
    server.log.flush()  # lines are written by the log's own thread
    lines = "\n".join(logged).splitlines()
    assert all(line.startswith("#") or len(line.split(" ")) == 3 for line in lines if '"' not in line), lines
    assert not any("\x1b" in line or line.startswith("DeleteVpc") for line in lines)
    assert logged[0] == '"DescribeVpcs\\nDeleteVpc us-east-1 ok" us-east-1 InvalidAction'
    assert logged[-1] == "DescribeVpcs us-east-1 ok"


def test_a_made_up_region_is_refused_as_an_endpoint_refuses_it_and_builds_nothing(server: botohook.Server) -> None:
    with pytest.raises(ClientError) as caught:
        server.client("us-east1", config=NO_RETRIES).describe_vpcs()
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "not 'us-east1'" in caught.value.response["Error"]["Message"]
    assert "us-east1" not in server.simulator._regions


def test_a_request_without_an_access_key_is_refused(server: botohook.Server) -> None:
    # EC2 refuses a request that names no access key (issue 21 item 13); botohook never checks a key's validity.
    scope = "AWS4-HMAC-SHA256 Credential=/20261205/us-east-1/ec2/aws4_request, Signature=0"
    body = b"Action=CreateVpc&CidrBlock=10.9.0.0%2F16&Version=2016-11-15"
    answer = exchange(server, b"POST / HTTP/1.1\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n" % (
        scope.encode(), len(body)) + body)  # fmt: skip
    assert answer.startswith(b"HTTP/1.1 401 ") and b"<Code>AuthFailure</Code>" in answer
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1


@pytest.mark.parametrize(
    ("service", "call", "protocol"),
    [
        ("ssm", lambda c: c.get_parameter(Name="/x"), "json"),
        ("dynamodb", lambda c: c.list_tables(), "json"),
        ("lambda", lambda c: c.list_functions(), "rest-json"),
        ("s3", lambda c: c.list_buckets(), "rest-xml"),
        ("route53", lambda c: c.list_hosted_zones(), "rest-xml"),
        ("sqs", lambda c: c.list_queues(), "query or json"),
        ("sts", lambda c: c.get_session_token(), "query"),
    ],
)
def test_an_unsimulated_service_is_refused_in_its_own_protocol(
    server: botohook.Server, service: str, call: object, protocol: str
) -> None:
    client = boto3.client(service, endpoint_url=server.endpoint_url, **OPTIONS)  # type: ignore[call-overload]
    with pytest.raises(ClientError) as caught:
        call(client)  # type: ignore[operator]
    error = caught.value.response["Error"]
    assert error["Code"] == "UnsupportedOperation", (protocol, caught.value.response)
    assert "botohook does not simulate" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_server_open_beyond_loopback_says_so_and_prints_a_url_clients_can_use() -> None:
    with botohook.serve(host="0.0.0.0") as server:
        assert server.exposed
        assert server.endpoint_url == f"http://127.0.0.1:{server.port}"
        assert server.client().describe_vpcs()["Vpcs"]
    with botohook.serve() as server:
        assert not server.exposed


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    try:
        with botohook.serve(host="::1") as server:
            assert server.endpoint_url == f"http://[::1]:{server.port}" and not server.exposed
            assert server.client().describe_vpcs()["Vpcs"]
    except OSError as error:
        pytest.skip(f"IPv6 loopback is not available here: {error}")


def test_a_log_nobody_reads_never_holds_up_an_answer() -> None:
    import threading

    blocked = threading.Event()

    def stuck(line: str) -> None:  # a stdout pipe nobody reads: the first write never returns
        blocked.wait()

    try:
        with botohook.serve(log=stuck) as server:
            ec2 = server.client()
            for _ in range(300):
                ec2.describe_vpcs()
    finally:
        blocked.set()


def test_a_failing_log_stops_logging_not_serving() -> None:
    def broken(line: str) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with botohook.serve(log=broken) as server:
        ec2 = server.client()
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
        assert len(server.simulator.interface(eni).secondary_addresses) == 1  # once: no lost answer, no retry


def test_json_log_lines() -> None:
    lines: List[str] = []
    with botohook.serve(log=lines.append, log_format="json") as server:
        server.client().describe_vpcs()
    expected = {"operation": "DescribeVpcs", "region": "us-east-1", "result": "ok"}
    assert [json.loads(line) for line in lines] == [expected]


def test_a_huge_authorization_header_is_read_in_linear_time(server: botohook.Server) -> None:
    raw = b"GET /?Action=DescribeVpcs HTTP/1.1\r\nAuthorization: " + b"Credential=" * 5_900 + b"\r\n\r\n"
    started = time.monotonic()
    answer = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.1 200 ") and time.monotonic() - started < 0.5  # a quadratic scan took 1.7 s


def test_a_web_page_cannot_drive_the_server(server: botohook.Server) -> None:
    # an <img> or a form post from any web page reaches loopback; no SDK, CLI or curl sends these headers
    for header in (b"Origin: http://evil.example", b"Sec-Fetch-Site: cross-site"):
        answer = exchange(server, b"GET /?Action=CreateVpc&CidrBlock=10.77.0.0/16 HTTP/1.1\r\n%s\r\n\r\n" % header)
        assert answer.startswith(b"HTTP/1.1 403 ") and b"<Code>AccessDenied</Code>" in answer
        answer = exchange(server, b"POST /_botohook/reset HTTP/1.1\r\n%s\r\nContent-Length: 0\r\n\r\n" % header)
        assert answer.startswith(b"HTTP/1.1 403 ")
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1


def test_a_failure_outside_any_answer_is_logged(server: botohook.Server, logged: List[str]) -> None:
    server.simulator.faults.add("DescribeVpcs", "X")
    server.simulator.faults._rules[0].status = "x"  # type: ignore[assignment]  # what add() now refuses
    exchange(server, b"GET /?Action=DescribeVpcs HTTP/1.1\r\n\r\n")
    server.log.flush()
    assert any("a request failed outside its answer" in line for line in logged)


def test_the_environment_keeps_ipv6_loopback_off_any_proxy() -> None:
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    try:
        with botohook.serve(host="::1") as server:
            assert server.environ["no_proxy"].split(",")[-3:] == ["::1", "[::1]", "169.254.169.254"]
    except OSError as error:
        pytest.skip(f"IPv6 loopback is not available here: {error}")


def test_a_served_log_leaves_no_thread_behind() -> None:
    import threading

    before = threading.active_count()
    for _ in range(5):
        with botohook.serve(log=lambda line: None) as server:
            server.client().describe_vpcs()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


@pytest.mark.parametrize(
    ("host", "exposed"),
    [("127.0.0.1", False), ("127.0.0.2", False), ("::1", False), ("::ffff:127.0.0.1", False), ("localhost", False),
     ("0.0.0.0", True), ("::", True), ("10.1.2.3", True), ("example.internal", True)],
)  # fmt: skip
def test_what_counts_as_beyond_loopback(host: str, exposed: bool) -> None:
    from botohook.server import _loopback

    assert _loopback(host) is not exposed


def test_the_control_api_refuses_in_json_and_takes_a_large_world(server: botohook.Server) -> None:
    answer = exchange(server, b"POST /_botohook/world HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {
        "error": "botohook needs a Content-Length (no chunked bodies)"
    }
    world = {"regions": {"us-east-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.8.0.0/16",
                                                  "tags": {"padding": "x" * 250}}]}}}  # fmt: skip
    body = json.dumps(world).encode() + b" " * (2 << 20)  # over EC2's 1 MiB, as a large dump would be
    head = b"POST /_botohook/world HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body)
    answer = exchange(server, head + body)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert server.simulator.vpc("vpc-0a1b2c3d4e5f60718").cidr == "10.8.0.0/16"
