"""Worlds with given ids: sim.load() builds a described network with the ids and addresses it names (all or
nothing), sim.dump() gives it back, and `botohook serve --world` starts from one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import boto3
import pytest

import botohook
from tests.conftest import AMI

WORLD: Dict[str, Any] = {
    "regions": {
        "eu-west-1": {
            "vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.50.0.0/16", "tags": {"Name": "prod"}}],
            "subnets": [
                {"id": "subnet-0a1b2c3d4e5f60719", "vpc": "vpc-0a1b2c3d4e5f60718", "cidr": "10.50.1.0/24",
                 "zone": "eu-west-1a"},
            ],
            "interfaces": [
                {"id": "eni-0a1b2c3d4e5f6071a", "subnet": "subnet-0a1b2c3d4e5f60719", "primary": "10.50.1.10",
                 "secondaries": ["10.50.1.100"], "tags": {"role": "node-a"}},
                {"id": "eni-0a1b2c3d4e5f6071b", "subnet": "subnet-0a1b2c3d4e5f60719", "primary": "10.50.1.20",
                 "prefixes": ["10.50.1.48/28"]},
                {"id": "eni-0a1b2c3d4e5f6071c", "subnet": "subnet-0a1b2c3d4e5f60719", "primary": "10.50.1.30"},
            ],
            "instances": [
                {"id": "i-0a1b2c3d4e5f6071d", "type": "c5.large", "image": AMI,
                 "interfaces": [{"interface": "eni-0a1b2c3d4e5f6071a", "device_index": 0}]},
                {"id": "i-0a1b2c3d4e5f6071e", "type": "c5.large",
                 "interfaces": [{"interface": "eni-0a1b2c3d4e5f6071b", "device_index": 0},
                                {"interface": "eni-0a1b2c3d4e5f6071c", "device_index": 1}]},
            ],
            "elastic_ips": [
                {"id": "eipalloc-0a1b2c3d4e5f6071f", "public_ip": "198.51.100.77",
                 "interface": "eni-0a1b2c3d4e5f6071a", "private_ip": "10.50.1.100"},
            ],
        }
    }
}  # fmt: skip


def test_a_world_is_built_with_the_ids_and_addresses_it_names() -> None:
    with botohook.mock(strict=True) as sim:
        sim.load(WORLD)
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        eni = ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0a1b2c3d4e5f6071a"])["NetworkInterfaces"][0]
        assert [a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]] == ["10.50.1.10", "10.50.1.100"]
        assert eni["Attachment"]["InstanceId"] == "i-0a1b2c3d4e5f6071d"
        assert eni["PrivateIpAddresses"][1]["Association"]["PublicIp"] == "198.51.100.77"
        assert {"Key": "role", "Value": "node-a"} in eni["TagSet"]
        node_b = ec2.describe_instances(InstanceIds=["i-0a1b2c3d4e5f6071e"])["Reservations"][0]["Instances"][0]
        assert sorted(i["NetworkInterfaceId"] for i in node_b["NetworkInterfaces"]) == [
            "eni-0a1b2c3d4e5f6071b",
            "eni-0a1b2c3d4e5f6071c",
        ]
        assert sim.interface("eni-0a1b2c3d4e5f6071b").ipv4_prefixes == ["10.50.1.48/28"]
        assert ec2.describe_vpcs(VpcIds=["vpc-0a1b2c3d4e5f60718"])["Vpcs"][0]["Tags"] == [
            {"Key": "Name", "Value": "prod"}
        ]
        # The world is the simulation's own: the usual rules hold from here on.
        ec2.assign_private_ip_addresses(
            NetworkInterfaceId="eni-0a1b2c3d4e5f6071b", PrivateIpAddresses=["10.50.1.100"], AllowReassignment=True
        )
        assert sim.elastic_ip("eipalloc-0a1b2c3d4e5f6071f").interface is sim.interface("eni-0a1b2c3d4e5f6071b")


def test_dump_gives_back_a_world_that_load_builds_again(tmp_path: Path) -> None:
    with botohook.mock(seed=4) as sim:
        sim.load(WORLD)
        ec2 = boto3.client("ec2", region_name="eu-west-1")
        ec2.assign_private_ip_addresses(NetworkInterfaceId="eni-0a1b2c3d4e5f6071c", SecondaryPrivateIpAddressCount=3)
        saved = sim.dump()
    assert json.loads(json.dumps(saved)) == saved  # plain data
    path = tmp_path / "world.json"
    path.write_text(json.dumps(saved))
    replayed = botohook.Simulator(seed=5)
    replayed.load(path)
    assert replayed.dump() == saved
    assert replayed.interface("eni-0a1b2c3d4e5f6071c").private_addresses == (
        sim.interface("eni-0a1b2c3d4e5f6071c").private_addresses
    )


def test_toml_worlds(tmp_path: Path) -> None:
    pytest.importorskip("tomllib")
    path = tmp_path / "world.toml"
    path.write_text(
        '[[regions.us-east-1.vpcs]]\nid = "vpc-12345678"\ncidr = "10.9.0.0/16"\n'
        '[[regions.us-east-1.subnets]]\nid = "subnet-12345678"\nvpc = "vpc-12345678"\ncidr = "10.9.0.0/24"\n'
    )
    sim = botohook.Simulator()
    sim.load(path)
    assert sim.subnet("subnet-12345678").vpc is sim.vpc("vpc-12345678")


def broken(region_entry: Dict[str, Any]) -> Dict[str, Any]:
    world = json.loads(json.dumps(WORLD))
    world["regions"]["eu-west-1"].update(region_entry)
    return world


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vpcs": [{"id": "vpc-nothex", "cidr": "10.50.0.0/16"}]}, r"vpcs\[0\].*malformed id 'vpc-nothex'"),
        (
            {"elastic_ips": [{"id": "eni-0a1b2c3d4e5f6071a"}]},
            r"elastic_ips\[0\].*malformed id 'eni-0a1b2c3d4e5f6071a' \(expecting eipalloc-",
        ),
        (
            {"subnets": [{"id": "vpc-0a1b2c3d4e5f60718", "vpc": "vpc-0a1b2c3d4e5f60718", "cidr": "10.50.9.0/24"}]},
            r"subnets\[0\].*malformed id",
        ),
        (
            {
                "instances": [
                    {
                        "id": "i-0a1b2c3d4e5f6071d",
                        "type": "c5.large",
                        "interfaces": [{"interface": "eni-0a1b2c3d4e5f6071a", "device_index": 0}],
                    },
                    {
                        "id": "i-0a1b2c3d4e5f6071d",
                        "type": "c5.large",
                        "interfaces": [{"interface": "eni-0a1b2c3d4e5f6071b", "device_index": 0}],
                    },
                ]
            },
            r"instances\[1\] 'i-0a1b2c3d4e5f6071d': duplicate id",
        ),
        (
            {
                "interfaces": [
                    {"id": "eni-0a1b2c3d4e5f6071a", "subnet": "subnet-0a1b2c3d4e5f60719", "primary": "10.99.0.4"}
                ]
            },
            r"interfaces\[0\] 'eni-0a1b2c3d4e5f6071a': InvalidParameterValue: .*10\.99\.0\.4",
        ),
        (
            {
                "interfaces": [
                    {"id": "eni-0a1b2c3d4e5f6071a", "subnet": "subnet-0a1b2c3d4e5f60719", "primary": "10.50.1.255"}
                ]
            },
            r"reserved",
        ),
        ({"interfaces": [{"subnet": "subnet-00000000"}]}, r"interfaces\[0\] \(no id\): no Subnet 'subnet-00000000'"),
        ({"instances": [{"type": "c5.large", "interfaces": []}]}, r"instances\[0\].*device_index 0"),
        ({"routers": []}, r"region eu-west-1: unknown key 'routers'; the keys are vpcs, subnets"),
        # issue 20, item 10: nothing in a world is ignored or taken unchecked
        (
            {"interfaces": [{"subnet": "subnet-0a1b2c3d4e5f60719", "secondary": ["10.50.1.100"]}]},
            r"interfaces\[0\] \(no id\): entry: unknown key 'secondary' \(did you mean 'secondaries'\?\)",
        ),
        (
            {
                "instances": [
                    {"type": "c5.large", "interfaces": [{"interface": "eni-0a1b2c3d4e5f6071a", "device-index": 0}]}
                ]
            },
            r"instances\[0\].*unknown key 'device-index' \(did you mean 'device_index'\?\)",
        ),
        ({"vpcs": [None]}, r"region eu-west-1, vpcs\[0\]: an entry is a mapping, not None"),
        ({"vpcs": {"id": "vpc-0a1b2c3d4e5f60718"}}, r"region eu-west-1, vpcs: a list of entries"),
        (
            {"interfaces": [{"subnet": "subnet-0a1b2c3d4e5f60719", "secondaries": "10.50.1.100"}]},
            r"secondaries must be a list",
        ),
        ({"vpcs": [{"cidr": "10.50.0.0/16", "tags": {"n": 1}}]}, r"vpcs\[0\] \(no id\): tags map strings to strings"),
        ({"vpcs": [{"cidr": "10.50.0.0/16", "default": "yes"}]}, r"default must be true or false, not 'yes'"),
        (
            {"vpcs": [{"cidr": "10.50.0.0/16", "tags": {"aws:owner": "me"}}]},
            r"InvalidParameterValue: Tag keys starting with 'aws:'",
        ),
        ({"vpcs": [{"tags": {"Name": "x"}}]}, r"vpcs\[0\] \(no id\): missing 'cidr'"),
        (
            {"interfaces": [{"subnet": "subnet-0a1b2c3d4e5f60719", "mac": "not a mac"}]},
            r"mac 'not a mac' is not a MAC address",
        ),
        (
            {"elastic_ips": [{"id": "eipalloc-0a1b2c3d4e5f6071f", "public_ip": "8.8.8.8"}]},
            r"elastic_ips\[0\] 'eipalloc-0a1b2c3d4e5f6071f': InvalidAddress.NotFound: Address '8.8.8.8' not found.",
        ),
    ],
    ids=[
        "malformed",
        "wrong-prefix",
        "vpc-id-for-subnet",
        "duplicate",
        "outside",
        "reserved",
        "dangling",
        "no-eth0",
        "unknown",
        "unknown-key",
        "unknown-slot-key",
        "null-entry",
        "entries-not-a-list",
        "secondaries-not-a-list",
        "tag-not-text",
        "flag-not-bool",
        "reserved-tag",
        "missing-key",
        "bad-mac",
        "private-public-ip",
    ],
)
def test_a_broken_world_is_refused_naming_the_entry_and_nothing_is_built(change: Dict[str, Any], message: str) -> None:
    sim = botohook.Simulator(seed=1)
    sim.region("eu-west-1")
    before = sim.dump()
    with pytest.raises(ValueError, match=message):
        sim.load(broken(change))
    assert sim.dump() == before


@pytest.mark.parametrize(
    ("world", "message"),
    [
        ({"regions": {"eu-west-1": []}}, r"region eu-west-1: a region is a mapping of vpcs, .* not \[\]"),
        ({"regions": {"eu-west-1": [None]}}, r"region eu-west-1: a region is a mapping"),
        ({"regions": {"eu-west-1": {}}, "region": {}}, r"the world: unknown key 'region' \(did you mean 'regions'\?\)"),
        ({"regions": ["eu-west-1"]}, r"a world is a mapping"),
        (
            {
                "regions": {
                    "eu-west-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.50.0.0/16"}]},
                    "us-east-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.60.0.0/16"}]},
                }
            },
            r"region us-east-1, vpcs\[0\] 'vpc-0a1b2c3d4e5f60718': duplicate id vpc-\w+: region eu-west-1 holds it",
        ),
    ],
)
def test_a_malformed_world_is_a_value_error_and_builds_nothing(world: Any, message: str) -> None:
    sim = botohook.Simulator(seed=1)
    sim.region("eu-west-1")
    before = sim.dump()
    with pytest.raises(ValueError, match=message):
        sim.load(world)
    assert sim.dump() == before


def test_an_id_already_in_another_region_of_the_simulation_is_refused() -> None:
    sim = botohook.Simulator(seed=1)
    sim.load({"regions": {"eu-west-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.50.0.0/16"}]}}})
    with pytest.raises(ValueError, match="duplicate id vpc-0a1b2c3d4e5f60718: region eu-west-1 holds it"):
        sim.load({"regions": {"us-east-1": {"vpcs": [{"id": "vpc-0a1b2c3d4e5f60718", "cidr": "10.60.0.0/16"}]}}})
    assert list(sim.dump()["regions"]) == ["eu-west-1"]


def test_serve_starts_from_a_world(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(WORLD))
    command = subprocess.Popen(
        [sys.executable, "-m", "botohook", "serve", "--world", str(path), "--region", "eu-west-1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert command.stdout is not None
        line = ""
        while not line.startswith("export AWS_ENDPOINT_URL_EC2="):
            line = command.stdout.readline()
        endpoint = line.strip().split("=", 1)[1]
        ec2 = boto3.client(
            "ec2", endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        assert ec2.describe_instances(InstanceIds=["i-0a1b2c3d4e5f6071e"])["Reservations"]
    finally:
        command.terminate()
        command.communicate(timeout=30)
    bad = tmp_path / "bad.json"
    bad.write_text('{"regions": {"eu-west-1": {"vpcs": [{"id": "vpc-x", "cidr": "10.0.0.0/16"}]}}}')
    refused = subprocess.run(
        [sys.executable, "-m", "botohook", "serve", "--world", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 2 and "malformed id 'vpc-x'" in refused.stderr


def test_a_program_configured_with_fixed_ids_reads_its_own_metadata() -> None:
    """The reason for given ids: the program under test is configured with them, and finds itself by metadata."""
    with botohook.mock(metadata_as="i-0a1b2c3d4e5f6071e") as sim:
        sim.load(WORLD)
        from ec2_metadata import ec2_metadata

        ec2_metadata.clear_all()
        assert ec2_metadata.instance_id == "i-0a1b2c3d4e5f6071e"
        assert ec2_metadata.network_interfaces[sim.interface("eni-0a1b2c3d4e5f6071c").mac].device_number == 1


@pytest.mark.parametrize("default_vpc", [True, False])
def test_a_world_naming_the_default_vpc_loads_into_any_fresh_simulator(default_vpc: bool) -> None:
    """dump() then load() works into any fresh simulator: where it has no default VPC (``default_vpc=False``), the
    one the world names is made as AWS makes it (its subnets, gateway and route) with the world's ids (issue 21)."""
    with botohook.mock(seed=3) as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
        eni = ec2.create_network_interface(SubnetId=subnet["SubnetId"])["NetworkInterface"]["NetworkInterfaceId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
        saved = sim.dump()
    replayed = botohook.Simulator(seed=4, default_vpc=default_vpc)
    replayed.load(saved)
    assert replayed.dump() == saved
    vpc = replayed.vpc(subnet["VpcId"])
    assert vpc.is_default and vpc.gateway is not None
    assert replayed.elastic_ip(allocation).interface is replayed.interface(eni)


def test_elastic_ips_of_a_world_get_their_vpc_an_internet_gateway() -> None:
    """Worlds hold no gateways, and EC2 associates Elastic IPs only in VPCs with one (Gateway.NotAttached): a VPC
    whose interfaces the world gives Elastic IPs gets a gateway [decided]."""
    sim = botohook.Simulator()
    sim.load(WORLD)
    assert sim.vpc("vpc-0a1b2c3d4e5f60718").gateway is not None
