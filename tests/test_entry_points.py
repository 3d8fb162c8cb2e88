"""install()/uninstall(), mock() as context manager and decorator, and what happens outside the simulation."""

from __future__ import annotations

import asyncio
import io
import os
import unittest
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError
from botocore.stub import Stubber

import botohook

REGION = "us-east-1"
NOT_SIMULATED = (NoCredentialsError, HTTPClientError)  # went on to sign and send: not answered by botohook


def default_subnet(ec2: Any) -> str:
    return str(ec2.describe_subnets()["Subnets"][0]["SubnetId"])


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A machine with no credentials anywhere: client creation would ask instance metadata if allowed."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))


def test_install_on_a_boto3_session(no_credentials: None) -> None:
    session = boto3.Session(region_name=REGION)
    sim = botohook.install(session, seed=1, strict=True)
    ec2 = session.client("ec2")
    ec2.describe_vpcs()
    assert [c.operation for c in sim.calls] == ["DescribeVpcs"]
    assert botohook.install(session) is sim
    other = boto3.Session(region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b").client("ec2")
    with pytest.raises(NOT_SIMULATED):
        other.describe_vpcs()
    assert len(sim.calls) == 1
    botohook.uninstall(session)
    with pytest.raises(NOT_SIMULATED):
        ec2.describe_vpcs()
    assert len(sim.calls) == 1


def test_install_on_a_botocore_session_and_on_a_client(no_credentials: None) -> None:
    session = botocore.session.get_session()
    sim = botohook.install(session, strict=True)
    session.create_client("ec2", region_name=REGION).describe_vpcs()
    assert len(sim.calls) == 1
    plain = boto3.Session(region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    client = plain.client("ec2")
    sibling = plain.client("ec2")
    client_sim = botohook.install(client, strict=True)
    assert client_sim is not sim
    client.describe_vpcs()
    assert len(client_sim.calls) == 1
    with pytest.raises(NOT_SIMULATED):
        sibling.describe_vpcs()
    botohook.uninstall(client)
    with pytest.raises(NOT_SIMULATED):
        client.describe_vpcs()


def test_install_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="session or a client"):
        botohook.install(object())


def test_mock_reaches_default_session_and_new_sessions(no_credentials: None) -> None:
    with botohook.mock(strict=True) as sim:
        boto3.client("ec2", region_name=REGION).describe_vpcs()
        boto3.Session().client("ec2", region_name="eu-west-1").describe_vpcs()
        botocore.session.get_session().create_client("ec2", region_name=REGION).describe_subnets()
        assert botohook.current() is sim
    assert [(c.operation, c.region) for c in sim.calls] == [
        ("DescribeVpcs", REGION),
        ("DescribeVpcs", "eu-west-1"),
        ("DescribeSubnets", REGION),
    ]
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_EC2_METADATA_DISABLED" not in os.environ


def test_client_made_inside_mock_is_inert_afterwards(no_credentials: None) -> None:
    with botohook.mock() as sim:
        ec2 = boto3.client("ec2", region_name=REGION)
        ec2.describe_vpcs()
    with pytest.raises(NOT_SIMULATED):
        ec2.describe_vpcs()
    assert len(sim.calls) == 1
    with pytest.raises(RuntimeError, match=r"no botohook\.mock"):
        botohook.current()


def test_nested_mocks_answer_from_the_innermost(no_credentials: None) -> None:
    with botohook.mock() as outer:
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        with botohook.mock() as inner:
            assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] != [vpc]
            assert botohook.current() is inner
        assert vpc in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
        assert botohook.current() is outer


