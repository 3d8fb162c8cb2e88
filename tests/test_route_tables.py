"""Route tables, routes and internet gateways through a genuine client, with EC2's errors; and the failover that
moves a route to the surviving node's interface, as ClusterLabs' aws-vpc-move-ip does."""

from __future__ import annotations

from typing import Any, Dict, List

import boto3

import botohook

from .conftest import AMI, REGION, ec2_error, new_eni


def tables(ec2: Any, vpc_id: str) -> List[Dict[str, Any]]:
    found: List[Dict[str, Any]] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    return found


def routes(ec2: Any, table_id: str) -> Dict[str, Dict[str, Any]]:
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    return {r["DestinationCidrBlock"]: r for r in table["Routes"]}


def test_every_vpc_has_a_main_table_with_its_local_route(ec2: Any, vpc_id: str) -> None:
    [main] = tables(ec2, vpc_id)
    assert main["Associations"][0]["Main"] is True and "SubnetId" not in main["Associations"][0]
    assert main["Routes"] == [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}
    ]
    filtered = ec2.describe_route_tables(Filters=[{"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    assert len(filtered) == 2  # this VPC's and the default VPC's


def test_the_default_vpc_reaches_the_internet(ec2: Any) -> None:
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    [gateway] = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [default_vpc]}])[
        "InternetGateways"
    ]
    [main] = tables(ec2, default_vpc)
    assert routes(ec2, main["RouteTableId"])["0.0.0.0/0"] == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": gateway["InternetGatewayId"],
        "Origin": "CreateRoute",
        "State": "active",
    }


def test_tables_associations_and_their_errors(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    table = ec2.create_route_table(
        VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "k", "Value": "v"}]}]
    )["RouteTable"]
    assert table["Tags"] == [{"Key": "k", "Value": "v"}] and table["Associations"] == []
    association = ec2.associate_route_table(RouteTableId=table["RouteTableId"], SubnetId=subnet_id)["AssociationId"]
    found = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])
    assert [t["RouteTableId"] for t in found["RouteTables"]] == [table["RouteTableId"]]
    with ec2_error("Resource.AlreadyAssociated", unchanged=ec2):
        ec2.associate_route_table(RouteTableId=table["RouteTableId"], SubnetId=subnet_id)
    with ec2_error(
        "DependencyViolation",
        f"The routeTable '{table['RouteTableId']}' has dependencies and cannot be deleted.",
        unchanged=ec2,
    ):
        ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    stranger = ec2.create_route_table(VpcId=other_vpc)["RouteTable"]["RouteTableId"]
    with ec2_error(
        "InvalidParameterValue",
        f"Route table {stranger} and subnet {subnet_id} belong to different networks.",
        unchanged=ec2,
    ):
        ec2.associate_route_table(RouteTableId=stranger, SubnetId=subnet_id)
    [main] = [t for t in tables(ec2, vpc_id) if t["RouteTableId"] != table["RouteTableId"]]
    main_association = main["Associations"][0]["RouteTableAssociationId"]
    with ec2_error(
        "InvalidParameterValue",
        f"cannot disassociate the main route table association {main_association}",
        unchanged=ec2,
    ):
        ec2.disassociate_route_table(AssociationId=main_association)
    ec2.disassociate_route_table(AssociationId=association)
    # the new table becomes the main one
    new_main = ec2.replace_route_table_association(AssociationId=main_association, RouteTableId=table["RouteTableId"])
    assert new_main["AssociationState"] == {"State": "associated"}
    mains = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
    )
    assert [t["RouteTableId"] for t in mains["RouteTables"]] == [table["RouteTableId"]]
    ec2.delete_route_table(RouteTableId=main["RouteTableId"])
    with ec2_error("InvalidRouteTableID.NotFound", f"The routeTable ID '{main['RouteTableId']}' does not exist"):
        ec2.describe_route_tables(RouteTableIds=[main["RouteTableId"]])
    with ec2_error("InvalidRouteTableId.Malformed", 'Invalid id: "rtb" (expecting "rtb-...")'):
        ec2.delete_route_table(RouteTableId="rtb")


def test_routes_to_gateways_interfaces_and_instances(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    with ec2_error(
        "InvalidParameterValue",
        f"route table {table} and network gateway {gateway} belong to different networks",
        unchanged=ec2,
    ):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    assert ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)["Return"] is True
    with ec2_error("RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.", unchanged=ec2):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    with ec2_error("RouteAlreadyExists", "The route identified by 10.0.0.0/16 already exists.", unchanged=ec2):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", GatewayId=gateway)
    eni = new_eni(ec2, subnet_id)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/24", NetworkInterfaceId=eni)
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="c5.large")
    instance = node["Instances"][0]["InstanceId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.1.7/32", InstanceId=instance)
    shown = routes(ec2, table)
    assert shown["192.168.1.7/32"]["InstanceId"] == instance
    assert (
        shown["192.168.1.7/32"]["NetworkInterfaceId"]
        == node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    )
    assert shown["192.168.0.0/24"]["State"] == "blackhole"  # [decided] an interface on no instance sends nowhere
    # a second interface makes the instance ambiguous as a target
    ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance, DeviceIndex=1)
    with ec2_error("InvalidInstanceID", contains="There are multiple interfaces attached to instance", unchanged=ec2):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.2.0/24", InstanceId=instance)
    shown = routes(ec2, table)
    assert shown["192.168.0.0/24"]["InstanceId"] == instance  # the interface's instance is shown
    assert shown["192.168.0.0/24"]["State"] == "active"  # attached to a running instance
    ec2.terminate_instances(InstanceIds=[instance])
    shown = routes(ec2, table)
    assert shown["192.168.1.7/32"]["State"] == "blackhole"  # the instance and its primary interface are gone
    assert shown["192.168.0.0/24"]["State"] == "blackhole"  # the interface was kept (DeleteOnTermination), detached
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert routes(ec2, table)["192.168.0.0/24"]["State"] == "blackhole"
    blackholes = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])["RouteTables"]
    assert [t["RouteTableId"] for t in blackholes] == [table]
    with ec2_error(
        "InvalidParameterValue", f"cannot remove local route 10.0.0.0/16 in route table {table}", unchanged=ec2
    ):
        ec2.delete_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16")
    with ec2_error(
        "InvalidRoute.NotFound",
        f"no route with destination-cidr-block 172.16.0.0/12 in route table {table}",
        unchanged=ec2,
    ):
        ec2.delete_route(RouteTableId=table, DestinationCidrBlock="172.16.0.0/12")
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/24")
    assert "192.168.0.0/24" not in routes(ec2, table)


