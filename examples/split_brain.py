"""Finding a race: two failover nodes that both end up believing they are primary.

Each node of a two-node cluster starts up and asks EC2 who holds the floating address; if nobody does, it takes the
address with AllowReassignment and becomes primary. Run one node after the other and all is well. botohook.explore
runs both at once and answers their calls one at a time, in every order: it finds the order in which both nodes read
"nobody", both take the address (the second move silently steals it from the first) and both believe they are
primary. The failing order replays exactly, and the fixed node (the address's owner is the lock: it claims without
AllowReassignment, and EC2 refuses the second claim) holds in every order. Runs without an AWS account.

    python examples/split_brain.py
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from botocore.exceptions import ClientError

import botohook

AMI = "ami-0123456789abcdef0"
FLOATING = "10.20.1.100"
Node = Callable[[Any, Dict[str, Any]], None]


def cluster(ec2: Any) -> Dict[str, Any]:
    """The world each order starts from: two instances, the floating address on neither; the nodes' beliefs."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    launched = ec2.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=2, MaxCount=2, SubnetId=subnet)
    instances = [instance["InstanceId"] for instance in launched["Instances"]]
    return {"instance": dict(zip("ab", instances)), "primary": set()}


def own_interface(ec2: Any, instance_id: str) -> str:
    reservation = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]
    interfaces = reservation["Instances"][0]["NetworkInterfaces"]
    return str(next(e for e in interfaces if e["Attachment"]["DeviceIndex"] == 0)["NetworkInterfaceId"])


def floating_is_free(ec2: Any) -> bool:
    filters = [{"Name": "addresses.private-ip-address", "Values": [FLOATING]}]
    return not ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"]


def naive_node(name: str) -> Node:
    """Check, then act: between the check and the move, the other node may do the same."""

    def start(ec2: Any, world: Dict[str, Any]) -> None:
        eni = own_interface(ec2, world["instance"][name])
        if floating_is_free(ec2):
            ec2.assign_private_ip_addresses(
                NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING], AllowReassignment=True
            )
            world["primary"].add(name)

    return start


def fixed_node(name: str) -> Node:
    """The address's owner is the lock: without AllowReassignment EC2 refuses to move an address another interface
    holds (InvalidParameterValue, "... move is not allowed."), so exactly one claim wins."""

    def start(ec2: Any, world: Dict[str, Any]) -> None:
        eni = own_interface(ec2, world["instance"][name])
        if floating_is_free(ec2):
            try:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING])
            except ClientError as error:
                if error.response["Error"]["Code"] != "InvalidParameterValue":
                    raise
                return  # the other node won: stay secondary
            world["primary"].add(name)

    return start


def one_primary(sim: botohook.Simulator, world: Dict[str, Any]) -> None:
    """The floating address is on exactly one node, and exactly that node believes it is primary."""
    holding = set()
    for name, instance_id in world["instance"].items():
        for interface in sim.instance(instance_id).interfaces.values():
            if FLOATING in interface.secondary_addresses:
                holding.add(name)
    assert len(holding) == 1, f"{FLOATING} is on {sorted(holding)}"
    assert world["primary"] == holding, f"{sorted(world['primary'])} believe they are primary, {sorted(holding)} is"


def explore(node: Callable[[str], Node], **options: Any) -> botohook.Exploration:
    return botohook.explore({"a": node("a"), "b": node("b")}, one_primary, setup=cluster, **options)


def main() -> None:
    found = explore(naive_node)
    print(f"naive nodes: {found}")
    assert found.failure is not None and "believe they are primary" in str(found.failure.error)

    shuffled = explore(naive_node, strategy="random", seed=3)
    assert shuffled.failure is not None and shuffled.failure.preemptions == 1  # random orders, shrunk
    print(f"\nnaive nodes, random orders: found after {shuffled.schedules} schedules, shrunk to one preemption")

    again = explore(naive_node, replay=found.failure.schedule)
    assert again.failure is not None and again.failure.schedule == found.failure.schedule
    print("\nreplayed: the same calls in the same order fail the same way")

    fixed = explore(fixed_node)
    print(f"\nfixed nodes: {fixed}")
    assert fixed.failure is None and fixed.complete
    shuffled = explore(fixed_node, strategy="random", seed=1, schedules=200)
    print(f"fixed nodes, random orders: {shuffled}")
    assert shuffled.failure is None


if __name__ == "__main__":
    main()
