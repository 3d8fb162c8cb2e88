"""Clients in other processes, pointed at botohook as the README's table says, and the served environment's safety:
whatever the parent holds (real keys, a session token, another profile, a proxy), a child given ``server.environ``
signs with botohook's fake keys only and reaches the server, never the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator

import pytest

import botohook
from tests.conftest import needs_aws_cli_v1

CLI_V2 = Path("/usr/bin/aws")  # Debian 12's awscli: AWS CLI v2 2.9.19, which ignores AWS_ENDPOINT_URL*
PARENT = {
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00",
    "AWS_SECRET_ACCESS_KEY": "real-looking-secret",
    "AWS_SESSION_TOKEN": "real-looking-token",
    "AWS_PROFILE": "production",
    "HTTPS_PROXY": "http://proxy.invalid:3128",
    "HTTP_PROXY": "http://proxy.invalid:3128",
}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[botohook.Server]:
    for name, value in PARENT.items():  # what the process running the server holds
        monkeypatch.setenv(name, value)
    with botohook.serve(botohook.Simulator(seed=8), region="us-east-1") as running:
        yield running


def child(server: botohook.Server) -> Dict[str, str]:
    """The environment of a child of this process, which holds real-looking keys, a profile and a proxy (without
    AWS_DATA_PATH: importing the AWS CLI v1 sets it in this process, and it would lead the CLI v2 astray)."""
    environ = {k: v for k, v in os.environ.items() if k != "AWS_DATA_PATH"}
    return {**environ, **server.environ}


def python(server: botohook.Server, code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=child(server), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_child_signs_with_botohooks_keys_whatever_the_parent_holds(server: botohook.Server) -> None:
    # a client that ignores every endpoint variable still resolves its credentials the usual way: what would it sign
    # with? (botocore's chain, as boto3, the AWS CLI v1 and Ansible resolve it)
    signed = python(
        server,
        "import json, botocore.session; c = botocore.session.get_session().get_credentials().get_frozen_credentials();"
        "print(json.dumps([c.access_key, c.secret_key, c.token]))",
    )
    assert json.loads(signed) == ["botohook-testing", "botohook-testing", None]


def test_every_service_reaches_the_server_through_the_generic_endpoint(server: botohook.Server) -> None:
    # boto3 with AWS_ENDPOINT_URL: an unsimulated service is refused by botohook in its own protocol, not sent to AWS
    code = python(
        server,
        "import boto3, botocore.exceptions as e\n"
        "try:\n    boto3.client('s3').list_buckets()\n"
        "except e.ClientError as error:\n    print(error.response['Error']['Code'])",
    )
    assert code == "UnsupportedOperation"
    assert python(server, "import boto3; print(boto3.client('ec2').describe_vpcs()['Vpcs'][0]['CidrBlock'])") == (
        "172.31.0.0/16"
    )


def test_the_aws_cli_v1_with_profile_default_through_a_proxy_setting(server: botohook.Server) -> None:
    needs_aws_cli_v1()
    done = subprocess.run(
        [sys.executable, "-m", "awscli", "--profile", "default", "ec2", "describe-vpcs", "--query", "Vpcs[0].CidrBlock",
         "--output", "text"],
        env=child(server), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "172.31.0.0/16"


@pytest.fixture
def cli_v2() -> Path:
    if not CLI_V2.is_file() or b"aws-cli/2." not in subprocess.run([CLI_V2, "--version"], capture_output=True).stdout:
        pytest.skip(f"needs the AWS CLI v2 at {CLI_V2} (Debian package awscli; .ci/run installs it)")
    return CLI_V2


def test_the_aws_cli_v2_before_2_13_signs_with_the_fake_keys_and_reaches_botohook_with_endpoint_url(
    server: botohook.Server, cli_v2: Path
) -> None:
    environ = child(server)
    exported = subprocess.run(
        [cli_v2, "configure", "export-credentials", "--format", "env"],  # what it would sign with
        env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.split() == [
        "export", "AWS_ACCESS_KEY_ID=botohook-testing", "export", "AWS_SECRET_ACCESS_KEY=botohook-testing"
    ]  # fmt: skip
    listed = subprocess.run(
        [cli_v2, "--endpoint-url", environ["AWS_ENDPOINT_URL"], "--profile", "default", "ec2", "describe-subnets",
         "--query", "length(Subnets)", "--output", "text"],
        env=environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "6"
    assert [c.operation for c in server.simulator.calls] == ["DescribeSubnets"]


def test_curl_reads_the_control_api_through_a_proxy_setting(server: botohook.Server) -> None:
    if shutil.which("curl") is None:
        pytest.skip("needs curl")
    done = subprocess.run(
        ["curl", "-sS", f"{server.endpoint_url}/_botohook/health"], env=child(server), capture_output=True, text=True
    )
    assert json.loads(done.stdout)["status"] == "ok"
