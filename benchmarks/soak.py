"""Memory over a long simulation: resident memory every 10,000 calls over 500,000 calls.

    python benchmarks/soak.py            # about two minutes
    python benchmarks/soak.py --quick    # 40,000 calls, a smoke test

A genuine boto3 client inside ``botohook.mock()`` repeats run.py's cycle (assign one automatic secondary address,
unassign it) on an interface in a /16 with 2,000 addresses in use, so the network itself does not grow: any growth
is the simulator's record of calls or its caches. Each configuration runs in a fresh process (resident memory is
per process): the default call record (the latest 10,000 calls) with random allocation, as EC2 allocates, which
visits ever more of the /16's addresses and so fills botohook's address-text caches (two LRU caches of at most
65,536 entries: bounded, but they grow for a while); the same with lowest-first allocation, where the cycle reuses
one address and only the call record could grow; and ``record_calls=None`` (every call kept) for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from typing import Any, Dict, List

EVERY = 10_000


def rss_mib() -> float:
    """Resident memory of this process now (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def child(record_calls: Any, allocation: str, calls: int) -> None:
    """Run the soak in this process; print the series as JSON."""
    import boto3
    from run import busy_subnet, cycle

    import botohook

    series: List[float] = []
    with botohook.mock(seed=1, record_calls=record_calls, allocation=allocation) as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        _, eni = busy_subnet(ec2)
        cycle(ec2, eni)
        series.append(rss_mib())
        for done in range(2, calls + 1, 2):
            cycle(ec2, eni)
            if done % EVERY == 0:
                series.append(rss_mib())
        kept, dropped = len(sim.calls), sim.dropped_calls
    print(json.dumps({"series": series, "kept": kept, "dropped": dropped}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="40,000 calls: a smoke test, not a measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    calls = 40_000 if args.quick else 500_000
    if args.child is not None:
        record_calls, allocation = args.child.split(",")
        child(None if record_calls == "None" else int(record_calls), allocation, calls)
        return
    configurations = {
        "default (latest 10,000 calls kept), random allocation": "10000,random",
        "default, lowest-first allocation": "10000,lowest",
        "record_calls=None (every call kept), random allocation": "None,random",
    }
    results: Dict[str, Dict[str, Any]] = {}
    for name, value in configurations.items():
        command = [sys.executable, __file__, "--child", value] + (["--quick"] if args.quick else [])
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        results[name] = json.loads(done.stdout)
    print(f"\n### Resident memory (MiB) over {calls:,} calls, one fresh process per configuration\n")
    names = list(results)
    print("| calls | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    length = len(results[names[0]]["series"])
    step = max(1, (length - 1) // 10)
    for index in sorted(set(range(0, length, step)) | {length - 1}):
        row = [f"{index * EVERY:,}"] + [f"{results[name]['series'][index]:.1f}" for name in names]
        print("| " + " | ".join(row) + " |")
    print()
    for name in names:
        series = results[name]["series"]
        half = len(series) // 2
        print(
            f"- {name}: {series[half] - series[0]:+.1f} MiB over the first {half * EVERY:,} calls, "
            f"{series[-1] - series[half]:+.1f} MiB over the rest; sim.calls holds {results[name]['kept']:,}, "
            f"dropped_calls {results[name]['dropped']:,}"
        )


if __name__ == "__main__":
    main()
