"""botohook.serve(): the simulation over HTTP, for other processes. What every transport shares (the behaviour of each
operation) runs through it from the parametrised ``ec2`` fixture; here is what only HTTP has: the environment for a
child, bad requests, concurrency from many processes, real clients as separate processes, and the command."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import botohook
from tests.conftest import REGION, needs_aws_cli_v1

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture
def server() -> Iterator[botohook.Server]:
    with botohook.serve(botohook.Simulator(seed=3, strict=True), region=REGION) as running:
        yield running


def post(server: botohook.Server, body: bytes, headers: Dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A raw HTTP request to the server, as a client that does not know botocore would send it."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("POST", "/", body=body, headers=headers or {})
    return connection.getresponse()


def child_environ(server: botohook.Server, tmp_path: Path) -> Dict[str, str]:
    """This process's environment without any AWS setting, plus what the server says a child needs."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ["AWS_CONFIG_FILE"] = environ["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    return {**environ, **server.environ}


def test_the_environment_a_child_needs_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    with botohook.serve() as server:
        assert server.endpoint_url == f"http://127.0.0.1:{server.port}"
        config, credentials = Path(server.environ["AWS_CONFIG_FILE"]), server.environ["AWS_SHARED_CREDENTIALS_FILE"]
        assert server.environ == {
            "AWS_ENDPOINT_URL": server.endpoint_url,
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false",
            "AWS_ENDPOINT_URL_EC2": server.endpoint_url,
            "AWS_ENDPOINT_URL_STS": server.endpoint_url,
            "AWS_ENDPOINT_URL_IAM": server.endpoint_url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": "botohook-testing",
            "AWS_SECRET_ACCESS_KEY": "botohook-testing",
            "AWS_SESSION_TOKEN": "",
            "AWS_SECURITY_TOKEN": "",
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_PROFILE": "default",
            "AWS_DEFAULT_PROFILE": "default",
            "NO_PROXY": "intranet.example,127.0.0.1,169.254.169.254",
            "no_proxy": "127.0.0.1,169.254.169.254",
        }
        assert f"endpoint_url = {server.endpoint_url}" in config.read_text()
    assert not config.exists()  # removed with the server
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOWN")
    with botohook.serve(region="eu-west-1") as server:
        assert server.environ["AWS_ACCESS_KEY_ID"] == "botohook-testing"  # never the parent's
        assert server.environ["AWS_DEFAULT_REGION"] == server.environ["AWS_REGION"] == "eu-west-1"
        assert "region = eu-west-1" in Path(server.environ["AWS_CONFIG_FILE"]).read_text()


def test_serves_the_callers_simulator_by_default_and_frees_its_port() -> None:
    with botohook.mock() as sim, botohook.serve() as server:
        assert server.simulator is sim
        port = server.port
        server.client().create_vpc(CidrBlock="10.4.0.0/16")
        assert [c.operation for c in sim.calls] == ["CreateVpc"]
    with botohook.serve(port=port) as again:  # the port was released
        assert again.port == port
        assert again.simulator is not sim


def test_the_region_comes_from_the_signature_scope(server: botohook.Server) -> None:
    server.client("eu-west-1").create_vpc(CidrBlock="10.5.0.0/16")
    assert [c.region for c in server.simulator.calls] == ["eu-west-1"]
    assert len(server.client("us-east-1").describe_vpcs()["Vpcs"]) == 1  # only the default VPC there
    assert len(server.client("eu-west-1").describe_vpcs()["Vpcs"]) == 2


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"Version=2016-11-15", {}, 400, "MissingAction"),
        (b"Action=DescribeKittens&Version=2016-11-15", {}, 400, "InvalidAction"),
        (b"Action=DescribeImages&Version=2016-11-15", {}, 400, "UnsupportedOperation"),
        (b"%%%&&&", {}, 400, "MalformedQueryString"),
        (b"Action=Describe\xff\xfe", {}, 400, "MalformedQueryString"),
        (b"<xml/>", {}, 400, "MalformedQueryString"),
        (b"Action=DescribeVpcs", {"Content-Length": str(2 << 20)}, 413, "RequestEntityTooLarge"),  # refused unread
        (b"Action=DescribeVpcs", {"Transfer-Encoding": "chunked"}, 411, "MissingContentLength"),
        (
            b"Action=ListBuckets",
            {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/s3/aws4_request, Signature=0"},
            400,
            "UnsupportedOperation",
        ),
    ],
    ids=["no-action", "unknown-action", "unsimulated", "garbage", "not-utf8", "xml", "too-large", "chunked", "s3"],
)
def test_bad_requests_get_ec2_errors_and_the_server_keeps_serving(
    server: botohook.Server, body: bytes, headers: Dict[str, str], status: int, code: str
) -> None:
    if headers.get("Transfer-Encoding") == "chunked":
        body = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    response = post(server, body, headers)
    document = response.read().decode()
    assert response.status == status
    assert f"<Code>{code}</Code>" in document
    if "s3/aws4_request" in headers.get("Authorization", ""):  # refused in S3's own protocol (test_server_hardening)
        assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>')
    else:
        assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>')
        assert "<RequestID>" in document
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1
    assert [c.operation for c in server.simulator.calls] == ["DescribeVpcs"]  # the bad request changed nothing


