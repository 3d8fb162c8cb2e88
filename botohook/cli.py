"""The ``botohook`` command: ``botohook serve`` runs a standalone simulation over HTTP until interrupted, so that
a test suite in any language (bash, Go, Node) can use botohook with nothing but Python installed.

Every mistake on the command line (an unknown or malformed option, a port in use, a world or fault file that does
not load, a closed standard output) ends with a one-line error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import shlex
import signal
import sys
import threading
from contextlib import suppress
from typing import Any, Dict, List

from . import __version__
from .faults import LAGS
from .server import Server, serve
from .simulator import Simulator

_DESCRIPTION = "Serve a simulated EC2 network (EC2's Query API and a JSON control API) on HTTP until interrupted."


def main(argv: List[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return _run(args) if args.command == "run" else _serve(args)


def parser() -> argparse.ArgumentParser:
    """The command line: ``botohook serve`` and ``botohook run``, every option with its help."""
    parser = argparse.ArgumentParser(prog="botohook", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"botohook {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser(
        "serve",
        help="serve a simulated EC2 on HTTP until interrupted",
        description=_DESCRIPTION + " Prints the environment a child process needs (eval it in a shell).",
    )
    _serve_options(command)
    _run_parser(commands)
    return parser


def _serve_options(command: argparse.ArgumentParser) -> None:
    where = command.add_argument_group("where it listens")
    where.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, loopback only; "
        "::1 for IPv6 loopback; anything else opens the simulation to the network, with a warning)",
    )
    where.add_argument("--port", type=_port, default=0, help="port to listen on, 0-65535 (default 0: any free port)")
    where.add_argument(
        "--region",
        default=None,
        help="region in the printed environment (AWS_REGION and "
        "AWS_DEFAULT_REGION) and the written config file (default: none; clients choose)",
    )
    where.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="one line per request on standard output: 'text' (OPERATION REGION RESULT) or 'json' (an object per line)",
    )
    sim = command.add_argument_group("the simulation (as botohook.Simulator's options)")
    sim.add_argument("--seed", type=int, default=None, help="make automatic addresses and ids reproducible")
    sim.add_argument(
        "--allocation",
        choices=("random", "lowest"),
        default="random",
        help="which free address a subnet gives first: 'random' like EC2 (default) or the 'lowest'",
    )
    sim.add_argument("--account-id", default="123456789012", help="the 12-digit account that owns everything")
    sim.add_argument(
        "--default-vpc",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start each region with a default VPC and a default subnet per zone (default: yes)",
    )
    sim.add_argument(
        "--add-region",
        action="append",
        default=[],
        metavar="NAME",
        help="simulate this region too, beyond those botocore knows for EC2 (a custom partition's); repeatable",
    )
    sim.add_argument("--world", default=None, help="build this world first (a JSON file, or TOML on Python 3.11+)")
    sim.add_argument(
        "--faults",
        default=None,
        metavar="FILE",
        help="fault rules to start with: a JSON list of "
        'objects such as {"operation": "AssignPrivateIpAddresses", "code": "RequestLimitExceeded"}',
    )
    sim.add_argument("--strict", action="store_true", help="check every answer against botocore's output shapes")
    sim.add_argument(
        "--imds-v1", action="store_true", help="let instance-metadata views answer requests without an IMDSv2 token"
    )
    sim.add_argument(
        "--consistency",
        choices=("strong", "eventual"),
        default="strong",
        help="'strong' (every call sees every change) or 'eventual' (new ids and state changes lag)",
    )
    sim.add_argument(
        "--lag",
        action="append",
        default=[],
        metavar="KIND=SECONDS",
        help="virtual seconds a kind "
        f"of change lags under eventual consistency (kinds: {', '.join(LAGS)}); repeat for several",
    )
    sim.add_argument(
        "--record-calls",
        type=_count,
        default=10_000,
        metavar="N",
        help="how many of the latest calls the call record keeps (default 10000)",
    )


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"a count is a number, 0 or more, not {text!r}")
    return int(text)


def _lags(pairs: List[str], consistency: str) -> Dict[str, float]:
    if pairs and consistency != "eventual":
        raise ValueError("--lag is for --consistency eventual (under strong consistency nothing lags)")
    lags: Dict[str, float] = {}
    for pair in pairs:
        kind, _, seconds = pair.partition("=")
        try:
            value = float(seconds)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(f"--lag takes KIND=SECONDS (kinds: {', '.join(LAGS)}; seconds a number), not {pair!r}")
        if kind in lags:
            raise ValueError(f"--lag gives {kind} twice")
        lags[kind] = value
    return lags


def _simulator(args: argparse.Namespace) -> Simulator:
    faults = None
    if args.faults is not None:
        with open(args.faults, encoding="utf-8") as file:
            faults = json.load(file)
        if not isinstance(faults, list) or not all(isinstance(rule, dict) for rule in faults):
            raise ValueError(f"{args.faults}: fault rules are a JSON list of objects")
    simulator = Simulator(
        seed=args.seed,
        allocation=args.allocation,
        account_id=args.account_id,
        default_vpc=args.default_vpc,
        strict=args.strict,
        imds_v1=args.imds_v1,
        consistency=args.consistency,
        lags=_lags(args.lag, args.consistency) or None,
        record_calls=args.record_calls,
        faults=faults,
        regions=args.add_region,
    )
    if args.world is not None:
        simulator.load(args.world)
    return simulator


def _serve(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def interrupted(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, interrupted)  # from the start: a signal while a world loads stops it quietly
    signal.signal(signal.SIGINT, interrupted)
    try:
        simulator = _simulator(args)
    except (OSError, ValueError, TypeError) as error:
        return _fail(f"cannot start: {error}")
    if stop.is_set():
        return 0
    try:
        with serve(
            simulator, host=args.host, port=args.port, region=args.region, log=_write_line, log_format=args.log_format
        ) as server:
            if server.exposed:
                sys.stderr.write(
                    f"botohook serve: WARNING: listening on {args.host}, beyond loopback: anyone who can reach port "
                    f"{server.port} can read and change the simulation\n"
                )
            try:
                _print(f"# botohook: simulated EC2 at {server.endpoint_url} (Ctrl-C to stop); for a shell:")
                for name, value in server.environ.items():
                    _print(f"export {name}={shlex.quote(value)}")
            except OSError as error:  # nobody reads the environment: nothing can use this server
                return _fail(f"cannot print the environment ({error.strerror or error}); stopping")
            # [decided] once the environment is printed, a reader that goes away stops the log, not the server
            while not stop.wait(0.2):
                pass
            server.log.note("stopped")  # through the log: output nobody reads cannot hold up stopping
    except OSError as error:
        return _fail(f"cannot listen on {args.host} port {args.port}: {error.strerror or error}")
    return 0


def _run_parser(commands: Any) -> None:
    command = commands.add_parser(
        "run",
        help="run a command as a simulated instance (or with the served environment only)",
        description="Serve a simulation (the options of serve) and run COMMAND on each --instance at once, each in "
        "Linux namespaces of its own (as root, or in a user namespace): 169.254.169.254 is the instance's metadata, "
        "eth0 its MAC, the served EC2 endpoint reachable, nothing else. Without --instance, COMMAND runs with the "
        "served environment. The exit status is COMMAND's (with several instances, the first that is not 0).",
    )
    _serve_options(command)
    command.add_argument("--instance", action="append", default=[], help="run COMMAND as this instance (repeatable)")
    command.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ...", help="the command to run")


def _run(args: argparse.Namespace) -> int:
    from ._netns import NamespaceUnavailableError, kill_all

    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        sys.stderr.write("botohook run: give the command to run after --\n")
        return 2
    if args.log_format != "text":
        sys.stderr.write("botohook run: --log-format: run writes no request log (standard output is COMMAND's)\n")
        return 2
    ended = [int(signal.SIGINT)]

    def interrupted(signum: int, _: Any) -> None:
        ended[0] = signum
        raise KeyboardInterrupt  # the commands are killed, their namespaces removed

    signal.signal(signal.SIGTERM, interrupted)
    try:
        simulator = _simulator(args)
        with serve(simulator, host=args.host, port=args.port, region=args.region) as server:
            try:
                return _run_each(server, list(dict.fromkeys(args.instance)), argv)
            except KeyboardInterrupt:
                kill_all()  # before the server stops: the commands end first, their namespaces with them
                return 128 + ended[0]
    except KeyboardInterrupt:  # before COMMAND started
        return 128 + ended[0]
    except KeyError as error:
        sys.stderr.write(f"botohook run: {error.args[0]} (build it with --world)\n")
    except (NamespaceUnavailableError, OSError, ValueError, TypeError) as error:
        sys.stderr.write(f"botohook run: {error}\n")
    return 2


def _run_each(server: Server, instances: List[str], argv: List[str]) -> int:
    """COMMAND on each instance at once (in this thread when there is at most one), then its exit status: the first
    that is not 0."""
    from ._netns import kill_all

    for instance_id in instances:
        server.simulator.instance(instance_id)  # KeyError before anything runs
    if len(instances) <= 1:
        return _status(server.run(instances[0] if instances else None, argv).returncode)
    results: queue.Queue[int | Exception] = queue.Queue()

    def on(instance_id: str) -> None:
        try:
            results.put(server.run(instance_id, argv).returncode)
        except Exception as error:  # reported by the main thread; the others end
            results.put(error)
            kill_all()

    for instance_id in instances:
        threading.Thread(target=on, args=(instance_id,), daemon=True).start()
    answers = [results.get() for _ in instances]  # a queue, not join(): Ctrl-C and SIGTERM interrupt it cleanly
    failure = next((a for a in answers if isinstance(a, Exception)), None)
    if failure is not None:
        raise failure
    return next((_status(a) for a in answers if isinstance(a, int) and a != 0), 0)


def _status(returncode: int) -> int:
    """An exit status as a shell reports it: 128 + N for a program ended by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def _print(line: str) -> None:
    if sys.stdout is None:  # started with standard output closed
        raise OSError("standard output is closed")
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _write_line(line: str) -> None:
    """A request's log line, written straight to standard output's descriptor: never into a buffer that exiting
    would have to flush, so output nobody reads cannot hold up stopping."""
    os.write(sys.stdout.fileno(), (line + "\n").encode("utf-8", "backslashreplace"))


def _fail(message: str) -> int:
    with suppress(OSError):
        sys.stderr.write(f"botohook serve: {message}\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