def test_decorator_gives_a_fresh_simulator_per_call(no_credentials: None) -> None:
    seen = []

    @botohook.mock(seed=5)
    def code_under_test() -> str:
        seen.append(botohook.current())
        ec2 = boto3.client("ec2", region_name=REGION)
        return str(ec2.create_network_interface(SubnetId=default_subnet(ec2))["NetworkInterface"]["PrivateIpAddress"])

    assert code_under_test() == code_under_test()
    assert seen[0] is not seen[1]

    @botohook.mock()
    async def coroutine() -> int:
        return len(boto3.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"])

    assert asyncio.run(coroutine()) == 1


def test_unsimulated_operations_and_services_raise(sim: botohook.Simulator) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    with pytest.raises(botohook.UnsimulatedOperationError, match=r"ec2\.DescribeImages") as caught:
        ec2.describe_images()
    assert not isinstance(caught.value, ClientError)
    assert "SIMULATED_OPERATIONS" in str(caught.value) and "passthrough" in str(caught.value)
    with pytest.raises(botohook.UnsimulatedOperationError, match=r"s3\.ListBuckets"):
        boto3.client("s3", region_name=REGION).list_buckets()
    assert "ec2.AssignPrivateIpAddresses" in botohook.SIMULATED_OPERATIONS


def test_passthrough_lets_unsimulated_calls_reach_the_next_handler() -> None:
    with botohook.mock(passthrough=True) as sim:
        ec2 = boto3.client("ec2", region_name=REGION)
        with Stubber(ec2) as stub:
            stub.add_response("describe_images", {"Images": []})
            assert ec2.describe_images()["Images"] == []
        assert len(ec2.describe_vpcs()["Vpcs"]) == 1
    assert [c.operation for c in sim.calls] == ["DescribeVpcs"]


def test_strict_mode_reports_a_response_that_breaks_the_output_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    from botohook.ec2 import OPERATIONS

    monkeypatch.setitem(OPERATIONS, "DescribeVpcs", lambda region, params: {"Vpcs": [{"VpcId": 7}]})
    with (
        botohook.mock(strict=True),
        pytest.raises(botohook.ResponseValidationError, match=r"(?s)DescribeVpcs.*Vpcs\[0\]\.VpcId"),
    ):
        boto3.client("ec2", region_name=REGION).describe_vpcs()
    with botohook.mock(strict=False):
        assert boto3.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"] == [{"VpcId": 7}]


def test_no_credentials_and_no_network_needed(no_credentials: None) -> None:
    with botohook.mock():
        ec2 = boto3.client("ec2", region_name=REGION, config=Config(retries={"max_attempts": 0}))
        assert ec2.describe_vpcs()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_simulator_inspection_and_reset(sim: botohook.Simulator, ec2: Any, eni_id: str, subnet_id: str) -> None:
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.9", "10.0.1.8"])
    eni = sim.interface(eni_id)
    assert eni.secondary_addresses == ["10.0.1.9", "10.0.1.8"]
    assert eni.private_addresses[1:] == eni.secondary_addresses
    assert sim.subnet(subnet_id).available == 251 - 3
    assert sim.subnet(subnet_id).cidr == "10.0.1.0/24"
    assert sim.vpc(eni.subnet.vpc.id).cidr == "10.0.0.0/16"
    assert sim.calls[-1].operation == "AssignPrivateIpAddresses" and sim.calls[-1].error is None
    sim.reset()
    with pytest.raises(KeyError):
        sim.interface(eni_id)
    assert sim.calls == []
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


def test_bad_options_fail_early() -> None:
    with pytest.raises(ValueError, match="allocation"):
        botohook.Simulator(allocation="sequential")
    with pytest.raises(ValueError, match="account_id"):
        botohook.Simulator(account_id="42")
    with pytest.raises(ValueError, match="record_calls"):
        botohook.Simulator(record_calls=-1)
    with pytest.raises(TypeError, match="record_calls"):
        botohook.Simulator(record_calls=True)


def test_the_call_record_keeps_the_latest_calls_and_counts_the_others() -> None:
    with botohook.mock(record_calls=3, strict=True) as sim:
        ec2 = boto3.client("ec2", region_name=REGION)
        for cidr in ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"):
            ec2.create_vpc(CidrBlock=cidr)
        with pytest.raises(ClientError):
            ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
        ec2.describe_subnets()
        assert [(c.operation, c.error) for c in sim.calls] == [
            ("CreateVpc", None),
            ("DescribeVpcs", "InvalidVpcID.NotFound"),
            ("DescribeSubnets", None),
        ]
        assert sim.calls[0].params["CidrBlock"] == "10.2.0.0/16"
        assert sim.dropped_calls == 2
        sim.reset()
        assert (sim.calls, sim.dropped_calls) == ([], 0)
    with botohook.mock(record_calls=0) as sim:
        boto3.client("ec2", region_name=REGION).describe_vpcs()
        assert (sim.calls, sim.dropped_calls) == ([], 1)


def test_by_default_the_latest_ten_thousand_calls_are_kept() -> None:
    sim, unbounded = botohook.Simulator(), botohook.Simulator(record_calls=None)
    for _ in range(10_002):
        sim.answer("ec2", "DescribeAvailabilityZones", REGION, {})
        unbounded.answer("ec2", "DescribeAvailabilityZones", REGION, {})
    assert (len(sim.calls), sim.dropped_calls) == (10_000, 2)
    assert (len(unbounded.calls), unbounded.dropped_calls) == (10_002, 0)


def test_sessions_made_while_simulating_share_one_model_loader() -> None:
    def loader() -> Any:
        return boto3.Session()._session.get_component("data_loader")

    assert loader() is not loader()
    with botohook.mock():
        first, second = loader(), loader()
        assert first is second
        paths = list(first.search_paths)
        boto3.Session(region_name=REGION).client("ec2").describe_vpcs()
        assert list(loader().search_paths) == paths
    assert loader() is not first


def test_async_context_manager_and_class_decorator(no_credentials: None) -> None:
    async def code_under_test() -> int:
        async with botohook.mock(default_vpc=False) as sim:
            boto3.client("ec2", region_name=REGION).describe_vpcs()
            return len(sim.calls)

    assert asyncio.run(code_under_test()) == 1

    @botohook.mock(account_id="333333333333")
    class Suite(unittest.TestCase):
        def test_owner(self) -> None:
            vpc = boto3.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"][0]
            self.assertEqual(vpc["OwnerId"], "333333333333")

        def helper(self) -> botohook.Simulator:
            return botohook.current()

    result = unittest.TextTestRunner(stream=io.StringIO()).run(unittest.defaultTestLoader.loadTestsFromTestCase(Suite))
    assert result.wasSuccessful() and result.testsRun == 1
    with pytest.raises(RuntimeError):
        Suite("helper").helper()


def test_inspection_of_instances_and_elastic_ips(
    sim: botohook.Simulator, ec2: Any, vpc_id: str, subnet_id: str
) -> None:
    node = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet_id)["Instances"][0]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)  # Elastic IPs need one
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=node["InstanceId"])
    instance = sim.instance(node["InstanceId"])
    assert instance.kind.name == "m1.small" and instance.state == "running"
    assert sim.elastic_ip(eip["AllocationId"]).interface is instance.interfaces[0]
    with pytest.raises(KeyError):
        sim.instance(eip["AllocationId"])
