"""botohook's benchmarks, side by side with the floor, botocore's Stubber and moto, in one run.

    python benchmarks/run.py            # about two minutes
    python benchmarks/run.py --quick    # fewer rounds, for a smoke test

Every contender uses a genuine boto3 EC2 client. Rounds are interleaved (each round times every contender,
in rotating order) and the table reports medians. The "floor" is a ``before-call`` handler that returns a
constant: what any plugin keeping a genuine client must pay. moto is measured when it is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Tuple

import boto3
import botocore
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

import botohook

REGION = "us-east-1"
BUSY_INTERFACES, BUSY_ADDRESSES_EACH = 40, 50  # 2,000 addresses in use around the measured interface
USABLE_16 = 2**16 - 5
LOADED = "the interface already holding 50 addresses"

try:
    from moto import mock_aws
except ImportError:  # moto is optional (it comes with the test extra)
    mock_aws = None


def session() -> boto3.Session:
    return boto3.Session(region_name=REGION, aws_access_key_id="bench", aws_secret_access_key="bench")


def cycle(ec2: Any, eni: str) -> None:
    """The measured unit: assign one automatic secondary address, then unassign it (two API calls)."""
    response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
    address = response["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[address])


def new_subnet(ec2: Any, cidr: str = "10.0.0.0/16") -> str:
    """A subnet ``cidr`` in a new 10.0.0.0/16 VPC."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"])


def new_interface(ec2: Any, subnet: str, **options: Any) -> str:
    return str(ec2.create_network_interface(SubnetId=subnet, **options)["NetworkInterface"]["NetworkInterfaceId"])


def busy_subnet(ec2: Any, cidr: str = "10.0.0.0/16", busy: int = BUSY_INTERFACES) -> Tuple[str, str]:
    """A subnet with ``busy`` interfaces of 50 addresses (by default a /16 with 2,000 addresses in use), and one
    more interface to measure on."""
    subnet = new_subnet(ec2, cidr)
    for _ in range(busy):
        new_interface(ec2, subnet, SecondaryPrivateIpAddressCount=BUSY_ADDRESSES_EACH - 1)
    return subnet, new_interface(ec2, subnet)


FLOOR_ID = "floor"
_FLOOR_HTTP = AWSResponse("https://ec2.amazonaws.com/", 200, {}, None)


def constant_answer(**_: Any) -> Any:
    """The floor: a ``before-call`` handler answering a constant, the least any plugin keeping a client costs."""
    return _FLOOR_HTTP, {
        "NetworkInterfaceId": "eni-1",
        "AssignedPrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.9"}],
        "ResponseMetadata": {},
    }


def floor_client() -> Any:
    ec2 = session().client("ec2")
    ec2.meta.events.unregister("before-call.*.*", unique_id="botohook")  # the floor stays botohook-free
    ec2.meta.events.register_first("before-call.*.*", constant_answer, unique_id=FLOOR_ID)
    return ec2


def stubber_cycle() -> Callable[[], None]:
    ec2 = session().client("ec2")
    stub = Stubber(ec2)
    stub.activate()
    assigned = {"NetworkInterfaceId": "eni-12345678", "AssignedPrivateIpAddresses": [{"PrivateIpAddress": "10.0.0.9"}]}

    def run() -> None:  # Stubber users queue each answer: that is part of its cost
        stub.add_response("assign_private_ip_addresses", assigned)
        stub.add_response("unassign_private_ip_addresses", {})
        cycle(ec2, "eni-12345678")

    return run


