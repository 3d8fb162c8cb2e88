"""aioboto3 clients and resources made before the simulation, in a fresh process under the socket guard.

aioboto3 pins an older botocore than the rest of the test environment wants, so it is not in the ``test`` extra:
``.ci/run`` runs this module in a virtual environment of its own (which also checks botohook on that botocore)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_reach import run_fresh

pytest.importorskip("aioboto3", reason="aioboto3 pins its own botocore: .ci/run tests it in a separate venv")


def test_aioboto3_session_client_and_resource_made_before_the_mock(tmp_path: Path) -> None:
    out = run_fresh(
        tmp_path,
        """
        import asyncio
        import aioboto3

        SESSION = aioboto3.Session(region_name="us-east-1")

        async def main():
            async with SESSION.client("ec2") as early:
                import botohook
                async with botohook.mock() as sim:
                    vpc = (await early.create_vpc(CidrBlock="10.3.0.0/16"))["Vpc"]["VpcId"]
                    async with SESSION.resource("ec2") as ec2:
                        subnet = await ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.1.0/24")
                        print(await subnet.cidr_block, len(sim.calls))
                    try:
                        await early.describe_images()
                    except botohook.UnsimulatedOperationError as error:
                        print(error.operation)

        asyncio.run(main())
        """,
    )
    assert out.splitlines() == ["10.3.1.0/24 2", "DescribeImages"]
