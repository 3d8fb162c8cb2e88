"""Interruptions on the virtual clock (issue 22 item 5): ``sim.interrupt`` shows a Spot interruption, a rebalance
recommendation or a scheduled maintenance event in the instance's metadata, and then EC2's own stop or termination
happens, with what it does to the instance's addresses and routes."""

from __future__ import annotations

import json
from typing import Any, Iterator, Tuple

import pytest

import botohook
from tests.conftest import AMI
from tests.test_metadata import Imds

World = Tuple[botohook.Server, Any, str, str]


@pytest.fixture
def world() -> Iterator[World]:
    """Two running instances in a VPC with an internet gateway: (server, client, node a, node b)."""
    with botohook.serve(botohook.Simulator(seed=5, strict=True), region="eu-west-1") as server:
        ec2 = server.client()
        vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
        nodes = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=2, MaxCount=2, SubnetId=subnet)
        yield server, ec2, nodes["Instances"][0]["InstanceId"], nodes["Instances"][1]["InstanceId"]


def state(ec2: Any, node: str) -> str:
    return str(ec2.describe_instances(InstanceIds=[node])["Reservations"][0]["Instances"][0]["State"]["Name"])


def test_a_spot_interruption_shows_then_terminates_with_what_termination_does(world: World) -> None:
    server, ec2, node, other = world
    sim = server.simulator
    eni = sim.instance(node).interfaces[0].id
    floating = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)[
        "AssignedPrivateIpAddresses"
    ][0]["PrivateIpAddress"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, NetworkInterfaceId=eni, PrivateIpAddress=floating)
    vpc = sim.instance(node).subnet.vpc.id
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.9.0/24", NetworkInterfaceId=eni)
    imds = Imds(server.metadata(node), ttl=21600)

    start = sim.clock.now()
    sim.interrupt(node, "spot", at=start + 10)
    assert imds.text("meta-data/instance-life-cycle") == "spot"
    assert imds.get("meta-data/spot/instance-action")[0] == 404  # not yet: the notice comes at its time
    sim.clock.advance(10)
    action = json.loads(imds.text("meta-data/spot/instance-action"))
    assert action["action"] == "terminate" and action["time"].endswith("Z")
    assert imds.text("meta-data/spot/termination-time") == action["time"]
    assert state(ec2, node) == "running"  # two minutes' warning

    sim.clock.advance(120)
    assert state(ec2, node) == "terminated"
    assert imds.get("meta-data/instance-id")[0] == 404
    address = ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]
    assert "AssociationId" not in address and "NetworkInterfaceId" not in address  # its interface went with it
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("DestinationCidrBlock") == "192.168.9.0/24"] == ["blackhole"]
    # the floating address is free: the other node takes it without reassignment
    other_eni = sim.instance(other).interfaces[0].id
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other_eni, PrivateIpAddresses=[floating])
    assert state(ec2, other) == "running"


def test_a_maintenance_stop_is_scheduled_then_done(world: World) -> None:
    server, ec2, node, _ = world
    sim = server.simulator
    eni = sim.instance(node).interfaces[0].id
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, NetworkInterfaceId=eni)
    imds = Imds(server.metadata(node), ttl=21600)
    assert json.loads(imds.text("meta-data/events/maintenance/scheduled")) == []
    sim.interrupt(node, "maintenance", action="stop", warning=3600)
    (event,) = json.loads(imds.text("meta-data/events/maintenance/scheduled"))
    assert (
        event["Code"] == "instance-stop"
        and event["State"] == "active"
        and event["EventId"].startswith("instance-event-")
    )
    assert event["NotBefore"].endswith(" GMT")  # "21 Jan 2019 09:00:43 GMT", as EC2's user guide shows
    assert imds.text("meta-data/instance-life-cycle") == "on-demand"
    sim.clock.advance(3600)
    assert json.loads(imds.text("meta-data/events/maintenance/scheduled")) == []  # the view read carried it out
    (done,) = json.loads(imds.text("meta-data/events/maintenance/history"))
    assert done["EventId"] == event["EventId"] and done["State"] == "completed"
    assert state(ec2, node) == "stopped"
    assert ec2.describe_addresses(AllocationIds=[eip])["Addresses"][0]["NetworkInterfaceId"] == eni  # a stop keeps it


def test_a_rebalance_recommendation_changes_nothing_else(world: World) -> None:
    server, ec2, node, _ = world
    imds = Imds(server.metadata(node), ttl=21600)
    assert imds.get("meta-data/events/recommendations/rebalance")[0] == 404
    server.simulator.interrupt(node, "rebalance")
    assert set(json.loads(imds.text("meta-data/events/recommendations/rebalance"))) == {"noticeTime"}
    server.simulator.clock.advance(86400)
    assert state(ec2, node) == "running"


def test_protections_do_not_stop_an_interruption(world: World) -> None:
    server, ec2, node, _ = world
    ec2.modify_instance_attribute(InstanceId=node, DisableApiTermination={"Value": True})
    server.simulator.interrupt(node, "spot", warning=0)
    assert state(ec2, node) == "terminated"


def test_wrong_interruptions_are_refused_naming_the_choices(world: World) -> None:
    server, ec2, node, _ = world
    sim = server.simulator
    with pytest.raises(ValueError, match="did you mean 'spot'"):
        sim.interrupt(node, "spto")
    with pytest.raises(ValueError, match="'terminate', 'stop'"):
        sim.interrupt(node, "spot", action="hibernate")
    with pytest.raises(ValueError, match="None"):
        sim.interrupt(node, "rebalance", action="stop")
    with pytest.raises(KeyError):
        sim.interrupt("i-0000000000000000f")
    sim.clock.advance(30 * 86400)
    assert state(ec2, node) == "running"  # nothing was scheduled
    assert json.loads(Imds(server.metadata(node)).text("meta-data/events/maintenance/scheduled")) == []


def test_through_the_control_api(world: World) -> None:
    """For tests in other languages: POST /_botohook/interrupt takes sim.interrupt's arguments as JSON."""
    import urllib.error
    import urllib.request

    server, ec2, node, _ = world

    def control(body: object) -> Tuple[int, Any]:
        request = urllib.request.Request(
            f"{server.endpoint_url}/_botohook/interrupt", data=json.dumps(body).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    assert control({"instance_id": node, "notice": "spto"})[0] == 400
    assert control({"instance_id": "i-0000000000000000f"})[0] == 404
    assert control({"instance": node})[1]["error"].startswith("unknown argument 'instance'")
    assert control({"instance_id": node, "notice": "spot", "action": "stop", "warning": 30})[0] == 200
    assert json.loads(Imds(server.metadata(node)).text("meta-data/spot/instance-action"))["action"] == "stop"
    server.simulator.clock.advance(30)
    assert state(ec2, node) == "stopped"
