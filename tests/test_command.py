"""The ``botohook serve`` command as a shell or CI script runs it: every option that makes sense outside Python, its
mistakes as one-line errors with exit status 2, output nobody reads, and stopping on SIGTERM whatever happens."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import botohook

COMMAND = [sys.executable, "-m", "botohook"]


def start(*options: str, stdout: int = subprocess.PIPE) -> Tuple[subprocess.Popen[str], Dict[str, str]]:
    """``botohook serve`` with ``options``, and the exports it printed."""
    process = subprocess.Popen([*COMMAND, "serve", *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    exports: Dict[str, str] = {}
    while "no_proxy" not in exports:  # the last line it prints
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "the command ended"
        if line.startswith("export "):
            name, _, value = line[len("export ") :].strip().partition("=")
            exports[name] = value.strip("'")
    return process, exports


@pytest.fixture
def served() -> Iterator[List[subprocess.Popen[str]]]:
    processes: List[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def client(exports: Dict[str, str], service: str = "ec2") -> object:
    return boto3.client(
        service,
        endpoint_url=exports["AWS_ENDPOINT_URL"],
        region_name=exports.get("AWS_REGION", "us-east-1"),
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def fails(*arguments: str) -> str:
    """Run the command, expect exit status 2 and a one-line error with no traceback; the error."""
    done = subprocess.run([*COMMAND, *arguments], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[0].startswith("usage:"), done.stderr
    return lines[-1]


def test_version() -> None:
    done = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == f"botohook {botohook.__version__}"


def test_help_explains_every_option_in_plain_text() -> None:
    from botohook.cli import parser

    done = subprocess.run([*COMMAND, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "``" not in done.stdout
    for option in ("--host", "--port", "--region", "--log-format", "--seed", "--allocation", "--account-id",
                   "--default-vpc", "--no-default-vpc", "--world", "--faults", "--strict", "--imds-v1",
                   "--consistency", "--lag", "--record-calls", "--add-region"):  # fmt: skip
        assert option in done.stdout
    commands = next(a for a in parser()._actions if a.dest == "command").choices
    for command in commands.values():  # type: ignore[union-attr]
        assert all(action.help for action in command._actions), command.prog


def test_mistakes_end_with_one_line_and_status_2(tmp_path: Path) -> None:
    assert "a port is a number from 0 to 65535" in fails("serve", "--port", "99999")
    world = tmp_path / "world.json"
    world.write_text("{not json")
    assert fails("serve", "--world", str(world)).startswith("botohook serve: cannot start:")
    assert "--lag takes KIND=SECONDS" in fails("serve", "--consistency", "eventual", "--lag", "launch")
    assert "--lag takes KIND=SECONDS" in fails("serve", "--consistency", "eventual", "--lag", "launch=nan")
    assert "--lag is for --consistency eventual" in fails("serve", "--lag", "launch=3")
    assert "not '١٢٣٤٥٦٧٨٩٠١٢'" in fails("serve", "--account-id", "١٢٣٤٥٦٧٨٩٠١٢")
    assert "region names" in fails("serve", "--add-region", "a b")
    assert "12 digits" in fails("serve", "--account-id", "42")
    faults = tmp_path / "faults.json"
    faults.write_text('{"operation": "AssignPrivateIpAddresses"}')
    assert "a JSON list of objects" in fails("serve", "--faults", str(faults))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert fails("serve", "--port", port).startswith(f"botohook serve: cannot listen on 127.0.0.1 port {port}")


def test_options_reach_the_simulation(tmp_path: Path, served: List[subprocess.Popen[str]]) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"operation": "DescribeSubnets", "code": "RequestLimitExceeded", "times": 1}]))
    process, exports = start(
        "--no-default-vpc", "--account-id", "210987654321", "--region", "eu-west-1", "--faults", str(faults),
        "--consistency", "eventual", "--lag", "create=30", "--record-calls", "2", "--add-region", "eu-test-1",
    )  # fmt: skip
    served.append(process)
    ec2, sts = client(exports), client(exports, "sts")
    assert ec2.describe_vpcs()["Vpcs"] == []  # type: ignore[attr-defined]
    assert sts.get_caller_identity()["Account"] == "210987654321"  # type: ignore[attr-defined]
    with pytest.raises(ClientError, match="RequestLimitExceeded"):
        ec2.describe_subnets()  # type: ignore[attr-defined]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]  # type: ignore[attr-defined]
    with pytest.raises(ClientError, match=r"InvalidVpcID\.NotFound"):  # unknown for 30 virtual seconds
        ec2.describe_vpcs(VpcIds=[vpc])  # type: ignore[attr-defined]
    assert client({**exports, "AWS_REGION": "eu-test-1"}).describe_vpcs()["Vpcs"] == []  # type: ignore[attr-defined]
    calls = control(exports, "GET", "calls")
    assert [(c["operation"], c["region"]) for c in calls["calls"]] == [  # the latest 2
        ("DescribeVpcs", "eu-west-1"),
        ("DescribeVpcs", "eu-test-1"),
    ]


def control(exports: Dict[str, str], method: str, route: str, body: object = None) -> Dict[str, object]:
    """A control request from another process (curl, as a shell test would send it)."""
    command = ["curl", "-sS", "-X", method, f"{exports['AWS_ENDPOINT_URL']}/_botohook/{route}"]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer: Dict[str, object] = json.loads(done.stdout)
    return answer


def status(exports: Dict[str, str], method: str, route: str, body: object = None) -> int:
    """The HTTP status of a control request, from curl."""
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method]
    if body is not None:
        command += ["--data-binary", json.dumps(body)]
    done = subprocess.run(
        [*command, f"{exports['AWS_ENDPOINT_URL']}/_botohook/{route}"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_output_nobody_reads_never_stops_the_server_and_sigterm_always_does(
    served: List[subprocess.Popen[str]],
) -> None:
    process, exports = start("--seed", "1")  # stdout is a pipe this test no longer reads
    served.append(process)
    ec2 = client(exports)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]  # type: ignore[attr-defined]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]  # type: ignore[attr-defined]
    for _ in range(2_500):  # 64 KiB of log lines fill a pipe: the old server froze at about call 1,680
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])  # type: ignore[attr-defined]
    answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)  # type: ignore[attr-defined]
    assert len(answer["AssignedPrivateIpAddresses"]) == 1
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    assert time.monotonic() - started < 5 and process.returncode == 0


def test_a_closed_stdout_stops_logging_not_answering(served: List[subprocess.Popen[str]]) -> None:
    process, exports = start("--seed", "1")
    served.append(process)
    assert process.stdout is not None
    process.stdout.close()  # the reader went away: `botohook serve | head -20`
    ec2 = client(exports)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]  # type: ignore[attr-defined]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]  # type: ignore[attr-defined]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)  # type: ignore[attr-defined]
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]  # type: ignore[attr-defined]
    assert len(described["PrivateIpAddresses"]) == 2  # the primary and one secondary: answered once, no retry
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    assert process.returncode == 0


def test_an_environment_nobody_can_read_ends_the_command() -> None:
    """[decided] Standard output closed before the environment is printed (``botohook serve >&-``): nothing can use
    the server, so it ends at once. Once printed, a reader that goes away (``| head -20``) stops only the log."""
    done = subprocess.run(
        f"{sys.executable} -m botohook serve >&-", shell=True, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("botohook serve: cannot print the environment")
    assert len(done.stderr.strip().splitlines()) == 1


def test_listening_beyond_loopback_warns(served: List[subprocess.Popen[str]]) -> None:
    process, exports = start("--host", "0.0.0.0")
    served.append(process)
    assert exports["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")  # a URL a client can use
    assert client(exports).describe_vpcs()["Vpcs"]  # type: ignore[attr-defined]
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=10)
    assert "WARNING: listening on 0.0.0.0, beyond loopback: anyone who can reach port" in errors


def test_the_control_api_from_another_process(served: List[subprocess.Popen[str]]) -> None:
    process, exports = start("--seed", "4", "--imds-v1", "--region", "us-east-1")
    served.append(process)
    ec2 = client(exports)
    health = control(exports, "GET", "health")
    assert health == {"status": "ok", "version": botohook.__version__, "endpoint_url": exports["AWS_ENDPOINT_URL"]}
    # world: load, then dump gives it back
    world = {"regions": {"us-east-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.8.0.0/16"}]}}}
    assert control(exports, "POST", "world", world) == {"loaded": True}
    dumped = control(exports, "GET", "world")
    assert any(v["id"] == "vpc-0a1b2c3d4e5f60718" for v in dumped["regions"]["us-east-1"]["vpcs"])  # type: ignore[index]
    assert control(exports, "POST", "world", {"regions": {"us-east-1": {"vpcz": []}}})["error"]
    # faults: added, fired once, cleared
    assert control(exports, "POST", "faults", {"operation": "DescribeVpcs", "code": "RequestLimitExceeded"}) == {
        "added": 1
    }
    with pytest.raises(ClientError, match="RequestLimitExceeded"):
        ec2.describe_vpcs()  # type: ignore[attr-defined]
    control(exports, "POST", "faults", {"operation": "DescribeVpcs", "code": "Unavailable", "times": None})
    assert control(exports, "DELETE", "faults") == {"cleared": True}
    ec2.describe_vpcs()  # type: ignore[attr-defined]
    # the clock
    before = control(exports, "GET", "clock")["now"]
    advanced = control(exports, "POST", "clock/advance", {"seconds": 3600})["now"]
    assert advanced >= before + 3600  # type: ignore[operator]
    # the call record, from an index on
    record = control(exports, "GET", "calls?since=0")
    assert record["first"] == 0 and record["next"] == len(record["calls"])  # type: ignore[arg-type]
    later = control(exports, "GET", f"calls?since={record['next']}")
    assert later["calls"] == []
    # an instance's metadata view
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": ["vpc-0a1b2c3d4e5f60718"]}])  # type: ignore[attr-defined]
    assert subnet["Subnets"] == []
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]  # type: ignore[attr-defined]
    image = "ami-0123456789abcdef0"
    instance = ec2.run_instances(  # type: ignore[attr-defined]
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=default_subnet["SubnetId"]
    )["Instances"][0]["InstanceId"]
    view = control(exports, "GET", f"metadata/{instance}")["url"]
    read = subprocess.run(["curl", "-sS", f"{view}/latest/meta-data/instance-id"], capture_output=True, text=True)
    assert read.stdout == instance
    assert control(exports, "GET", "metadata/i-0000000000000000f")["error"] == (
        "no instance 'i-0000000000000000f' in the simulation"
    )
    # reset: a fresh simulation with the same options
    assert control(exports, "POST", "reset") == {"reset": True}
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # type: ignore[attr-defined]  # only the default VPC again


def test_the_control_api_refuses_what_it_does_not_know(served: List[subprocess.Popen[str]]) -> None:
    process, exports = start()
    served.append(process)
    assert control(exports, "GET", "helth")["error"].startswith(  # type: ignore[union-attr]
        "no control route /_botohook/helth (did you mean /_botohook/health?)"
    )
    assert control(exports, "GET", "reset")["error"] == "/_botohook/reset answers POST, not GET"
    assert control(exports, "POST", "faults", {"operation": "DescribeVpcs", "kode": "X"})["error"] == (
        "unknown argument 'kode' (did you mean 'code'?); this route takes operation, code, times, after, "
        "probability, message, status"
    )
    assert "seconds is a finite number" in control(exports, "POST", "clock/advance", {"seconds": -1})["error"]  # type: ignore[operator]
    assert "since is the index" in control(exports, "GET", "calls?since=x")["error"]  # type: ignore[operator]
    assert status(exports, "GET", "helth") == status(exports, "POST", "faults", {"kode": "X"}) == 400
    assert status(exports, "GET", "reset") == 405
    assert status(exports, "GET", "metadata/i-0000000000000000f") == 404
    # a list of faults is added whole or not at all; a status must be an HTTP error status
    half = [{"operation": "DescribeVpcs", "code": "Half"}, {"operation": "Nope", "code": "B"}]
    assert "'Nope' is not an operation" in control(exports, "POST", "faults", half)["error"]  # type: ignore[operator]
    assert "status must be" in control(exports, "POST", "faults", {"operation": "DescribeVpcs", "code": "X",  # type: ignore[operator]
                                                                    "status": "x"})["error"]  # fmt: skip
    client(exports).describe_vpcs()  # type: ignore[attr-defined]  # no fault was added
    # numbers stay numbers; JSON too deep is not JSON; a poller learns of a reset
    assert control(exports, "POST", "clock/advance", {"seconds": 1e308})["now"]  # a number still
    assert "finite number" in control(exports, "POST", "clock/advance", {"seconds": 1e308})["error"]  # type: ignore[operator]
    deep = subprocess.run(
        ["curl", "-sS", "-X", "POST", "--data-binary", '{"a":' * 5000 + "1" + "}" * 5000,
         f"{exports['AWS_ENDPOINT_URL']}/_botohook/world"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "the body is not JSON" in deep.stdout
    assert control(exports, "GET", "calls?sinse=5")["error"] == "/_botohook/calls takes no query parameter 'sinse'"
    end = control(exports, "GET", "calls")["next"]
    control(exports, "POST", "reset")
    assert status(exports, "GET", f"calls?since={end}") == 409
    done = subprocess.run(
        ["curl", "-sS", "-w", "%{http_code}", "-X", "POST", "--data-binary", "{not json",
         f"{exports['AWS_ENDPOINT_URL']}/_botohook/world"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.endswith("400") and "the body is not JSON" in done.stdout
