"""A Go program on the AWS SDK for Go v2 (Debian's golang-github-aws-aws-sdk-go-v2-dev, built offline) against
botohook's server, many connections and over a thousand calls: not one may fail.

The flake this guards against ("use of closed network connection" on 200 answers) is a race inside the client: the
SDK's request body races net/http's writer on a fast server (aws/smithy-go's safeWriteToReadCloser answered io.EOF
after Close until aws/smithy-go@700b436; aws/aws-sdk-go-v2#2737), and net/http closes the connection under the
answer. botohook sends each answer in one write, so the client holds a whole answer of up to 4 KiB before its writer
can close anything ("sdk": the SDK's own client); the README's Go section shows the few lines ("buffered") that
remove the race for answers of any size.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import botohook

SOURCE = Path(__file__).parent / "go" / "src" / "ec2client"
SDK = Path("/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/ec2")


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("needs Go (Debian package golang-go; .ci/run installs it)")
    if not SDK.is_dir():
        pytest.skip(f"needs the AWS SDK for Go v2 in {SDK} (Debian package golang-github-aws-aws-sdk-go-v2-dev)")
    gopath = tmp_path_factory.mktemp("gopath")
    shutil.copytree(SOURCE, gopath / "src" / "ec2client")
    built = gopath / "ec2client"
    environ = {**os.environ, "GO111MODULE": "off", "GOPATH": f"{gopath}:/usr/share/gocode"}
    done = subprocess.run(
        ["go", "build", "-o", str(built), "ec2client"], env=environ, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    return built


@pytest.mark.parametrize("client", ["sdk", "buffered"])
def test_a_go_program_makes_over_a_thousand_calls_on_many_connections_without_a_failure(
    program: Path, client: str
) -> None:
    with botohook.serve(botohook.Simulator(seed=11), region="us-east-1") as server:
        subnet = server.client().describe_subnets()["Subnets"][0]["SubnetId"]
        environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        done = subprocess.run(
            [str(program), "8", "50", subnet, client],
            env={**environ, **server.environ},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["failures"] == []
        assert result["calls"] == 8 + 8 * 50 * 3
        sim = server.simulator
        assert len(result["interfaces"]) == 8
        assert all(sim.interface(eni).secondary_addresses == [] for eni in result["interfaces"])
        assert sum(c.operation == "AssignPrivateIpAddresses" and c.error is None for c in sim.calls) == 400
