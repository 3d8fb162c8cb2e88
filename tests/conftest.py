"""Shared fixtures: a strict simulator per test, a genuine boto3 client, and a guard against any network use."""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import socket
from typing import Any, Dict, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

import botohook

REGION = "us-east-1"
LOOPBACK = "127.0.0.1"
AMI = "ami-0123456789abcdef0"


def needs_aws_cli_v1() -> None:
    """Skip unless the AWS CLI v1 (the ``awscli`` package) is installed. It is looked for, not imported: importing
    it sets AWS_DATA_PATH in this process, after which later tests' sessions keep model loaders of their own."""
    if importlib.util.find_spec("awscli") is None:
        pytest.skip("needs the AWS CLI v1 (pip install awscli; the test extra has it)")


class NetworkUsedError(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection beyond loopback, or any name look-up, fails the test: botohook must never touch the network.
    Connections to loopback are allowed (``botohook.serve()`` listens there), and so is "resolving" an address
    written as numbers (no look-up happens; the connection that follows is checked)."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def refuse(*args: Any) -> Any:
        raise NetworkUsedError(f"network use attempted: {args!r}")

    def loopback_only(sock: socket.socket, address: Any) -> Any:
        if not (isinstance(address, tuple) and address[0] in (LOOPBACK, "::1")):
            refuse(address)
        return connect(sock, address)

    def numbers_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            refuse(host, *args)
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", numbers_only)


@pytest.fixture
def sim() -> Iterator[botohook.Simulator]:
    with botohook.mock(seed=7, strict=True) as simulator:
        yield simulator


@pytest.fixture(params=["in-process", "http"])
def ec2(request: pytest.FixtureRequest, sim: botohook.Simulator) -> Iterator[Any]:
    """A genuine client of the test's simulator, through each transport: answered in-process by the botocore hook,
    and over HTTP by ``botohook.serve()`` (EC2's Query protocol and XML). Any difference is a transport bug."""
    if request.param == "in-process":
        yield boto3.client("ec2", region_name=REGION)
        return
    with botohook.serve(sim) as server:
        yield server.client(REGION)


@pytest.fixture
def vpc_id(ec2: Any) -> str:
    return str(ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


@pytest.fixture
def subnet_id(ec2: Any, vpc_id: str) -> str:
    return str(
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    )


@pytest.fixture
def eni_id(ec2: Any, subnet_id: str) -> str:
    return str(ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"])


@contextlib.contextmanager
def unsimulated(ec2: Any, match: str) -> Iterator[None]:
    """Assert that the block is refused as not simulated: ``UnsimulatedOperationError`` in-process; over HTTP,
    where no Python exception crosses the wire, EC2's error document with code ``UnsupportedOperation``."""
    if ec2.meta.endpoint_url.startswith(f"http://{LOOPBACK}:"):
        with pytest.raises(ClientError, match=match) as caught:
            yield
        assert caught.value.response["Error"]["Code"] == "UnsupportedOperation"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    else:
        with pytest.raises(botohook.UnsimulatedOperationError, match=match):
            yield


def new_eni(ec2: Any, subnet_id: str, **kwargs: Any) -> str:
    """A new interface in the subnet; its id."""
    return str(ec2.create_network_interface(SubnetId=subnet_id, **kwargs)["NetworkInterface"]["NetworkInterfaceId"])


def free(ec2: Any, subnet_id: str) -> int:
    """The subnet's AvailableIpAddressCount."""
    return int(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"])


def snapshot(ec2: Any) -> Dict[str, Any]:
    """Everything a client can see of the region, to show that a failed call changed nothing."""
    state: Dict[str, Any] = {}
    for name, call, key in [
        ("vpcs", ec2.describe_vpcs, "Vpcs"),
        ("subnets", ec2.describe_subnets, "Subnets"),
        ("enis", ec2.describe_network_interfaces, "NetworkInterfaces"),
        ("tags", ec2.describe_tags, "Tags"),
        ("instances", ec2.describe_instances, "Reservations"),
        ("addresses", ec2.describe_addresses, "Addresses"),
        ("security_groups", ec2.describe_security_groups, "SecurityGroups"),
        ("route_tables", ec2.describe_route_tables, "RouteTables"),
        ("internet_gateways", ec2.describe_internet_gateways, "InternetGateways"),
    ]:
        state[name] = call()[key]
    state["reservations"] = [
        ec2.get_subnet_cidr_reservations(SubnetId=s["SubnetId"])["SubnetIpv4CidrReservations"] for s in state["subnets"]
    ]
    return state


@contextlib.contextmanager
def ec2_error(
    code: str, message: str | None = None, *, contains: str | None = None, status: int = 400, unchanged: Any = None
) -> Iterator[None]:
    """Assert that the block raises EC2's error (code, message, HTTP status) and, given a client, changes nothing."""
    before = snapshot(unchanged) if unchanged is not None else None
    with pytest.raises(ClientError) as caught:
        yield
    error = caught.value.response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message
    if contains is not None:
        assert contains in error["Message"], error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert f"An error occurred ({code}) when calling the" in str(caught.value)
    if unchanged is not None:
        assert snapshot(unchanged) == before
