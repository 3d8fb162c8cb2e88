"""Move an overlay address by moving its route, as ClusterLabs' aws-vpc-move-ip does for a Pacemaker cluster.

The address 192.168.100.1 lies outside the VPC; clients reach it through a /32 route to the active node's interface.
On failover the surviving node points the route at its own interface. Both nodes have the source/destination check
off, as traffic for an address that is not theirs must be accepted. Runs without an AWS account.

    python examples/route_failover.py
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import ClientError

import botohook

OVERLAY = "192.168.100.1/32"


def route_target(ec2: Any, table: str) -> Any:
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    return next(r for r in routes if r["DestinationCidrBlock"] == OVERLAY)


def take_over(ec2: Any, table: str, interface_id: str) -> None:
    """What the resource agent does on the node that takes over: point the overlay route at itself."""
    try:
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock=OVERLAY, NetworkInterfaceId=interface_id)
    except ClientError as error:
        if error.response["Error"]["Code"] != "InvalidRoute.NotFound":
            raise
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=OVERLAY, NetworkInterfaceId=interface_id)


def main() -> None:
    with botohook.mock(seed=11) as sim:
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        nodes = ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, SubnetId=subnet)["Instances"]
        a, b = (n["NetworkInterfaces"][0]["NetworkInterfaceId"] for n in nodes)
        for eni in (a, b):
            ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})

        take_over(ec2, table, a)  # node A starts the resource: the route is created
        print(f"overlay {OVERLAY} -> {route_target(ec2, table)['NetworkInterfaceId']} (node A)")
        ec2.terminate_instances(InstanceIds=[nodes[0]["InstanceId"]])  # node A dies with its interface
        print(f"node A gone: the route is {route_target(ec2, table)['State']}")
        take_over(ec2, table, b)  # node B takes over: the route is replaced
        route = route_target(ec2, table)
        print(f"overlay {OVERLAY} -> {route['NetworkInterfaceId']} (node B, {route['InstanceId']}), {route['State']}")

        assert route["NetworkInterfaceId"] == b and route["State"] == "active"
        assert sim.region("eu-west-1").route_tables[table].routes[OVERLAY].target == b


if __name__ == "__main__":
    main()
