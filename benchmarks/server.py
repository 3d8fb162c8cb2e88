"""botohook over HTTP, side by side with the HTTP floor and moto's server mode, in one run with interleaved rounds.

    python benchmarks/server.py            # about two minutes
    python benchmarks/server.py --quick    # a smoke test, not a measurement

Per call: run.py's cycle (assign one automatic secondary address, unassign it) on an interface in a /16 with 2,000
addresses in use, from a genuine boto3 client with ``endpoint_url`` over loopback, against
- the HTTP floor: a loopback server built as botohook's is (the same http.server classes and settings) that answers
  every request with one constant EC2 XML body: the least any server in Python can cost through a genuine client;
- botohook's server (``botohook.serve``), with the share of each call spent writing the XML answer;
- moto's server mode (``ThreadedMotoServer``, moto's ``server`` extra), when installed;
- botohook in-process (``botohook.install``), for reference.
Then the AWS CLI v1 as a separate process (``aws ec2 describe-network-interfaces``) against botohook's server,
beside the CLI's own start-up (``aws --version``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List

import boto3
from run import busy_subnet, cycle, measure, session, table

import botohook
from botohook import _query_xml as query_xml
from botohook._http import Handler, QuietServer, running

CONSTANT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<AssignPrivateIpAddressesResponse xmlns="http://ec2.amazonaws.com/doc/'
    b'2016-11-15/"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><networkInterfaceId>eni-1'
    b"</networkInterfaceId><assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.0.9</privateIpAddress></item>"
    b"</assignedPrivateIpAddressesSet></AssignPrivateIpAddressesResponse>"
)


class FloorHandler(Handler):
    """The floor: read the request, answer one constant body, on botohook's own server classes."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.reply(200, CONSTANT, "text/xml;charset=UTF-8")


def floor_server() -> Any:
    return running(QuietServer(("127.0.0.1", 0), FloorHandler))


def http_client(endpoint: str) -> Any:
    return session().client("ec2", endpoint_url=endpoint)


class SerializerClock:
    """Time spent in botohook's XML writer, accumulated across the server's threads."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original = query_xml.response_xml

    def __call__(self, *args: Any) -> bytes:
        start = time.perf_counter()
        body = self.original(*args)
        self.seconds += time.perf_counter() - start
        return body


def per_call(args: argparse.Namespace) -> None:
    clock = SerializerClock()
    query_xml.response_xml = clock  # type: ignore[assignment]
    contenders: Dict[str, Callable[[], None]] = {}
    with floor_server() as floor_url, botohook.serve(botohook.Simulator(seed=1)) as served:
        floor = http_client(floor_url)
        contenders["HTTP floor (constant XML answer)"] = lambda: cycle(floor, "eni-1")
        ours = http_client(served.endpoint_url)
        _, eni = busy_subnet(ours)
        contenders["botohook.serve()"] = lambda: cycle(ours, eni)
        moto_server = start_moto()
        if moto_server is not None:
            theirs = http_client(f"http://127.0.0.1:{moto_server._server.server_port}")
            _, moto_eni = busy_subnet(theirs)
            contenders["moto ThreadedMotoServer"] = lambda: cycle(theirs, moto_eni)
        in_process_session = session()
        botohook.install(in_process_session, seed=1)
        in_process = in_process_session.client("ec2")
        _, in_process_eni = busy_subnet(in_process)
        contenders["botohook in-process (install), for reference"] = lambda: cycle(in_process, in_process_eni)
        try:
            clock.seconds = 0.0
            calls_before = len(served.simulator.calls) + served.simulator.dropped_calls
            result = measure(contenders, args.rounds, args.per_round)
            served_calls = len(served.simulator.calls) + served.simulator.dropped_calls - calls_before
        finally:
            query_xml.response_xml = clock.original  # type: ignore[assignment]
            if moto_server is not None:
                moto_server.stop()
    base = result["HTTP floor (constant XML answer)"]
    table(
        "Per call over loopback: assign(count=1) + unassign, interface in a /16 with 2,000 addresses in use",
        ["contender", "µs per call (median)", "x HTTP floor"],
        [[name, f"{us / 2:.1f}", f"{us / base:.2f}x"] for name, us in result.items()],
    )
    writer = clock.seconds / served_calls * 1e6
    print(
        f"\nbotohook's XML writer: {writer:.1f} µs per call, {writer / (result['botohook.serve()'] / 2):.1%} of a "
        "server call (timed inside the server's threads over every measured call)."
    )
    if "moto ThreadedMotoServer" in result:
        print(f"botohook's server is {result['moto ThreadedMotoServer'] / result['botohook.serve()']:.1f}x faster.")


def start_moto() -> Any:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # moto's server extra is optional
        return None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the terminal
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto_server.start()
    return moto_server


def cli(args: argparse.Namespace) -> None:
    try:
        import awscli  # noqa: F401
    except ImportError:
        print("\n(AWS CLI not installed: skipped)")
        return
    with botohook.serve(botohook.Simulator(seed=1), region="us-east-1") as served:
        busy_subnet(served.client(), busy=4)
        environ = {**served.environ, "PATH": ""}
        commands = {
            "aws --version (the CLI's start-up)": [sys.executable, "-m", "awscli", "--version"],
            "aws ec2 describe-network-interfaces": [
                sys.executable, "-m", "awscli", "ec2", "describe-network-interfaces", "--output", "json",
            ],
        }  # fmt: skip
        samples: Dict[str, List[float]] = {name: [] for name in commands}
        for _ in range(max(3, args.rounds // 3)):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, env=environ, check=True, capture_output=True)
                samples[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    table(
        "The AWS CLI v1 as a separate process against botohook's server (whole process, median)",
        ["command", "ms"],
        [[name, f"{ms:.0f}"] for name, ms in medians.items()],
    )
    startup, whole = medians.values()
    print(f"\nThe CLI's own start-up is {startup / whole:.0%} of the command.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    args = parser.parse_args()
    args.rounds, args.per_round = (4, 10) if args.quick else (30, 60)
    print(f"Python {sys.version.split()[0]}; boto3 {boto3.__version__}")
    per_call(args)
    cli(args)


if __name__ == "__main__":
    main()