def test_internet_gateways(ec2: Any, vpc_id: str) -> None:
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    with ec2_error(
        "Resource.AlreadyAssociated", f"resource {gateway} is already attached to network {vpc_id}", unchanged=ec2
    ):
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    with ec2_error(
        "DependencyViolation", f"The internetGateway '{gateway}' has dependencies and cannot be deleted.", unchanged=ec2
    ):
        ec2.delete_internet_gateway(InternetGatewayId=gateway)
    with ec2_error("DependencyViolation", unchanged=ec2):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    with ec2_error("Gateway.NotAttached", f"resource {gateway} is not attached to network {vpc_id}", unchanged=ec2):
        ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    assert ec2.describe_internet_gateways(InternetGatewayIds=[gateway])["InternetGateways"][0]["Attachments"] == []
    ec2.delete_internet_gateway(InternetGatewayId=gateway)
    ec2.delete_vpc(VpcId=vpc_id)  # its main table and default group go with it
    with ec2_error("InvalidInternetGatewayID.NotFound", f"The internetGateway ID '{gateway}' does not exist"):
        ec2.describe_internet_gateways(InternetGatewayIds=[gateway])


def test_move_a_route_to_the_surviving_node_like_aws_vpc_move_ip(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    """aws-vpc-move-ip: an overlay address outside the VPC is reached through a /32 route to the active node's
    interface; failover replaces the route's target with the other node's interface (source/destination check off)."""
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    nodes = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnet_id, InstanceType="c5.large")
    first, second = (i["NetworkInterfaces"][0]["NetworkInterfaceId"] for i in nodes["Instances"])
    for eni in (first, second):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, SourceDestCheck={"Value": False})
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.100.1/32", NetworkInterfaceId=first)
    ec2.replace_route(RouteTableId=table, DestinationCidrBlock="192.168.100.1/32", NetworkInterfaceId=second)
    route = routes(ec2, table)["192.168.100.1/32"]
    assert route["NetworkInterfaceId"] == second and route["State"] == "active"
    assert route["InstanceId"] == nodes["Instances"][1]["InstanceId"]
    with ec2_error("InvalidRoute.NotFound", unchanged=ec2):
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="192.168.100.2/32", NetworkInterfaceId=second)
    with ec2_error(
        "InvalidParameterValue", f"cannot replace local route 10.0.0.0/16 in route table {table}", unchanged=ec2
    ):
        ec2.replace_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=second)


def test_routes_to_a_stopped_instance_are_blackholes(ec2: Any, vpc_id: str, subnet_id: str) -> None:
    """Issue 21, item 12: a route by NetworkInterfaceId or by InstanceId turns blackhole when the instance stops (EC2
    blackholes routes to stopped and terminated instances, not to stopping ones: bobtfish/AWSnycast#21), and is
    active again once it runs."""
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, InstanceType="c5.large")
    instance = node["Instances"][0]["InstanceId"]
    eni = node["Instances"][0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/24", NetworkInterfaceId=eni)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.1.0/24", InstanceId=instance)
    both = ("192.168.0.0/24", "192.168.1.0/24")
    assert [routes(ec2, table)[d]["State"] for d in both] == ["active", "active"]
    ec2.stop_instances(InstanceIds=[instance])
    assert [routes(ec2, table)[d]["State"] for d in both] == ["blackhole", "blackhole"]
    found = ec2.describe_route_tables(Filters=[{"Name": "route.state", "Values": ["blackhole"]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [table]
    ec2.start_instances(InstanceIds=[instance])
    assert [routes(ec2, table)[d]["State"] for d in both] == ["active", "active"]


def test_a_stopping_instances_routes_stay_active_until_it_has_stopped() -> None:
    with botohook.mock(strict=True, consistency="eventual") as sim:
        ec2 = boto3.client("ec2", region_name=REGION)
        node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="c5.large")["Instances"][0]
        sim.clock.advance(5)  # running
        [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [node["VpcId"]]}])["RouteTables"]
        table_id = table["RouteTableId"]
        ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="192.168.0.0/24", InstanceId=node["InstanceId"])
        ec2.stop_instances(InstanceIds=[node["InstanceId"]])
        assert routes(ec2, table_id)["192.168.0.0/24"]["State"] == "active"  # stopping
        sim.clock.advance(5)
        assert routes(ec2, table_id)["192.168.0.0/24"]["State"] == "blackhole"  # stopped
