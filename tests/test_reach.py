"""Every client is reached while a simulation is active, whenever and however it was made, and nothing leaves the
process: each case runs in a fresh Python process (the order of imports is the point) under a socket guard that
ends the process with exit code 97 at the first connection attempt or name resolution."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest

GUARD = """
import os, socket, sys

def _refuse(*args, **kwargs):
    sys.stderr.write(f"NETWORK USED: {args!r}\\n")
    sys.stderr.flush()
    os._exit(97)

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
"""

REAL_LOOKING_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG"}


def child_environ(tmp_path: Path, credentials: bool) -> Dict[str, str]:
    """The environment of a machine with no AWS configuration, and, with ``credentials``, keys that look real:
    a call that escaped would be signed and sent to AWS."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environ["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    environ["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    if credentials:
        environ.update(REAL_LOOKING_KEYS)
    return environ


def run_fresh(tmp_path: Path, program: str, *, credentials: bool = True) -> str:
    """Run ``program`` after the socket guard in a fresh interpreter; its stdout. Fails on any network use."""
    script = tmp_path / "program.py"
    script.write_text(GUARD + textwrap.dedent(program))
    done = subprocess.run(
        [sys.executable, str(script)],
        env=child_environ(tmp_path, credentials),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode != 97, f"the network was used:\n{done.stderr}"
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_guard_itself_catches_an_escaped_call(tmp_path: Path) -> None:
    """Without botohook the same program reaches for the network, so the guard is what the other tests rely on."""
    with pytest.raises(AssertionError, match="the network was used"):
        run_fresh(tmp_path, 'import boto3\nboto3.client("ec2", region_name="us-east-1").describe_vpcs()\n')


def test_a_client_made_before_botohook_was_imported(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import boto3
        session = boto3.Session(region_name="us-east-1")
        early = session.client("ec2")
        default_early = boto3.client("ec2", region_name="us-east-1")
        import botohook
        with botohook.mock() as sim:
            vpc = early.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            assert vpc in [v["VpcId"] for v in default_early.describe_vpcs()["Vpcs"]]
            assert vpc in [v["VpcId"] for v in session.client("ec2").describe_vpcs()["Vpcs"]]
            print(len(sim.calls))
        """,
    )
    assert out.split() == ["3"]


def test_a_module_level_session_used_from_a_decorated_function(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import boto3
        import botohook

        SESSION = boto3.Session(region_name="eu-west-1")   # as application code builds it at import time
        EC2 = SESSION.client("ec2")

        @botohook.mock(seed=1)
        def scenario():
            subnet = EC2.describe_subnets()["Subnets"][0]["SubnetId"]
            eni = SESSION.client("ec2").create_network_interface(SubnetId=subnet)["NetworkInterface"]
            print(botohook.current().interface(eni["NetworkInterfaceId"]).primary_address == eni["PrivateIpAddress"])

        scenario()
        scenario()
        """,
    )
    assert out.split() == ["True", "True"]


def test_botocore_sessions_and_the_resource_api_made_before_the_first_mock(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import boto3
        import botocore.session
        import botohook

        plain = botocore.session.get_session().create_client("ec2", region_name="us-east-1")
        resource = boto3.resource("ec2", region_name="us-east-1")
        with botohook.mock():
            vpc = resource.create_vpc(CidrBlock="10.1.0.0/16")
            vpc.create_subnet(CidrBlock="10.1.0.0/24")
            print(sorted(v["CidrBlock"] for v in plain.describe_vpcs()["Vpcs"]))
            print(len(list(vpc.subnets.all())))
        """,
    )
    assert out.splitlines() == ["['10.1.0.0/16', '172.31.0.0/16']", "1"]


def test_no_credentials_anywhere_and_a_session_made_before_the_mock(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import boto3
        import botohook

        session = boto3.Session(region_name="us-east-1")
        with botohook.mock():
            print(len(session.client("ec2").describe_vpcs()["Vpcs"]))
        """,
        credentials=False,
    )
    assert out.split() == ["1"]


def test_unsimulated_calls_of_early_clients_are_refused_not_sent(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import boto3
        s3 = boto3.client("s3", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        import botohook
        with botohook.mock():
            for call in (s3.list_buckets, ec2.describe_images):
                try:
                    call()
                except botohook.UnsimulatedOperationError as error:
                    print(error.service, error.operation)
        """,
    )
    assert out.splitlines() == ["s3 ListBuckets", "ec2 DescribeImages"]


def test_after_the_mock_early_clients_go_back_to_aws(tmp_path: Path) -> None:
    """The net is inert outside a simulation: the same client then reaches for the network (the guard's exit)."""
    script = """
        import boto3
        early = boto3.client("ec2", region_name="us-east-1")
        import botohook
        with botohook.mock():
            early.describe_vpcs()
        early.describe_vpcs()
        """
    with pytest.raises(AssertionError, match="the network was used"):
        run_fresh(tmp_path, script)


def test_aiobotocore_clients_made_before_the_first_mock(tmp_path: Path) -> None:
    pytest.importorskip("aiobotocore")
    out = run_fresh(
        tmp_path,
        """
        import asyncio
        from aiobotocore.session import get_session

        SESSION = get_session()

        async def main():
            async with SESSION.create_client("ec2", region_name="us-east-1") as early:
                import botohook
                async with botohook.mock() as sim:
                    vpc = (await early.create_vpc(CidrBlock="10.2.0.0/16"))["Vpc"]["VpcId"]
                    async with SESSION.create_client("ec2", region_name="us-east-1") as later:
                        described = await later.describe_vpcs(VpcIds=[vpc])
                    print(described["Vpcs"][0]["CidrBlock"], len(sim.calls))
                    try:
                        await early.describe_images()
                    except botohook.UnsimulatedOperationError as error:
                        print(error.operation)

        asyncio.run(main())
        """,
    )
    assert out.splitlines() == ["10.2.0.0/16 2", "DescribeImages"]


def test_an_aiobotocore_session_made_after_a_mock_started(tmp_path: Path) -> None:
    pytest.importorskip("aiobotocore")
    out = run_fresh(
        tmp_path,
        """
        import asyncio
        import botohook

        async def main():
            with botohook.mock():
                from aiobotocore.session import get_session   # imported only now
                async with get_session().create_client("ec2", region_name="us-east-1") as ec2:
                    print(len((await ec2.describe_vpcs())["Vpcs"]))

        asyncio.run(main())
        """,
    )
    assert out.split() == ["1"]


def test_requests_outside_any_client_are_refused_while_simulating(tmp_path: Path) -> None:
    """The last guard: botocore's and aiobotocore's HTTP sessions send nothing while a simulation is active, e.g. an
    instance-metadata look-up made by hand."""
    pytest.importorskip("aiobotocore")
    out = run_fresh(
        tmp_path,
        """
        import asyncio
        from aiobotocore.httpsession import AIOHTTPSession
        from botocore.awsrequest import AWSRequest
        from botocore.httpsession import URLLib3Session
        import botohook

        request = AWSRequest("GET", "http://169.254.169.254/latest/meta-data/").prepare()
        with botohook.mock():
            try:
                URLLib3Session().send(request)
            except botohook.OutboundRequestError as error:
                print(error.url)

            async def aio():
                try:
                    await AIOHTTPSession().send(request)
                except botohook.OutboundRequestError as error:
                    print(error.url)

            asyncio.run(aio())
        """,
    )
    assert out.splitlines() == ["http://169.254.169.254/latest/meta-data/"] * 2


def test_pytest_fixture_without_the_flag_reaches_a_module_level_client(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """
            import boto3
            EC2 = boto3.client("ec2", region_name="us-east-1")   # made when the test module imports the app

            def vpc_count():
                return len(EC2.describe_vpcs()["Vpcs"])
            """
        )
    )
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            import app

            def test_the_fixture_answers_the_app(botohook):
                botohook.region("us-east-1")
                assert app.vpc_count() == 1
                assert [c.operation for c in botohook.calls] == ["DescribeVpcs"]
            """
        )
    )
    out = run_fresh(
        tmp_path,
        """
        import sys
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "test_app.py"]))
        """,
    )
    assert "1 passed" in out


def test_concurrent_aiobotocore_tasks_each_in_their_own_mock(tmp_path: Path) -> None:
    pytest.importorskip("aiobotocore")
    out = run_fresh(
        tmp_path,
        """
        import asyncio
        from aiobotocore.session import get_session
        import botohook

        async def main():
            async with get_session().create_client("ec2", region_name="us-east-1") as ec2:

                @botohook.mock()
                async def scenario(index):
                    made = [(await ec2.create_vpc(CidrBlock=f"10.{index}.{n}.0/24"))["Vpc"]["VpcId"] for n in range(5)]
                    listed = [v["VpcId"] for v in (await ec2.describe_vpcs())["Vpcs"] if not v["IsDefault"]]
                    return sorted(made) == sorted(listed) and len(botohook.current().calls) == 6

                print(await asyncio.gather(*(scenario(i) for i in range(4))))

        asyncio.run(main())
        """,
    )
    assert out.split() == ["[True,", "True,", "True,", "True]"]


def test_under_pytest_botohook_nothing_leaves_for_the_whole_run(tmp_path: Path) -> None:
    """A client made when the test module is imported, used by every test and by a session-scoped fixture (outside
    every test's simulation: refused, not sent)."""
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            import boto3
            import pytest

            EC2 = boto3.client("ec2", region_name="us-east-1")

            @pytest.fixture(scope="session")
            def shared_vpc():
                return EC2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

            def test_module_client(botohook):
                assert len(EC2.describe_vpcs()["Vpcs"]) == 1

            def test_session_fixture(shared_vpc):
                pass
            """
        )
    )
    out = run_fresh(
        tmp_path,
        """
        import pytest
        code = pytest.main(["-q", "-p", "no:cacheprovider", "--botohook", "test_app.py"])
        print("exit", int(code))
        """,
    )
    assert re.search(r"1 passed, (\d+ warnings?, )?1 error", out), out
    assert "outside any simulation while pytest --botohook runs" in out
    assert out.splitlines()[-1] == "exit 1"
