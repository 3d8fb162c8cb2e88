"""The ``botohook`` command: ``botohook serve`` runs a standalone simulation over HTTP until interrupted, so that
a test suite in any language (bash, Go, Node) can use botohook with nothing but Python installed."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from typing import Any, List

from .server import serve
from .simulator import Simulator


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="botohook", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve", help="serve a simulated EC2 on HTTP until interrupted")
    command.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    command.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    command.add_argument("--seed", type=int, default=None, help="make automatic addresses and ids reproducible")
    command.add_argument("--allocation", choices=("random", "lowest"), default="random")
    command.add_argument("--region", default=None, help="region for the printed environment (AWS_DEFAULT_REGION)")
    command.add_argument("--world", default=None, help="build this world first (JSON, or TOML on Python 3.11+)")
    args = parser.parse_args(argv)
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def interrupted(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    simulator = Simulator(seed=args.seed, allocation=args.allocation)
    if args.world is not None:
        try:
            simulator.load(args.world)
        except (OSError, ValueError) as error:
            sys.stderr.write(f"botohook serve: cannot load {args.world}: {error}\n")
            return 2
    with serve(simulator, host=args.host, port=args.port, region=args.region, log=_print) as server:
        _print(f"# botohook: simulated EC2 at {server.endpoint_url} (Ctrl-C to stop); for a shell:")
        for name, value in server.environ.items():
            _print(f"export {name}={shlex.quote(value)}")
        while not stop.wait(0.2):
            pass
    _print("# botohook: stopped")
    return 0


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