def measure(contenders: Dict[str, Callable[[], None]], rounds: int, per_round: int) -> Dict[str, float]:
    """Median microseconds per call of each contender (a call is one unit / ``calls_per_unit``)."""
    samples: Dict[str, List[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            run = contenders[name]
            start = time.perf_counter()
            for _ in range(per_round):
                run()
            samples[name].append((time.perf_counter() - start) / per_round * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def fill(sim_session: boto3.Session, fraction: float) -> Tuple[Any, str]:
    """A client on a /16 subnet filled to ``fraction`` by one big interface, and a free interface to measure on."""
    ec2 = sim_session.client("ec2")
    subnet = new_subnet(ec2)
    holder, eni = new_interface(ec2, subnet), new_interface(ec2, subnet)
    wanted = int(USABLE_16 * fraction) - 2
    while wanted > 0:
        chunk = min(wanted, 1000)
        ec2.assign_private_ip_addresses(NetworkInterfaceId=holder, SecondaryPrivateIpAddressCount=chunk)
        wanted -= chunk
    return ec2, eni


def table(title: str, header: List[str], rows: List[List[str]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def loaded_interface(ec2: Any, subnet: str) -> str:
    """An interface already holding 50 addresses, in the same subnet: the state moto's cost grows with."""
    return new_interface(ec2, subnet, SecondaryPrivateIpAddressCount=BUSY_ADDRESSES_EACH - 1)


def per_call(args: argparse.Namespace) -> None:
    contenders: Dict[str, Callable[[], None]] = {}
    floor = floor_client()
    contenders["floor (constant before-call handler)"] = lambda: cycle(floor, "eni-1")
    contenders["botocore Stubber"] = stubber_cycle()
    sim_session = session()
    botohook.install(sim_session, seed=1)
    ours = sim_session.client("ec2")
    subnet, eni = busy_subnet(ours)
    loaded = loaded_interface(ours, subnet)
    contenders["botohook"] = lambda: cycle(ours, eni)
    contenders[f"botohook, {LOADED}"] = lambda: cycle(ours, loaded)
    moto_mock = None
    if mock_aws is not None:
        moto_mock = mock_aws()
        moto_mock.start()
        theirs = session().client("ec2")
        moto_subnet, moto_eni = busy_subnet(theirs)
        moto_loaded = loaded_interface(theirs, moto_subnet)
        contenders["moto"] = lambda: cycle(theirs, moto_eni)
        contenders[f"moto, {LOADED}"] = lambda: cycle(theirs, moto_loaded)
    try:
        result = measure(contenders, args.rounds, args.per_round)
    finally:
        if moto_mock is not None:
            moto_mock.stop()
    base = result["floor (constant before-call handler)"]
    rows = [[name, f"{us / 2:.1f}", f"{us / base:.2f}x"] for name, us in result.items()]
    table(
        "Per call: assign(count=1) + unassign on an interface in a /16 with 2,000 addresses in use",
        ["contender", "µs per call (median)", "x floor"],
        rows,
    )
    if "moto" in result:
        print(
            f"\nbotohook is {result['moto'] / result['botohook']:.1f}x faster than moto per call, "
            f"{result[f'moto, {LOADED}'] / result[f'botohook, {LOADED}']:.1f}x when the interface holds 50 addresses."
        )


def cycle6(ec2: Any, eni: str) -> None:
    """The IPv6 unit: assign one automatic IPv6 address, then unassign it (two API calls)."""
    address = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6AddressCount=1)["AssignedIpv6Addresses"][0]
    ec2.unassign_ipv6_addresses(NetworkInterfaceId=eni, Ipv6Addresses=[address])


def constant_answer6(**_: Any) -> Any:
    return _FLOOR_HTTP, {
        "NetworkInterfaceId": "eni-1",
        "AssignedIpv6Addresses": ["2001:db8::9"],
        "ResponseMetadata": {},
    }


def ipv6_subnet(sim: botohook.Simulator, ec2: Any, in_use: int) -> str:
    """An interface to measure on, in a dual-stack subnet whose /64 already has ``in_use`` addresses taken (put there
    through the model: a million calls would take minutes and measure nothing more)."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    sixty_four = str(next(ipaddress.IPv6Network(block).subnets(new_prefix=64)))
    subnet_id = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", Ipv6CidrBlock=sixty_four)["Subnet"]["SubnetId"]
    holder = sim.interface(new_interface(ec2, subnet_id))
    subnet = sim.subnet(subnet_id)
    with sim.paused():
        subnet.allocate6(in_use, holder, sim.region(REGION).settings)
    return new_interface(ec2, subnet_id)


def ipv6(args: argparse.Namespace) -> None:
    """AssignIpv6Addresses(count=1) + UnassignIpv6Addresses beside the IPv4 cycle and the floor, from 10 to a
    million addresses in use in the /64."""
    floor = floor_client()
    floor6 = session().client("ec2")
    floor6.meta.events.unregister("before-call.*.*", unique_id="botohook")
    floor6.meta.events.register_first("before-call.*.*", constant_answer6, unique_id=FLOOR_ID)
    sim_session = session()
    sim = botohook.install(sim_session, seed=1)
    ours = sim_session.client("ec2")
    _, eni4 = busy_subnet(ours)
    sizes = [10, 1_000] if args.quick else [10, 1_000, 1_000_000]
    enis6 = {size: ipv6_subnet(sim, ours, size) for size in sizes}
    contenders: Dict[str, Callable[[], None]] = {
        "floor, IPv4 answer": lambda: cycle(floor, "eni-1"),
        "floor, IPv6 answer": lambda: cycle6(floor6, "eni-1"),
        "botohook IPv4 cycle (2,000 in use)": lambda: cycle(ours, eni4),
    }
    for size, eni in enis6.items():
        contenders[f"botohook IPv6 cycle ({size:,} in use in the /64)"] = lambda eni=eni: cycle6(ours, eni)
    result = measure(contenders, args.rounds, args.per_round)
    base, ipv4 = result["floor, IPv6 answer"], result["botohook IPv4 cycle (2,000 in use)"]
    rows = [[name, f"{us / 2:.1f}", f"{us / base:.2f}x", f"{us / ipv4:.2f}x"] for name, us in result.items()]
    table(
        "IPv6: assign(count=1) + unassign, beside the IPv4 cycle",
        ["contender", "µs per call (median)", "x IPv6 floor", "x IPv4 cycle"],
        rows,
    )
    smallest, largest = (result[f"botohook IPv6 cycle ({n:,} in use in the /64)"] for n in (sizes[0], sizes[-1]))
    print(f"\nFrom {sizes[0]:,} to {sizes[-1]:,} addresses in use: {largest / smallest:.2f}x.")


def reach(args: argparse.Namespace) -> None:
    """The same cycle through each way a client meets botohook: installed on its session, made inside ``mock()``
    (hooked at ``before-call``), and made before botohook reached it (answered by the net at ``_make_request``)."""
    from botohook import _wiring

    floor = floor_client()
    installed_session = session()
    botohook.install(installed_session, seed=1)
    installed = installed_session.client("ec2")
    _, installed_eni = busy_subnet(installed)
    early = session().client("ec2")
    early.meta.events.unregister(_wiring.EVENT, unique_id=_wiring.HOOK_ID)  # as if made before botohook was loaded
    with botohook.mock(seed=1):
        inside = session().client("ec2")
        _, inside_eni = busy_subnet(inside)
        _, early_eni = busy_subnet(early, "10.0.0.0/16")
        result = measure(
            {
                "floor (constant before-call handler)": lambda: cycle(floor, "eni-1"),
                "botohook.install(session)": lambda: cycle(installed, installed_eni),
                "botohook.mock(), client made inside it": lambda: cycle(inside, inside_eni),
                "botohook.mock(), client made before botohook was loaded": lambda: cycle(early, early_eni),
            },
            args.rounds,
            args.per_round,
        )
    base = result["floor (constant before-call handler)"]
    table(
        "Per call by way in: assign(count=1) + unassign on an interface in a /16 with 2,000 addresses in use",
        ["contender", "µs per call (median)", "x floor"],
        [[name, f"{us / 2:.1f}", f"{us / base:.2f}x"] for name, us in result.items()],
    )


def flat(args: argparse.Namespace) -> None:
    floor = floor_client()
    low_session, high_session = session(), session()
    for s in (low_session, high_session):
        botohook.install(s, seed=2, detached_address_limit=2**17)
    low, low_eni = fill(low_session, 0.01)
    high, high_eni = fill(high_session, 0.99)
    result = measure(
        {
            "floor": lambda: cycle(floor, "eni-1"),
            "1% full": lambda: cycle(low, low_eni),
            "99% full": lambda: cycle(high, high_eni),
        },
        args.rounds,
        args.per_round,
    )
    rows = [[name, f"{us / 2:.1f}", f"{us / result['floor']:.2f}x"] for name, us in result.items()]
    rows.append(["99% / 1%", "", f"{result['99% full'] / result['1% full']:.2f}x"])
    table(
        "Flat as a /16 fills: the same cycle at 1% and 99% full (botohook)", ["subnet", "µs per call", "x floor"], rows
    )


def fragmented_16(whole_blocks: int) -> Tuple[Any, str]:
    """A /16 holding 15 addresses of every /28 except ``whole_blocks`` wholly free ones: full and fragmented."""
    sim_session = session()
    botohook.install(sim_session, seed=4, detached_address_limit=2**17)
    ec2 = sim_session.client("ec2")
    subnet = new_subnet(ec2)
    holder = new_interface(ec2, subnet, PrivateIpAddress="10.0.0.4")
    eni = new_interface(ec2, subnet, PrivateIpAddress="10.0.0.5")
    keep = set(range(1000, 1000 + whole_blocks))
    wanted = [
        f"10.0.{(block * 16 + i) >> 8}.{(block * 16 + i) & 255}"
        for block in range(1, 4095)
        if block not in keep
        for i in range(15)
    ]
    for start in range(0, len(wanted), 1000):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=holder, PrivateIpAddresses=wanted[start : start + 1000])
    return ec2, eni


def prefixes(args: argparse.Namespace) -> None:
    floor = floor_client()
    ec2, eni = fragmented_16(whole_blocks=10)
    exhausted, exhausted_eni = fragmented_16(whole_blocks=0)

    def prefix_cycle() -> None:
        response = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4PrefixCount=1)
        prefix = response["AssignedIpv4Prefixes"][0]["Ipv4Prefix"]
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, Ipv4Prefixes=[prefix])

    def refused_twice() -> None:  # two calls, to compare with two-call cycles
        for _ in range(2):
            with contextlib.suppress(exhausted.exceptions.ClientError):
                exhausted.assign_private_ip_addresses(NetworkInterfaceId=exhausted_eni, Ipv4PrefixCount=1)

    result = measure(
        {
            "floor": lambda: cycle(floor, "eni-1"),
            "plain cycle (address)": lambda: cycle(ec2, eni),
            "prefix cycle (a /28 found)": prefix_cycle,
            "prefix refused (InsufficientCidrBlocks)": refused_twice,
        },
        args.rounds,
        args.per_round,
    )
    plain = result["plain cycle (address)"]
    rows = [
        [name, f"{us / 2:.1f}", f"{us / result['floor']:.2f}x", f"{us / plain:.2f}x"] for name, us in result.items()
    ]
    table(
        "Automatic /28 prefixes in a full, fragmented /16 (15 of 16 addresses taken in every /28, 10 or 0 whole)",
        ["call", "µs per call", "x floor", "x plain call"],
        rows,
    )


def fill_quarters(ec2: Any, quarters: List[float], how_many: int = 4) -> str:
    """Fill a new /16 with one interface's secondaries, 1,000 per call, timing each of the first ``how_many``
    quarters; returns the subnet id."""
    subnet = new_subnet(ec2)
    holder = new_interface(ec2, subnet)
    left = USABLE_16 - 1
    for quarter in range(how_many):
        goal = left - (USABLE_16 - 1) * (3 - quarter) // 4
        start = time.perf_counter()
        while goal > 0:
            chunk = min(goal, 1000)
            ec2.assign_private_ip_addresses(NetworkInterfaceId=holder, SecondaryPrivateIpAddressCount=chunk)
            goal -= chunk
            left -= chunk
        quarters.append(time.perf_counter() - start)
    return str(subnet)


def fill_whole_16(quarters: List[float]) -> Any:
    """Fill a /16 completely with botohook, timing each quarter; returns the simulator."""
    sim_session = session()
    sim = botohook.install(sim_session, seed=3, detached_address_limit=2**17)
    subnet = fill_quarters(sim_session.client("ec2"), quarters)
    assert sim.subnet(subnet).available == 0
    return sim


def fill_time() -> None:
    runs: List[List[float]] = [[], [], []]
    for run in runs:
        fill_whole_16(run)
    quarters = [statistics.median(times) for times in zip(*runs)]
    rows = [
        [f"quarter {i + 1}", f"{q * 1000:.0f} ms", f"{q / (USABLE_16 / 4) * 1e6:.2f} µs"]
        for i, q in enumerate(quarters)
    ]
    rows.append(
        ["whole /16 (65,531 addresses)", f"{sum(quarters) * 1000:.0f} ms", f"{sum(quarters) / USABLE_16 * 1e6:.2f} µs"]
    )
    if mock_aws is not None:  # one quarter only: moto's cost per call grows with the addresses the interface holds
        moto_quarters: List[float] = []
        with mock_aws():
            fill_quarters(session().client("ec2"), moto_quarters, how_many=1)
        q = moto_quarters[0]
        rows.append(["moto, quarter 1", f"{q * 1000:.0f} ms", f"{q / (USABLE_16 / 4) * 1e6:.2f} µs"])
    table(
        "Filling a /16 completely (assign 1,000 at a time; botohook: median of 3 fills, moto: first quarter)",
        ["part", "time", "per address"],
        rows,
    )
    tracemalloc.start()  # a second fill, traced: tracemalloc slows allocation too much to time the first one
    before = tracemalloc.get_traced_memory()[0]
    sim = fill_whole_16([])
    full = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del sim
    print(f"\nMemory of the full /16 (simulator state and botohook's caches, tracemalloc): {full / 2**20:.1f} MiB")


def offline() -> None:
    """Credentials for clients made outside botohook (plain, Stubber, moto), and no instance-metadata look-up."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")


def failover_test(ec2: Any) -> None:
    """A typical test of failover code: a network, two interfaces, a floating address moved from one to the other."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    a = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    b = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    assigned = ec2.assign_private_ip_addresses(NetworkInterfaceId=a, SecondaryPrivateIpAddressCount=1)
    address = assigned["AssignedPrivateIpAddresses"][0]["PrivateIpAddress"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[address], AllowReassignment=True)
    moved = ec2.describe_network_interfaces(NetworkInterfaceIds=[b])["NetworkInterfaces"][0]
    assert address in [p["PrivateIpAddress"] for p in moved["PrivateIpAddresses"]]


FLOATING = [{"PrivateIpAddress": "10.0.1.9"}]
FAILOVER_ANSWERS = [  # what a Stubber user queues for failover_test, in order
    ("create_vpc", {"Vpc": {"VpcId": "vpc-12345678"}}),
    ("create_subnet", {"Subnet": {"SubnetId": "subnet-12345678"}}),
    ("create_network_interface", {"NetworkInterface": {"NetworkInterfaceId": "eni-12345678"}}),
    ("create_network_interface", {"NetworkInterface": {"NetworkInterfaceId": "eni-87654321"}}),
    ("assign_private_ip_addresses", {"AssignedPrivateIpAddresses": FLOATING}),
    ("assign_private_ip_addresses", {"AssignedPrivateIpAddresses": FLOATING}),
    ("describe_network_interfaces", {"NetworkInterfaces": [{"PrivateIpAddresses": FLOATING}]}),
]


def suite(args: argparse.Namespace) -> None:
    """Whole tests, each with a fresh simulation and the client the code under test would create."""

    def floor() -> None:  # a new client whose calls all get one constant answer that satisfies the test
        ec2 = boto3.client("ec2", region_name=REGION)
        answer = {"ResponseMetadata": {}}
        for _, response in FAILOVER_ANSWERS:
            answer.update(response)
        ec2.meta.events.register_first("before-call.*.*", lambda **_: (_FLOOR_HTTP, dict(answer)))
        failover_test(ec2)

    def stubber() -> None:
        ec2 = boto3.client("ec2", region_name=REGION)
        with Stubber(ec2) as stub:
            for operation, response in FAILOVER_ANSWERS:
                stub.add_response(operation, response)
            failover_test(ec2)

    def ours() -> None:
        with botohook.mock():
            failover_test(boto3.client("ec2", region_name=REGION))

    contenders = {"floor (new client, constant answers)": floor, "botocore Stubber": stubber, "botohook.mock()": ours}
    if mock_aws is not None:

        def theirs() -> None:
            with mock_aws():
                failover_test(boto3.client("ec2", region_name=REGION))

        contenders["moto mock_aws()"] = theirs
    offline()
    result = measure(contenders, max(2, args.rounds // 6), 4)
    base = result["floor (new client, constant answers)"]
    table(
        "One test: a fresh simulation, a new boto3.client, 7 calls moving a floating address (failover_test)",
        ["contender", "ms per test (median)", "x floor"],
        [[name, f"{us / 1000:.1f}", f"{us / base:.2f}x"] for name, us in result.items()],
    )


def sessions(args: argparse.Namespace) -> None:
    def new_client() -> None:
        boto3.Session(region_name=REGION).client("ec2")

    def plain() -> None:
        new_client()

    def simulating() -> None:
        with botohook.mock():
            new_client()

    offline()
    result = measure({"plain boto3": plain, "inside botohook.mock()": simulating}, max(5, args.rounds // 4), 2)
    table(
        "A client from a new boto3.Session() (Ansible-style code)",
        ["", "ms per client (median)"],
        [[name, f"{us / 1000:.1f}"] for name, us in result.items()],
    )


def startup(args: argparse.Namespace) -> None:
    def run(command: List[str], cwd: str) -> float:
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as empty:
        with open(os.path.join(empty, "test_nothing.py"), "w") as handle:
            handle.write("def test_nothing():\n    pass\n")
        python = sys.executable
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "import botohook.pytest_plugin": [python, "-c", "import botohook.pytest_plugin"],
            "import botohook": [python, "-c", "import botohook"],
            "pytest (plugin loaded, unused)": [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            "pytest -p no:botohook": [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:botohook"],
        }
        samples: Dict[str, List[float]] = {name: [] for name in commands}
        for _ in range(max(5, args.rounds // 4)):
            for name, command in commands.items():
                samples[name].append(run(command, empty))
    table(
        "Start-up (whole process, median)",
        ["command", "ms"],
        [[name, f"{statistics.median(v) * 1000:.0f}"] for name, v in samples.items()],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke test, not a measurement")
    parser.add_argument("--only", nargs="+", choices=sorted(SCENARIOS), help="run only these scenarios")
    args = parser.parse_args()
    args.rounds, args.per_round = (6, 20) if args.quick else (30, 100)
    cpu = cpu_model()
    moto_version = "not installed"
    if mock_aws is not None:
        import moto

        moto_version = moto.__version__
    print(
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; botocore "
        f"{botocore.__version__}; boto3 {boto3.__version__}; moto {moto_version}; botohook {botohook_version()}"
    )
    for name, scenario in SCENARIOS.items():
        if not args.only or name in args.only:
            scenario(args)


SCENARIOS: Dict[str, Callable[[argparse.Namespace], None]] = {
    "per_call": per_call,
    "reach": reach,
    "ipv6": ipv6,
    "flat": flat,
    "prefixes": prefixes,
    "fill": lambda args: fill_time(),
    "suite": suite,
    "sessions": sessions,
    "startup": startup,
}


def cpu_model() -> str:
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def botohook_version() -> str:
    from importlib.metadata import version

    return version("botohook")


if __name__ == "__main__":
    main()