def test_a_get_query_string_is_a_request_too(server: botohook.Server) -> None:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", "/?Action=DescribeVpcs&Version=2016-11-15")
    response = connection.getresponse()
    document = response.read().decode()
    assert response.status == 200
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcsResponse xmlns=')
    assert f"<requestId>{response.getheader('x-amzn-RequestId')}</requestId>" in document
    assert response.getheader("Content-Type") == "text/xml;charset=UTF-8" and response.getheader("Date")
    assert "<vpcSet><item>" in document and "<isDefault>true</isDefault>" in document


def test_a_client_that_goes_away_mid_request_does_not_stop_the_server(server: botohook.Server) -> None:
    for partial in (b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nAction=Desc", b"POST / HTTP/1.1\r\nContent-"):
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(partial)
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1


def test_strict_mode_over_http_reports_a_bad_answer_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, server: botohook.Server
) -> None:
    from botohook.ec2 import OPERATIONS

    monkeypatch.setitem(OPERATIONS, "DescribeVpcs", lambda region, params: {"Vpcs": [{"VpcId": 7}]})
    with pytest.raises(ClientError, match=r"(?s)InternalError.*Vpcs\[0\]\.VpcId") as caught:
        server.client(config=NO_RETRIES).describe_vpcs()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_a_bug_inside_botohook_is_an_internal_error_not_a_dead_server(
    monkeypatch: pytest.MonkeyPatch, server: botohook.Server
) -> None:
    from botohook.ec2 import OPERATIONS

    def broken(region: Any, params: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setitem(OPERATIONS, "DescribeSubnets", broken)
    with pytest.raises(ClientError, match="InternalError"):
        server.client(config=NO_RETRIES).describe_subnets()
    assert len(server.client().describe_vpcs()["Vpcs"]) == 1


RACER = """
import json, sys
import boto3
from botocore.exceptions import ClientError

ec2 = boto3.client("ec2")
got, codes = [], set()
for _ in range(200):
    try:
        answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=sys.argv[1], SecondaryPrivateIpAddressCount=1)
        got.append(answer["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"])
    except ClientError as error:
        codes.add(error.response["Error"]["Code"])
print(json.dumps({"got": got, "codes": sorted(codes)}))
"""


def test_eight_processes_racing_to_exhaust_a_subnet_get_every_address_once(
    server: botohook.Server, tmp_path: Path
) -> None:
    ec2 = server.client()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.7.0/24")["Subnet"]["SubnetId"]
    enis = [ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for _ in range(8)]
    script = tmp_path / "racer.py"
    script.write_text(RACER)
    environ = child_environ(server, tmp_path)
    racers = [
        subprocess.Popen([sys.executable, str(script), eni], env=environ, stdout=subprocess.PIPE, text=True)
        for eni in enis
    ]
    results = [json.loads(racer.communicate(timeout=120)[0]) for racer in racers]
    got = [address for result in results for address in result["got"]]
    assert len(got) == len(set(got)) == 251 - 8
    codes = {code for result in results for code in result["codes"]}
    assert "InsufficientFreeAddressesInSubnet" in codes
    assert codes <= {"InsufficientFreeAddressesInSubnet", "PrivateIpAddressLimitExceeded"}
    assert sorted(got) == sorted(a for eni in enis for a in server.simulator.interface(eni).secondary_addresses)


def aws(server: botohook.Server, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI v1 as a separate process, as a shell script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "awscli", *arguments],
        env=child_environ(server, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_aws_cli_as_a_separate_process(server: botohook.Server, tmp_path: Path) -> None:
    needs_aws_cli_v1()
    subnet = aws(server, tmp_path, "ec2", "describe-subnets", "--query", "Subnets[0].SubnetId", "--output", "text")
    assert subnet.returncode == 0, subnet.stderr
    created = aws(
        server, tmp_path, "ec2", "create-network-interface", "--subnet-id", subnet.stdout.strip(),
        "--secondary-private-ip-address-count", "2", "--output", "json",
    )  # fmt: skip
    eni = json.loads(created.stdout)["NetworkInterface"]
    held = server.simulator.interface(eni["NetworkInterfaceId"])
    assert [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]] == held.private_addresses
    listed = aws(
        server, tmp_path, "ec2", "describe-network-interfaces", "--network-interface-ids", eni["NetworkInterfaceId"],
        "--query", "NetworkInterfaces[0].PrivateIpAddresses[].PrivateIpAddress", "--output", "text",
    )  # fmt: skip
    assert listed.stdout.split() == held.private_addresses
    refused = aws(
        server, tmp_path, "ec2", "assign-private-ip-addresses", "--network-interface-id", eni["NetworkInterfaceId"],
        "--private-ip-addresses", "192.0.2.1",
    )  # fmt: skip
    assert refused.returncode in (254, 255)
    assert "An error occurred (InvalidParameterValue) when calling the AssignPrivateIpAddresses operation" in (
        refused.stderr
    )
    assert held.private_addresses == [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]]


