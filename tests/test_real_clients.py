"""Real clients, unchanged, against botohook in-process: the AWS CLI v1 driven through its own entry point, and
Ansible's amazon.aws modules run as Ansible runs them (each module's main(), arguments as Ansible passes them)."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any, Dict

import pytest

import botohook

from .conftest import REGION


def cli(*arguments: str) -> str:
    """``aws <arguments> --region us-east-1 --output text`` through the CLI's own driver, in this process."""
    clidriver = pytest.importorskip("awscli.clidriver")
    out = io.StringIO()
    with redirect_stdout(out):
        code = clidriver.create_clidriver().main([*arguments, "--region", REGION, "--output", "text"])
    assert code == 0, (arguments, out.getvalue())
    return out.getvalue().strip()


def test_the_aws_cli_in_process_builds_a_network_moves_an_address_and_a_route(sim: botohook.Simulator) -> None:
    vpc = cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId")
    group = cli(
        "ec2", "create-security-group", "--group-name", "ha", "--description", "HA pair", "--vpc-id", vpc,
        "--query", "GroupId",
    )  # fmt: skip
    cli("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port", "22",
        "--cidr", "10.0.0.0/8")  # fmt: skip
    subnet = cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--query", "Subnet.SubnetId")
    nodes = cli(
        "ec2", "run-instances", "--image-id", "ami-0123456789abcdef0", "--count", "2", "--instance-type", "c5.large",
        "--subnet-id", subnet, "--security-group-ids", group,
        "--query", "Instances[].NetworkInterfaces[0].NetworkInterfaceId",
    ).split()  # fmt: skip
    assert len(nodes) == 2
    for eni in nodes:
        cli("ec2", "modify-network-interface-attribute", "--network-interface-id", eni, "--no-source-dest-check")
    # the floating address: on the first node, then moved to the second, as a failover agent does
    cli("ec2", "assign-private-ip-addresses", "--network-interface-id", nodes[0], "--private-ip-addresses", "10.0.1.50")
    cli("ec2", "assign-private-ip-addresses", "--network-interface-id", nodes[1], "--private-ip-addresses",
        "10.0.1.50", "--allow-reassignment")  # fmt: skip
    assert sim.interface(nodes[1]).secondary_addresses == ["10.0.1.50"]
    assert sim.interface(nodes[0]).secondary_addresses == []
    # the overlay route: pointed at the first node, then replaced, as aws-vpc-move-ip does
    table = cli("ec2", "create-route-table", "--vpc-id", vpc, "--query", "RouteTable.RouteTableId")
    cli("ec2", "associate-route-table", "--route-table-id", table, "--subnet-id", subnet)
    cli("ec2", "create-route", "--route-table-id", table, "--destination-cidr-block", "192.168.10.1/32",
        "--network-interface-id", nodes[0])  # fmt: skip
    cli("ec2", "replace-route", "--route-table-id", table, "--destination-cidr-block", "192.168.10.1/32",
        "--network-interface-id", nodes[1])  # fmt: skip
    target = cli(
        "ec2", "describe-route-tables", "--route-table-ids", table,
        "--query", "RouteTables[0].Routes[?DestinationCidrBlock=='192.168.10.1/32'].NetworkInterfaceId",
    )  # fmt: skip
    assert target == nodes[1]
    rules = cli(
        "ec2", "describe-security-groups", "--group-ids", group, "--query", "SecurityGroups[0].IpPermissions[0].ToPort"
    )
    assert rules == "22"
    assert cli("sts", "get-caller-identity", "--query", "Account") == sim.account_id


def ansible(module_name: str, **args: Any) -> Dict[str, Any]:
    """Run one amazon.aws module as Ansible runs it: its ``main()`` with the task's arguments (Ansible's own
    ``patch_module_args``), the JSON it prints being the task's result."""
    modules = "ansible_collections.amazon.aws.plugins.modules"
    module = pytest.importorskip(
        f"{modules}.{module_name}", reason="ansible is not installed (pip install -e '.[realclients]')"
    )
    testing = pytest.importorskip("ansible.module_utils.testing")
    out = io.StringIO()
    with testing.patch_module_args({"region": REGION, **args}), redirect_stdout(out), pytest.raises(SystemExit):
        module.main()
    text = out.getvalue()
    result: Dict[str, Any] = json.loads(text[text.index("{") :])
    return result


@pytest.fixture
def patient() -> Any:
    """A simulation in which the modules' own ``time.sleep`` polling (ec2_eni waits 3 s at a time, up to 30 s, for
    an address count it miscounts; ec2_instance sleeps 10 s after a stop) advances the virtual clock instead."""
    with botohook.mock(seed=7, strict=True, virtual_sleep=True) as simulator:
        yield simulator


def ok(result: Dict[str, Any]) -> Dict[str, Any]:
    assert not result.get("failed"), result.get("msg")
    return result


