"""Real clients, unchanged, against botohook in-process: the AWS CLI v1 driven through its own entry point, and
Ansible's amazon.aws modules run as Ansible runs them (each module's main(), arguments as Ansible passes them)."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stdout
from typing import Any, Dict, List

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