def test_the_botohook_serve_command(tmp_path: Path) -> None:
    command = subprocess.Popen(
        [sys.executable, "-m", "botohook", "serve", "--seed", "1", "--allocation", "lowest", "--region", "eu-west-1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert command.stdout is not None
        lines: List[str] = []
        while not any(line.startswith("export no_proxy=") for line in lines):  # the last line of the environment
            lines.append(command.stdout.readline().strip())
        exports = dict(line[len("export ") :].split("=", 1) for line in lines if line.startswith("export "))
        assert exports["AWS_ENDPOINT_URL_EC2"].startswith("http://127.0.0.1:")
        ec2 = boto3.client(
            "ec2",
            endpoint_url=exports["AWS_ENDPOINT_URL_EC2"],
            region_name=exports["AWS_REGION"],
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        subnet = ec2.describe_subnets()["Subnets"][0]
        assert subnet["AvailabilityZone"].startswith("eu-west-1")
        with pytest.raises(ClientError):
            ec2.describe_images()
        assert command.stdout.readline().strip() == "DescribeSubnets eu-west-1 ok"
        assert command.stdout.readline().strip() == "DescribeImages eu-west-1 UnsupportedOperation"
    finally:
        command.send_signal(signal.SIGTERM)
        out, _ = command.communicate(timeout=30)
    assert command.returncode == 0
    assert out.strip().endswith("# botohook: stopped")


def test_a_bash_script_reads_the_printed_exports(tmp_path: Path) -> None:
    needs_aws_cli_v1()
    script = tmp_path / "use.sh"
    script.write_text(
        textwrap.dedent(
            f"""
            set -euo pipefail
            {sys.executable} -m botohook serve --seed 2 --region us-east-1 > served &
            server=$!
            trap 'kill $server' EXIT
            until grep -q '^export AWS_REGION' served 2>/dev/null; do sleep 0.05; done
            eval "$(grep '^export' served)"
            {sys.executable} -m awscli ec2 describe-vpcs --query 'Vpcs[].CidrBlock' --output text
            """
        )
    )
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["172.31.0.0/16"]


NODE_PROGRAM = Path(__file__).parent / "node" / "move_address.cjs"
NODE_SDK = Path(__file__).parent / "node" / "node_modules" / "@aws-sdk" / "client-ec2"


def test_a_node_program_using_the_aws_sdk_for_javascript(server: botohook.Server, tmp_path: Path) -> None:
    if shutil.which("node") is None or not NODE_SDK.is_dir():
        pytest.skip("needs node and `npm install --prefix tests/node` (.ci/run does both)")
    done = subprocess.run(
        ["node", str(NODE_PROGRAM)], env=child_environ(server, tmp_path), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    sim = server.simulator
    assert result["floating"] in sim.interface(result["second"]).secondary_addresses
    assert result["floating"] not in sim.interface(result["first"]).secondary_addresses
    assert result["holders"] == [result["second"]]
    assert result["refused"] == {
        "name": "InvalidParameterValue",
        "status": 400,
        "message": "Address 192.0.2.1 does not fall within the subnet's address range",
    }


def test_who_am_i_over_http_for_other_processes(server: botohook.Server, tmp_path: Path) -> None:
    """STS GetCallerIdentity and IAM ListAccountAliases in the plain Query protocol (tools ask them first); any other
    STS or IAM operation is refused in that protocol's error document."""
    needs_aws_cli_v1()
    account = aws(server, tmp_path, "sts", "get-caller-identity", "--query", "Account", "--output", "text")
    assert account.returncode == 0, account.stderr
    assert account.stdout.strip() == server.simulator.account_id
    options = dict(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    iam = boto3.client("iam", endpoint_url=server.endpoint_url, **options)
    assert iam.list_account_aliases()["AccountAliases"] == []
    sts = boto3.client("sts", endpoint_url=server.endpoint_url, **options)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{server.simulator.account_id}:user/botohook"
    with pytest.raises(ClientError) as caught:
        sts.get_session_token()
    assert caught.value.response["Error"]["Code"] == "UnsupportedOperation"
    assert "sts.GetSessionToken" in caught.value.response["Error"]["Message"]