def test_ansible_builds_a_vpc_idempotently(patient: botohook.Simulator) -> None:
    sim = patient
    net = dict(name="net", cidr_block=["10.0.0.0/16"], dns_support=True, dns_hostnames=True, tags={"env": "test"})
    created = ok(ansible("ec2_vpc_net", debug_botocore_endpoint_logs=True, **net))
    assert created["changed"] is True
    vpc = created["vpc"]["id"]
    assert sim.vpc(vpc).dns_hostnames is True
    assert "ec2:CreateVpc" in created["resource_actions"]  # Ansible read botocore.endpoint's log line
    assert ok(ansible("ec2_vpc_net", **net))["changed"] is False  # found again by the cidr-block filter
    subnet = ok(ansible("ec2_vpc_subnet", vpc_id=vpc, cidr="10.0.1.0/24", az="us-east-1a", map_public=True))
    assert subnet["subnet"]["map_public_ip_on_launch"] is True
    assert (
        ok(ansible("ec2_vpc_subnet", vpc_id=vpc, cidr="10.0.1.0/24", az="us-east-1a", map_public=True))["changed"]
        is False
    )
    assert ok(ansible("aws_caller_info"))["account"] == sim.account_id


def test_ansible_security_groups_interfaces_routes_and_instances(patient: botohook.Simulator) -> None:
    sim = patient
    import boto3

    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    rules = [{"proto": "tcp", "ports": [22, 443], "cidr_ip": "10.0.0.0/8"}]
    group = ok(ansible("ec2_security_group", name="web", description="web", vpc_id=vpc, rules=rules))
    assert group["changed"] is True
    held = ec2.describe_security_groups(GroupIds=[group["group_id"]])["SecurityGroups"][0]["IpPermissions"]
    assert sorted(p["FromPort"] for p in held) == [22, 443]
    assert ok(ansible("ec2_security_group", name="web", description="web", vpc_id=vpc, rules=rules))["changed"] is False

    eni = ok(ansible(
        "ec2_eni", subnet_id=subnet, private_ip_address="10.0.1.10", secondary_private_ip_address_count=2,
        security_groups=["web"], description="floating",
    ))["interface"]  # fmt: skip
    assert eni["private_ip_address"] == "10.0.1.10" and len(eni["private_ip_addresses"]) == 3
    assert eni["groups"] == {group["group_id"]: "web"}  # built from GroupName, which EC2 sends
    assert sim.interface(eni["id"]).groups == [group["group_id"]]

    igw = ok(ansible("ec2_vpc_igw", vpc_id=vpc))["gateway_id"]
    routes = [{"dest": "0.0.0.0/0", "gateway_id": igw}, {"dest": "192.168.0.1/32", "network_interface_id": eni["id"]}]
    table = ok(ansible("ec2_vpc_route_table", vpc_id=vpc, subnets=[subnet], routes=routes, tags={"Name": "ha"}))
    table_id = table["route_table"]["id"]
    shown = {
        r["DestinationCidrBlock"]: r
        for r in ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]
    }
    assert shown["192.168.0.1/32"]["NetworkInterfaceId"] == eni["id"] and shown["0.0.0.0/0"]["GatewayId"] == igw
    assert (
        ok(ansible("ec2_vpc_route_table", vpc_id=vpc, subnets=[subnet], routes=routes, tags={"Name": "ha"}))["changed"]
        is False
    )

    launched = ok(ansible(
        "ec2_instance", image_id="ami-0123456789abcdef0", instance_type="c5.large", vpc_subnet_id=subnet,
        security_group="web", wait=True, name="node",
    ))  # fmt: skip
    instance = launched["instance_ids"][0]
    assert sim.instance(instance).state == "running"
    assert ok(ansible("ec2_instance", instance_ids=[instance], state="stopped", wait=True))["changed"] is True
    assert sim.instance(instance).state == "stopped"
    assert ok(ansible("ec2_instance", instance_ids=[instance], state="running", wait=True))["changed"] is True
    assert ok(ansible("ec2_instance", instance_ids=[instance], state="absent", wait=True))["changed"] is True
    assert sim.instance(instance).state == "terminated"


def test_ansible_dual_stack_vpc_and_subnet(patient: botohook.Simulator) -> None:
    import ipaddress

    created = ok(ansible("ec2_vpc_net", name="net6", cidr_block=["10.0.0.0/16"], ipv6_cidr=True, dns_support=True))
    [block] = created["vpc"]["ipv6_cidr_block_association_set"]
    assert block["ipv6_cidr_block_state"] == {"state": "associated"}
    sixty_four = str(next(ipaddress.IPv6Network(block["ipv6_cidr_block"]).subnets(new_prefix=64)))
    subnet = dict(vpc_id=created["vpc"]["id"], cidr="10.0.1.0/24", ipv6_cidr=sixty_four, assign_instances_ipv6=True)
    made = ok(ansible("ec2_vpc_subnet", az="us-east-1a", **subnet))["subnet"]
    assert made["ipv6_cidr_block"] == sixty_four and made["assign_ipv6_address_on_creation"] is True
    assert ok(ansible("ec2_vpc_subnet", az="us-east-1a", **subnet))["changed"] is False
    assert patient.subnet(made["id"]).assign_ipv6 is True
