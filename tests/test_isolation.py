"""Isolation and coexistence: accounts, xdist workers, botocore's Stubber, moto's mock_aws."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

import botohook


def test_accounts_are_separate_simulators() -> None:
    first, second = boto3.Session(region_name="us-east-1"), boto3.Session(region_name="us-east-1")
    botohook.install(first, account_id="111111111111", strict=True)
    botohook.install(second, account_id="222222222222", strict=True)
    try:
        a, b = first.client("ec2"), second.client("ec2")
        vpc = a.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
        assert vpc["OwnerId"] == "111111111111"
        assert b.describe_vpcs()["Vpcs"][0]["OwnerId"] == "222222222222"
        assert vpc["VpcId"] not in [v["VpcId"] for v in b.describe_vpcs()["Vpcs"]]
    finally:
        botohook.uninstall(first)
        botohook.uninstall(second)


def test_installed_simulator_wins_over_an_active_mock() -> None:
    session = boto3.Session(region_name="us-east-1")
    installed = botohook.install(session)
    try:
        with botohook.mock() as mocked:
            session.client("ec2").describe_vpcs()
            boto3.client("ec2", region_name="us-east-1").describe_vpcs()
        assert len(installed.calls) == len(mocked.calls) == 1
    finally:
        botohook.uninstall(session)


def test_a_stubber_answers_only_what_botohook_lets_through(sim: botohook.Simulator) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")  # in-process: a Stubber answers at before-call, as botohook
    with Stubber(ec2) as stub:
        stub.add_response("describe_vpcs", {"Vpcs": []})
        assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # botohook answered first: the Stubber's answer stays queued
        with pytest.raises(AssertionError):
            stub.assert_no_pending_responses()


def test_fresh_simulator_per_test_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import boto3
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_each_starts_fresh(n):
            ec2 = boto3.client("ec2", region_name="us-east-1")
            assert len(ec2.describe_vpcs()["Vpcs"]) == 1
            ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")
        """
    )
    pytester.runpytest_subprocess("--botohook", "-n", "2", "-p", "xdist").assert_outcomes(passed=6)


moto = pytest.importorskip("moto")


def test_layered_over_moto_with_passthrough() -> None:
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        with botohook.mock(passthrough=True) as sim:
            ec2 = boto3.client("ec2", region_name="us-east-1")
            ec2.create_vpc(CidrBlock="10.9.0.0/16")
            s3.create_bucket(Bucket="answered-by-moto")
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["answered-by-moto"]
        assert [c.operation for c in sim.calls] == ["CreateVpc"]
        assert "10.9.0.0/16" not in [v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]]  # moto never saw it


def test_refuses_to_start_beside_moto_without_passthrough() -> None:
    with moto.mock_aws():
        with pytest.raises(botohook.ConflictError, match="passthrough=True"), botohook.mock():
            pass
        with pytest.raises(botohook.ConflictError):
            botohook.install(boto3.Session(region_name="us-east-1"))
    with botohook.mock():
        pass
