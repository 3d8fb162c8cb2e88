"""Where botohook's per-call cost goes: its ``before-call`` handler timed inside botocore's pipeline.

    python benchmarks/anatomy.py            # about half a minute
    python benchmarks/anatomy.py --quick    # a smoke test, not a measurement

``run.py`` compares whole calls, whose medians drift by a microsecond or two between runs on a shared machine.
This script times only the handler (``perf_counter`` around it) while a genuine client runs the same
assign(count=1) + unassign cycle, which is precise to a few tenths of a microsecond, in configurations that
separate the causes: the per-call scenario of ``run.py``, lowest-first allocation (the same address comes back
every cycle, so everything botohook touches stays in the CPU caches), a /24 instead of a /16, and the floor's
constant handler for reference. The difference between the handler's time here and standalone (the same handler
called in a loop with a captured request) is what botocore's pipeline does to its caches between two calls.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable, Dict, List, Tuple

from run import BUSY_INTERFACES, FLOOR_ID, busy_subnet, constant_answer, cycle, floor_client, session, table

import botohook
from botohook import _wiring  # the handler itself, to time it in place


def hooked_client(allocation: str, cidr: str, busy: int) -> Tuple[Any, str, Any]:
    """A client answered by botohook, an interface to measure on in a busy subnet (``busy_subnet``), and
    botohook's handler for that client."""
    sim_session = session()
    botohook.install(sim_session, seed=1, allocation=allocation)
    ec2 = sim_session.client("ec2")
    _, eni = busy_subnet(ec2, cidr, busy)
    return ec2, eni, _wiring._hooks[sim_session._session]


def in_pipeline(
    ec2: Any, eni: str, handler: Callable[..., Any], unique_id: str, rounds: int, cycles: int
) -> Tuple[float, float]:
    """(µs per call in the handler, µs per whole call), medians over rounds, with the handler timed in place."""
    spent = [0.0]

    def timed(**kwargs: Any) -> Any:
        start = time.perf_counter()
        answer = handler(**kwargs)
        spent[0] += time.perf_counter() - start
        return answer

    ec2.meta.events.unregister("before-call.*.*", unique_id=unique_id)
    ec2.meta.events.register_first("before-call.*.*", timed, unique_id=unique_id)
    for _ in range(cycles):  # warm up botohook's and botocore's caches and CPython's specialisation
        cycle(ec2, eni)
    inside: List[float] = []
    whole: List[float] = []
    for _ in range(rounds):
        spent[0] = 0.0
        start = time.perf_counter()
        for _ in range(cycles):
            cycle(ec2, eni)
        whole.append((time.perf_counter() - start) / cycles / 2 * 1e6)
        inside.append(spent[0] / cycles / 2 * 1e6)
    return statistics.median(inside), statistics.median(whole)


def standalone(ec2: Any, eni: str, handler: Callable[..., Any], rounds: int, cycles: int) -> float:
    """The handler called in a loop with the requests the client sent (µs per call, best round)."""
    captured: List[Dict[str, Any]] = []

    def capture(**kwargs: Any) -> Any:
        captured.append(kwargs)
        return handler(**kwargs)

    ec2.meta.events.unregister("before-call.*.*", unique_id=_wiring.HOOK_ID)
    ec2.meta.events.register_first("before-call.*.*", capture, unique_id=_wiring.HOOK_ID)
    cycle(ec2, eni)
    assign, unassign = captured
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(cycles):
            address = handler(**assign)[1]["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
            unassign["params"]["body"]["PrivateIpAddress.1"] = address
            handler(**unassign)
        best = min(best, (time.perf_counter() - start) / cycles / 2 * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    rounds, cycles = (2, 50) if parser.parse_args().quick else (7, 2000)
    rows: List[List[str]] = []
    configurations = [  # (label, allocation, subnet, busy interfaces of 50 addresses)
        ("random, /16, 2,000 in use (run.py's per-call scenario)", "random", "10.0.0.0/16", BUSY_INTERFACES),
        ("lowest-first, same /16 (one address reused: all hot)", "lowest", "10.0.0.0/16", BUSY_INTERFACES),
        ("random, /24, 100 in use (small structures)", "random", "10.0.0.0/24", 2),
    ]
    for label, allocation, cidr, busy in configurations:
        ec2, eni, hook = hooked_client(allocation, cidr, busy)
        alone = standalone(ec2, eni, hook, rounds, cycles)
        inside, whole = in_pipeline(ec2, eni, hook, _wiring.HOOK_ID, rounds, cycles)
        rows.append([label, f"{alone:.1f}", f"{inside:.1f}", f"{whole:.1f}"])
    inside, whole = in_pipeline(floor_client(), "eni-1", constant_answer, FLOOR_ID, rounds, cycles)
    rows.append(["floor (constant handler)", "", f"{inside:.1f}", f"{whole:.1f}"])
    table(
        f"Handler time per call (assign + unassign cycle), medians of {rounds} rounds of {cycles} cycles",
        ["configuration", "standalone µs", "in the pipeline µs", "whole call µs"],
        rows,
    )


if __name__ == "__main__":
    main()
