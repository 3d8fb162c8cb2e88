"""The pytest plugin, exercised with pytester: the flag, the ini option, the fixture and the marker.

Inner runs are subprocesses, as in real use: pytester's in-process runs restore ``sys.modules`` afterwards, which
would leave this process with two copies of botohook's modules and their state.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

INNER = """
import boto3
import pytest
import botohook

MODULE_CLIENT = boto3.client("ec2", region_name="us-east-1")  # made at import, before any test runs

def test_module_level_client_is_simulated():
    assert MODULE_CLIENT.describe_vpcs()["Vpcs"][0]["IsDefault"]

def test_creates_a_vpc():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 2

def test_next_test_starts_fresh(botohook):
    assert botohook is botohook_module.current()
    assert len(boto3.client("ec2", region_name="us-east-1").describe_vpcs()["Vpcs"]) == 1

@pytest.mark.botohook(allocation="lowest", default_vpc=False)
def test_marker_configures_the_simulator(botohook):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    assert ec2.describe_vpcs()["Vpcs"] == []

botohook_module = botohook
"""


def test_flag_runs_every_test_inside_the_simulation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    pytester.runpytest_subprocess("--botohook").assert_outcomes(passed=4)


def test_ini_option_does_the_same(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER)
    pytester.makeini("[pytest]\nbotohook = true\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=4)


def test_without_the_flag_only_the_fixture_simulates(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import boto3
        import pytest
        import botohook

        def test_nothing_is_active():
            with pytest.raises(RuntimeError):
                botohook.current()

        @pytest.mark.botohook(seed=11, allocation="lowest")
        def test_fixture_activates_a_simulator(botohook):
            ec2 = boto3.client("ec2", region_name="us-east-1")
            subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1a"]}])
            subnet_id = subnet["Subnets"][0]["SubnetId"]
            eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
            assert eni["PrivateIpAddress"] == "172.31.0.4"
            assert botohook.interface(eni["NetworkInterfaceId"]).primary_address == "172.31.0.4"
    """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=2)


def test_class_marker_and_closest_marker_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import pytest

        @pytest.mark.botohook(account_id="111111111111", allocation="lowest")
        class TestAccount:
            @pytest.mark.botohook(account_id="222222222222")
            def test_closest(self, botohook):
                assert botohook.account_id == "222222222222"

            def test_class_level(self, botohook):
                assert botohook.account_id == "111111111111"
    """
    )
    pytester.runpytest_subprocess("--botohook").assert_outcomes(passed=2)


def test_importing_the_plugin_imports_neither_boto3_nor_botocore() -> None:
    code = (
        "import sys, botohook.pytest_plugin; "
        "loaded = [m for m in ('boto3', 'botocore') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_calls_outside_a_tests_simulation_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import boto3
        import pytest

        @pytest.fixture(scope="module")
        def shared_vpc():
            return boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.0.0.0/16")

        def test_uses_a_module_fixture(shared_vpc):
            pass
        """
    )
    result = pytester.runpytest_subprocess("--botohook")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ec2.CreateVpc was called outside any simulation*function-scoped*"])
    result.stdout.fnmatch_lines(["*outside any simulation*function-scoped*botohook.mock() around their calls*"])
    result.stdout.no_fnmatch_line("*passthrough*")  # the advice that helps here (issue 20 item 13)


def test_the_server_fixture_serves_the_tests_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import os, subprocess, sys

        CHILD = "import boto3; print(boto3.client('ec2').create_vpc(CidrBlock='10.8.0.0/16')['Vpc']['VpcId'])"

        def test_a_child_process_reaches_the_simulation(botohook, botohook_server):
            environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            environ.update(botohook_server.environ, AWS_DEFAULT_REGION="us-east-1")
            done = subprocess.run([sys.executable, "-c", CHILD], env=environ, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            assert botohook.vpc(done.stdout.strip()).cidr == "10.8.0.0/16"
            assert botohook_server.simulator is botohook
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    pytester.runpytest_subprocess("--botohook").assert_outcomes(passed=1)


def test_the_marker_points_instance_metadata_at_an_instance_of_the_tests_world(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import pytest
        import requests

        WORLD = {"regions": {"us-east-1": {
            "interfaces": [{"id": "eni-12345678", "subnet": "SUBNET", "primary": "172.31.0.10"}],
            "instances": [{"id": "i-12345678", "type": "t3.micro",
                           "interfaces": [{"interface": "eni-12345678", "device_index": 0}]}],
        }}}

        @pytest.mark.botohook(metadata_as="i-12345678", imds_v1=True)
        def test_reads_itself(botohook):
            subnet = next(s.id for s in botohook.region("us-east-1").subnets.values() if s.zone.name == "us-east-1a")
            WORLD["regions"]["us-east-1"]["interfaces"][0]["subnet"] = subnet
            botohook.load(WORLD)
            base = "http://169.254.169.254/latest/meta-data"
            assert requests.get(f"{base}/instance-id", timeout=5).text == "i-12345678"
            assert requests.get(f"{base}/local-ipv4", timeout=5).text == "172.31.0.10"
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    pytester.runpytest_subprocess("--botohook").assert_outcomes(passed=1)


def test_the_run_fixture_runs_a_program_as_an_instance_of_the_tests_simulation(pytester: pytest.Pytester) -> None:
    from botohook._netns import unavailable

    reason = unavailable()
    pytester.makepyfile(
        test_inner="""
        import boto3

        def test_a_program_reads_its_own_instance_id(botohook, botohook_run):
            ec2 = boto3.client("ec2", region_name="us-east-1")
            node = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)["Instances"][0]
            done = botohook_run(node["InstanceId"], ["sh", "-c", "cat /sys/class/net/eth0/address"],
                                capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == node["NetworkInterfaces"][0]["MacAddress"]
        """
    )
    result = pytester.runpytest_subprocess("-rs")
    if reason is None:
        result.assert_outcomes(passed=1)
    else:  # skipped, saying why
        result.assert_outcomes(skipped=1)
        result.stdout.fnmatch_lines([f"*botohook_run: {reason}*"])
