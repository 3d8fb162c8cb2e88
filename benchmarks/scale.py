"""Describe calls at cluster scale (issue 24): what one selective Describe costs as the simulation grows.

    python benchmarks/scale.py            # 100, 1,000 and 4,000 instances; about a minute
    python benchmarks/scale.py --quick    # 100 and 1,000 instances, fewer rounds: a smoke test
    python benchmarks/scale.py --sizes 100 10000    # any sizes (up to about 12,000: 16 /20 subnets)

Each world is one VPC with 16 subnets holding N ``m5.large`` instances between them (launched 16 RunInstances calls
at a time, through the genuine boto3 client the measurements use). One call at a time, medians of interleaved rounds
(as ``run.py`` measures): the interfaces of one instance (``attachment.instance-id``), one interface by id, one
interface by any of its addresses, one instance by id, one instance by its private address, and the plain
assign + unassign cycle (per call). A selective Describe should cost what its answer costs, whatever N is.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable, Dict, List, Tuple

from run import cycle, measure, session, table

import botohook

SUBNETS = 16
TYPE = "m5.large"
SECONDARIES = 4  # each instance's interface holds a few more addresses, as a CNI's warm pool would
COLUMNS = (
    "DescribeNetworkInterfaces by attachment.instance-id",
    "DescribeNetworkInterfaces by id",
    "DescribeNetworkInterfaces by addresses.private-ip-address",
    "DescribeInstances by id",
    "DescribeInstances by private-ip-address",
    "assign + unassign (per call)",
)


def cluster(count: int) -> Tuple[Any, Dict[str, str], float]:
    """A client on a new simulator holding ``count`` instances in 16 /20 subnets, one instance's ids and addresses
    (the one in the middle of the launch order), and the seconds the world took to build."""
    sim_session = session()
    botohook.install(sim_session, seed=1)
    ec2 = sim_session.client("ec2")
    start = time.perf_counter()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{16 * i}.0/20")["Subnet"]["SubnetId"] for i in range(SUBNETS)
    ]
    launched: List[Dict[str, Any]] = []
    for index, subnet in enumerate(subnets):
        share = count // SUBNETS + (index < count % SUBNETS)
        if share:
            reservation = ec2.run_instances(
                ImageId="ami-12345678", InstanceType=TYPE, MinCount=share, MaxCount=share, SubnetId=subnet
            )
            launched.extend(reservation["Instances"])
    for instance in launched:
        eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=SECONDARIES)
    built = time.perf_counter() - start
    middle = launched[len(launched) // 2]
    eni = middle["NetworkInterfaces"][0]["NetworkInterfaceId"]
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    target = {
        "instance": middle["InstanceId"],
        "eni": eni,
        "primary": middle["PrivateIpAddress"],
        "secondary": described["PrivateIpAddresses"][-1]["PrivateIpAddress"],
    }
    return ec2, target, built


def calls(ec2: Any, target: Dict[str, str]) -> Dict[str, Callable[[], None]]:
    """One callable per column; each checks once, before timing, that it answers exactly the one resource."""

    def by(name: str, value: str) -> List[Dict[str, Any]]:
        return [{"Name": name, "Values": [value]}]

    units: Dict[str, Callable[[], Any]] = {
        COLUMNS[0]: lambda: ec2.describe_network_interfaces(Filters=by("attachment.instance-id", target["instance"])),
        COLUMNS[1]: lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=[target["eni"]]),
        COLUMNS[2]: lambda: ec2.describe_network_interfaces(
            Filters=by("addresses.private-ip-address", target["secondary"])
        ),
        COLUMNS[3]: lambda: ec2.describe_instances(InstanceIds=[target["instance"]]),
        COLUMNS[4]: lambda: ec2.describe_instances(Filters=by("private-ip-address", target["primary"])),
        COLUMNS[5]: lambda: cycle(ec2, target["eni"]),
    }
    for name, unit in list(units.items())[:5]:
        answer = unit()
        found = answer.get("NetworkInterfaces") or [i for r in answer["Reservations"] for i in r["Instances"]]
        assert len(found) == 1, f"{name}: {len(found)} answers"
    return units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 instances, fewer rounds: a smoke test")
    parser.add_argument("--sizes", nargs="+", type=int, help="numbers of instances (default 100 1000 4000)")
    args = parser.parse_args()
    sizes = args.sizes or ((100, 1000) if args.quick else (100, 1000, 4000))
    rounds, per_round = (5, 10) if args.quick else (20, 50)
    contenders: Dict[str, Callable[[], None]] = {}
    built: Dict[int, float] = {}
    for count in sizes:
        ec2, target, built[count] = cluster(count)
        for column, unit in calls(ec2, target).items():
            contenders[f"{count}|{column}"] = unit
    result = measure(contenders, rounds, per_round)
    rows = []
    for count in sizes:
        cells = [result[f"{count}|{column}"] / (2 if column == COLUMNS[5] else 1) for column in COLUMNS]
        rows.append([f"{count:,}", *(f"{us:.0f} µs" for us in cells), f"{built[count]:.1f} s"])
    table(
        f"At cluster scale: one call at a time, {SUBNETS} subnets, "
        f"N {TYPE} instances ({SECONDARIES + 1} addresses each)",
        ["N instances", *COLUMNS, "world built in"],
        rows,
    )
    first, last = sizes[0], sizes[-1]
    ratios = [result[f"{last}|{c}"] / result[f"{first}|{c}"] for c in COLUMNS]
    print(f"\nCost at {last:,} over cost at {first:,}: " + ", ".join(f"{r:.2f}x" for r in ratios))


if __name__ == "__main__":
    main()
