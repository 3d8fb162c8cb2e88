"""Users' mistakes fail where they are written, saying what would help (issue 20, items 11 to 14)."""

from __future__ import annotations

import http.server
import importlib.metadata
import threading
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict

import boto3
import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError
from botocore.httpsession import URLLib3Session

import botohook


def test_version_is_the_distributions() -> None:
    assert botohook.__version__ == importlib.metadata.version("botohook")
    assert "__version__" in dir(botohook)


def test_version_of_a_checkout_that_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Any:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    monkeypatch.delitem(vars(botohook), "__version__", raising=False)
    project = (Path(botohook.__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{botohook.__version__}"' in project


@pytest.mark.parametrize(
    "make",
    [
        lambda: botohook.mock(sead=1),
        lambda: botohook.mock(seed=1, metadata_as="i-0123456789abcdef0", stirct=True),
        lambda: botohook.install(boto3.Session(region_name="us-east-1"), sead=1),
    ],
)
def test_an_unknown_option_fails_where_it_is_written(make: Callable[[], Any]) -> None:
    with pytest.raises(TypeError) as caught:
        make()
    message = str(caught.value)
    assert "did you mean 'seed'?" in message or "did you mean 'strict'?" in message
    assert "seed, allocation, account_id" in message and "regions" in message


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"seed": "x"}, TypeError, "seed must be an int or None, not 'x'"),
        ({"seed": 1.5}, TypeError, "seed must be an int"),
        ({"strict": "yes"}, TypeError, "strict must be True or False, not 'yes'"),
        ({"passthrough": 1}, TypeError, "passthrough must be True or False"),
        ({"elastic_ip_limit": -1}, ValueError, "elastic_ip_limit must be 0 or more"),
        ({"detached_address_limit": "64"}, TypeError, "detached_address_limit must be an int or None"),
        ({"call_time": "fast"}, ValueError, "call_time must be 0 or more"),
        ({"account_id": 123456789012}, ValueError, "account_id must be 12 digits"),
    ],
)
def test_a_bad_option_value_fails_at_construction(options: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        botohook.Simulator(**options)
    with pytest.raises(error, match=match):
        botohook.mock(**options)  # not at enter: a decorator fails where it is written, not when its test runs


def test_a_marker_with_an_unknown_option_fails_its_test_naming_the_nearest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        import pytest

        @pytest.mark.botohook(sead=1)
        def test_with_the_fixture(botohook):
            pass

        @pytest.mark.botohook(sead=1)
        def test_without_it():
            pass

        @pytest.mark.botohook(seed=1, metadata_as="i-0123456789abcdef0")
        def test_good():
            pass
        """
    )
    for flag in ([], ["--botohook"]):
        result = pytester.runpytest_subprocess(*flag)
        result.assert_outcomes(passed=1, errors=2)
        result.stdout.fnmatch_lines(["*@pytest.mark.botohook has no option 'sead' (did you mean 'seed'?)*"])


def test_a_fault_for_an_operation_botohook_does_not_simulate_is_refused(sim: botohook.Simulator) -> None:
    with pytest.raises(ValueError, match=r"'AssignPrivateIps' .*\(did you mean 'AssignPrivateIpAddresses'\?\)"):
        sim.faults.add("AssignPrivateIps", "RequestLimitExceeded")
    with pytest.raises(ValueError, match="'DescribeImages' is not an operation botohook simulates"):
        sim.faults.add("DescribeImages", "RequestLimitExceeded")
    with pytest.raises(ValueError, match="did you mean 'CreateVpc'"):
        botohook.Simulator(faults=[{"operation": "CreateVPC", "code": "InternalError"}])
    assert not sim.faults.applies_to("AssignPrivateIps")
    sim.faults.add("GetCallerIdentity", "AccessDenied")  # an operation of STS that botohook simulates
    with pytest.raises(ClientError, match="AccessDenied"):
        boto3.client("sts", region_name="us-east-1").get_caller_identity()
    sim.faults.add("AssignPrivateIpAddresses", "InternalError")
    sim.faults.add("*", "InternalError")


def test_each_refusal_says_what_would_help() -> None:
    with botohook.mock(passthrough=True):
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        with pytest.raises(botohook.UnsimulatedOperationError) as refused:
            ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.9.0/24", Ipv6Native=True)  # refused even with passthrough
    message = str(refused.value)
    assert "the parameter Ipv6Native of ec2.CreateSubnet" in message
    assert "passthrough=True does not let this through: leave it out of the call" in message
    assert "pass passthrough=True" not in message
    with botohook.mock(), pytest.raises(botohook.UnsimulatedOperationError) as unsimulated:
        boto3.client("ec2", region_name="us-east-1").describe_images()
    assert "pass passthrough=True to let unsimulated operations through." in str(unsimulated.value)


def test_the_guarantee_covers_botocore_sends_and_says_what_it_does_not_cover() -> None:
    readme = (Path(botohook.__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    guarantee = readme.split("- **No botocore request leaves the process; other traffic is the code's own.**")[1]
    guarantee = guarantee.split("\n- **")[0]
    assert "Not guarded: requests the code under test makes itself with `requests`, `urllib`" in guarantee
    assert "`169.254.169.254:80`" in guarantee and "child processes" in guarantee
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        try:
            with botohook.mock():
                with urllib.request.urlopen(url) as answer:  # the code's own request: not botohook's to refuse
                    assert answer.status == 200
                with pytest.raises(botohook.OutboundRequestError, match="no botocore request leaves the process"):
                    URLLib3Session().send(AWSRequest("GET", url).prepare())
        finally:
            httpd.shutdown()
