"""Instance metadata tied to the simulation: what 169.254.169.254 answers on a simulated instance, read from the live
network at each request, over HTTP for other processes (``server.metadata``) and inside this process
(``sim.metadata_as``), with IMDSv2's token rules."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, Tuple

import pytest

import botohook
from tests.conftest import AMI, NetworkUsedError

IMDS = "http://169.254.169.254"


class Imds:
    """A small IMDSv2 client over urllib: a token, then GETs with it."""

    def __init__(self, base: str, ttl: int = 60) -> None:
        self.base = base
        self.token = self.put_token(str(ttl))[1]

    def put_token(self, ttl: str | None) -> Tuple[int, str]:
        headers = {} if ttl is None else {"X-aws-ec2-metadata-token-ttl-seconds": ttl}
        return self.request("PUT", "/latest/api/token", headers)

    def request(self, method: str, path: str, headers: Dict[str, str]) -> Tuple[int, str]:
        request = urllib.request.Request(self.base + path, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str, token: str | None = "") -> Tuple[int, str]:
        token = self.token if token == "" else token
        headers = {} if token is None else {"X-aws-ec2-metadata-token": token}
        return self.request("GET", "/latest/" + path, headers)

    def text(self, path: str) -> str:
        status, body = self.get(path)
        assert status == 200, (path, status, body)
        return body


@pytest.fixture
def world() -> Iterator[Tuple[botohook.Server, Any, str, str]]:
    """A served simulation with two running c5.large instances in one subnet: (server, client, node a, node b)."""
    with botohook.serve(botohook.Simulator(seed=11, strict=True), region="eu-west-1") as server:
        ec2 = server.client()
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)  # for Elastic IPs
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24", AvailabilityZone="eu-west-1b")["Subnet"]
        nodes = ec2.run_instances(
            ImageId=AMI, InstanceType="c5.large", MinCount=2, MaxCount=2, SubnetId=subnet["SubnetId"]
        )["Instances"]
        yield server, ec2, nodes[0]["InstanceId"], nodes[1]["InstanceId"]


def test_the_paths_a_networking_program_reads(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, _, node, _ = world
    imds = Imds(server.metadata(node))
    instance = server.simulator.instance(node)
    eni = instance.interfaces[0]
    assert imds.text("meta-data/instance-id") == node
    assert imds.text("meta-data/instance-type") == "c5.large"
    assert imds.text("meta-data/ami-id") == AMI
    assert imds.text("meta-data/local-ipv4") == eni.primary_address
    assert imds.text("meta-data/mac") == eni.mac
    assert imds.text("meta-data/placement/availability-zone") == "eu-west-1b"
    assert imds.text("meta-data/placement/region") == "eu-west-1"
    assert (
        imds.text("meta-data/local-hostname")
        == f"ip-{eni.primary_address.replace('.', '-')}.eu-west-1.compute.internal"
    )
    assert imds.text("meta-data/network/interfaces/macs/") == f"{eni.mac}/"
    assert imds.text("meta-data/network/interfaces/macs") == f"{eni.mac}/"  # the trailing slash is optional
    listing = imds.text(f"meta-data/network/interfaces/macs/{eni.mac}/").split("\n")
    assert {"device-number", "interface-id", "local-ipv4s", "subnet-id", "vpc-id", "owner-id"} <= set(listing)
    per_mac = {name: imds.text(f"meta-data/network/interfaces/macs/{eni.mac}/{name}") for name in listing}
    assert per_mac["device-number"] == "0"
    assert per_mac["interface-id"] == eni.id
    assert per_mac["subnet-id"] == eni.subnet.id and per_mac["subnet-ipv4-cidr-block"] == "10.40.1.0/24"
    assert per_mac["vpc-id"] == eni.subnet.vpc.id and per_mac["vpc-ipv4-cidr-block"] == "10.40.0.0/16"
    assert per_mac["owner-id"] == server.simulator.account_id
    assert per_mac["security-group-ids"] == "\n".join(eni.groups)
    assert per_mac["security-groups"] == imds.text("meta-data/security-groups") == "default"
    document = json.loads(imds.text("dynamic/instance-identity/document"))
    assert document["instanceId"] == node and document["region"] == "eu-west-1"
    assert document["privateIp"] == eni.primary_address and document["accountId"] == server.simulator.account_id
    for missing in ("meta-data/public-ipv4", f"meta-data/network/interfaces/macs/{eni.mac}/ipv4-prefix", "nothing"):
        assert imds.get(missing)[0] == 404


def test_every_read_follows_the_live_network(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, ec2, node_a, node_b = world
    a, b = Imds(server.metadata(node_a)), Imds(server.metadata(node_b))
    eni_a, eni_b = (server.simulator.instance(n).interfaces[0] for n in (node_a, node_b))

    def local_ipv4s(imds: Imds, mac: str) -> list[str]:
        return imds.text(f"meta-data/network/interfaces/macs/{mac}/local-ipv4s").split("\n")

    floating = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_a.id, SecondaryPrivateIpAddressCount=1)[
        "AssignedPrivateIpAddresses"
    ][0]["PrivateIpAddress"]
    assert local_ipv4s(a, eni_a.mac) == [eni_a.primary_address, floating]  # primary first, then secondaries
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_b.id, PrivateIpAddresses=[floating], AllowReassignment=True)
    assert local_ipv4s(a, eni_a.mac) == [eni_a.primary_address]
    assert local_ipv4s(b, eni_b.mac) == [eni_b.primary_address, floating]

    allocation = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(
        AllocationId=allocation["AllocationId"], NetworkInterfaceId=eni_b.id, PrivateIpAddress=floating
    )
    public = allocation["PublicIp"]
    assert b.text(f"meta-data/network/interfaces/macs/{eni_b.mac}/public-ipv4s") == public
    assert b.text(f"meta-data/network/interfaces/macs/{eni_b.mac}/ipv4-associations/") == public
    assert b.text(f"meta-data/network/interfaces/macs/{eni_b.mac}/ipv4-associations/{public}") == floating
    assert b.get("meta-data/public-ipv4")[0] == 404  # the Elastic IP is on a secondary address

    prefix = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_a.id, Ipv4PrefixCount=1)["AssignedIpv4Prefixes"]
    assert a.text(f"meta-data/network/interfaces/macs/{eni_a.mac}/ipv4-prefix") == prefix[0]["Ipv4Prefix"]

    second = ec2.create_network_interface(SubnetId=eni_a.subnet.id)["NetworkInterface"]
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=node_a, DeviceIndex=1)
    assert a.text("meta-data/network/interfaces/macs/").split("\n") == [f"{eni_a.mac}/", f"{second['MacAddress']}/"]
    assert a.text(f"meta-data/network/interfaces/macs/{second['MacAddress']}/device-number") == "1"

    ec2.terminate_instances(InstanceIds=[node_a])
    for path in ("meta-data/instance-id", "meta-data/", "dynamic/instance-identity/document"):
        assert a.get(path)[0] == 404
    assert b.text("meta-data/instance-id") == node_b


def test_imdsv2_token_rules(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, _, node_a, node_b = world
    imds = Imds(server.metadata(node_a))
    for ttl in (None, "0", "21601", "ten", "-5"):
        assert imds.put_token(ttl)[0] == 400, ttl
    assert imds.put_token("21600")[0] == 200
    assert imds.get("meta-data/instance-id", token=None)[0] == 401  # IMDSv1 is off by default
    assert imds.get("meta-data/instance-id", token="not-a-token")[0] == 401
    other = Imds(server.metadata(node_b))
    assert imds.get("meta-data/instance-id", token=other.token)[0] == 401  # a token is good on its own instance only
    short = Imds(server.metadata(node_a), ttl=2)
    assert short.get("meta-data/instance-id")[0] == 200
    server.simulator.clock.advance(2)  # tokens expire on the simulation's clock: no waiting
    assert short.get("meta-data/instance-id")[0] == 401
    assert imds.get("meta-data/instance-id")[0] == 200
    server.simulator.clock.advance(21600)
    assert imds.get("meta-data/instance-id")[0] == 401


def test_imdsv1_when_the_simulator_allows_it() -> None:
    with botohook.serve(botohook.Simulator(imds_v1=True)) as server:
        ec2 = server.client()
        node = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        assert Imds(server.metadata(node)).get("meta-data/instance-id", token=None) == (200, node)


def test_metadata_environ_points_sdks_at_the_view(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, _, node, _ = world
    environ = server.metadata_environ(node)
    assert environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] == server.metadata(node)
    assert "AWS_EC2_METADATA_DISABLED" not in environ
    assert environ["AWS_ENDPOINT_URL_EC2"] == server.endpoint_url


def test_metadata_environ_lets_curl_read_169_254_169_254_unchanged(
    world: Tuple[botohook.Server, Any, str, str],
) -> None:
    """Without a namespace: the view is the child's HTTP proxy, and the EC2 endpoint stays direct."""
    if shutil.which("curl") is None:
        pytest.skip("needs curl")
    server, _, node, _ = world
    script = (
        "IMDS=http://169.254.169.254/latest\n"
        'TOKEN=$(curl -sf -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n'
        'curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/meta-data/instance-id"\n'
        'curl -sf "$AWS_ENDPOINT_URL/_botohook/health" > /dev/null && echo " direct"\n'
    )
    environ = {**server.metadata_environ(node), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(["bash", "-c", script], env=environ, capture_output=True, text=True, timeout=60)
    assert done.stdout == f"{node} direct\n", done.stderr


def test_botocores_own_fetchers_read_the_view(world: Tuple[botohook.Server, Any, str, str]) -> None:
    from botocore.utils import InstanceMetadataFetcher, InstanceMetadataRegionFetcher

    server, _, node, _ = world
    base = server.metadata(node)
    assert InstanceMetadataRegionFetcher(base_url=base, num_attempts=1).retrieve_region() == "eu-west-1"
    assert InstanceMetadataFetcher(base_url=base, num_attempts=1).retrieve_iam_role_credentials() == {}


def test_a_shell_script_with_curl_as_a_separate_process(world: Tuple[botohook.Server, Any, str, str]) -> None:
    if shutil.which("curl") is None:
        pytest.skip("needs curl")
    server, _, node, _ = world
    script = (
        'TOKEN=$(curl -sf -X PUT "$IMDS/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")\n'
        'MAC=$(curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/latest/meta-data/mac")\n'
        'MACS="$IMDS/latest/meta-data/network/interfaces/macs"\n'
        'curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" "$MACS/$MAC/interface-id"\n'
        'curl -s -o /dev/null -w " %{http_code}" "$IMDS/latest/meta-data/instance-id"\n'
    )
    done = subprocess.run(
        ["bash", "-c", script], env={"IMDS": server.metadata(node), "PATH": "/usr/bin:/bin"}, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout == f"{server.simulator.instance(node).interfaces[0].id} 401", done.stderr


# -- inside the test's own process: metadata_as -------------------------------------------------------------------


def test_requests_urllib3_urllib_and_ec2_metadata_reach_the_view_in_process(
    world: Tuple[botohook.Server, Any, str, str],
) -> None:
    import requests
    import urllib3

    server, _, node, _ = world
    eni = server.simulator.instance(node).interfaces[0]
    with server.simulator.metadata_as(node):
        token = requests.put(f"{IMDS}/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}).text
        headers = {"X-aws-ec2-metadata-token": token}
        assert requests.get(f"{IMDS}/latest/meta-data/instance-id", headers=headers).text == node
        pool = urllib3.PoolManager()
        assert pool.request("GET", f"{IMDS}/latest/meta-data/mac", headers=headers).data.decode() == eni.mac
        assert Imds(IMDS).text("meta-data/placement/region") == "eu-west-1"

        from ec2_metadata import ec2_metadata

        ec2_metadata.clear_all()
        assert ec2_metadata.instance_id == node
        assert ec2_metadata.region == "eu-west-1"
        assert ec2_metadata.network_interfaces[eni.mac].private_ipv4s == [eni.primary_address]
        assert ec2_metadata.network_interfaces[eni.mac].subnet_id == eni.subnet.id
    with pytest.raises(NetworkUsedError):
        requests.get(f"{IMDS}/latest/meta-data/instance-id", timeout=1)  # after the block: the real address again


def test_metadata_as_redirects_only_the_metadata_address(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, _, node, _ = world
    with server.simulator.metadata_as(node), pytest.raises(NetworkUsedError):
        socket.create_connection(("169.254.169.253", 80), timeout=1)  # the conftest guard still sees it


def test_mock_option_and_the_send_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside mock(metadata_as=...), reading metadata with botocore's HTTP session is not a request that leaves."""
    from botocore.awsrequest import AWSRequest
    from botocore.httpsession import URLLib3Session

    with botohook.mock() as sim:
        node = sim_instance(sim)
    with botohook.mock(metadata_as="i-0123456789abcdef0") as sim:
        status = Imds(IMDS).get("meta-data/instance-id")[0]
        assert status == 404  # no such instance in this simulation (yet)
        assert node  # a different simulation's instance is not this one's
        request = AWSRequest("PUT", f"{IMDS}/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "9"})
        assert URLLib3Session().send(request.prepare()).status_code == 200
        with pytest.raises(botohook.OutboundRequestError):
            URLLib3Session().send(AWSRequest("GET", "http://169.254.170.2/v2/credentials").prepare())


def sim_instance(sim: botohook.Simulator) -> str:
    import boto3

    ec2 = boto3.client("ec2", region_name="us-east-1")
    return str(ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"])


def test_a_kept_alive_connection_does_not_outlive_its_view(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """A client's connection pool (the ec2-metadata package keeps one) must not go on reading an ended view."""
    import urllib3

    server, _, node_a, node_b = world
    pool = urllib3.PoolManager()
    for node in (node_a, node_b, node_a):
        with server.simulator.metadata_as(node):
            token = pool.request(
                "PUT", f"{IMDS}/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
            ).data.decode()
            headers = {"X-aws-ec2-metadata-token": token}
            assert pool.request("GET", f"{IMDS}/latest/meta-data/instance-id", headers=headers).data.decode() == node


def test_the_public_address_given_at_launch() -> None:
    import boto3

    with botohook.mock(seed=2, imds_v1=True) as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        node = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        public = ec2.describe_instances(InstanceIds=[node])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    with sim.metadata_as(node):
        imds = Imds(IMDS)
        assert imds.text("meta-data/public-ipv4") == public
        assert imds.text("meta-data/public-hostname") == f"ec2-{public.replace('.', '-')}.compute-1.amazonaws.com"


def test_the_public_hostname_only_where_the_vpc_has_dns_hostnames() -> None:
    # "public-hostname ... only returned if the enableDnsHostnames attribute is set to true" (the AWS instance
    # metadata categories page); public-ipv4 is there either way
    import boto3

    with botohook.mock(seed=2, imds_v1=True) as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.3.0.0/24")["Subnet"]["SubnetId"]
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
        node = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
        with sim.metadata_as(node["InstanceId"]):
            imds = Imds(IMDS)
            mac = imds.text("meta-data/mac")
            assert imds.text("meta-data/public-ipv4")
            assert imds.get("meta-data/public-hostname")[0] == 404
            assert imds.get(f"meta-data/network/interfaces/macs/{mac}/public-hostname")[0] == 404
            ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
            assert imds.text("meta-data/public-hostname").endswith(".compute-1.amazonaws.com")


def test_ipv6_addresses_and_prefixes_under_each_mac() -> None:
    import ipaddress

    import boto3

    with botohook.mock(seed=4, imds_v1=True) as sim:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
        block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        sixty_four = str(next(ipaddress.IPv6Network(block).subnets(new_prefix=64)))
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=sixty_four)["Subnet"]["SubnetId"]
        node = ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnet, InstanceType="c5.large",
            Ipv6AddressCount=2,
        )["Instances"][0]  # fmt: skip
        eni = node["NetworkInterfaces"][0]
        prefix = ec2.assign_ipv6_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], Ipv6PrefixCount=1)
    with sim.metadata_as(node["InstanceId"]):
        imds = Imds(IMDS)
        mac = f"meta-data/network/interfaces/macs/{eni['MacAddress']}"
        assert imds.text(f"{mac}/ipv6s").split("\n") == [a["Ipv6Address"] for a in eni["Ipv6Addresses"]]
        assert imds.text(f"{mac}/ipv6-prefix") == prefix["AssignedIpv6Prefixes"][0]
        assert imds.text(f"{mac}/subnet-ipv6-cidr-blocks") == sixty_four
        assert imds.text(f"{mac}/vpc-ipv6-cidr-blocks") == block


# -- the whole tree, as EC2 serves it (issue 22 item 2) ----------------------------------------------------------


def test_every_dated_version_serves_the_tree_cloud_init_asks_for(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """cloud-init 22.4 asks /2021-03-23/meta-data/... and then /2009-04-04/...; only "latest" made it fail
    (issue 22: KeyError('instance-id'))."""
    server, _, node, _ = world
    imds = Imds(server.metadata(node))
    status, versions = imds.request("GET", "/", {"X-aws-ec2-metadata-token": imds.token})
    assert status == 200
    listed = versions.split("\n")
    assert {"1.0", "2009-04-04", "2021-03-23", "latest"} <= set(listed) and listed[-1] == "latest"
    for version in ("2021-03-23", "2009-04-04", "1.0"):
        assert imds.request("GET", f"/{version}/meta-data/instance-id", {"X-aws-ec2-metadata-token": imds.token}) == (
            200,
            node,
        )
    assert imds.request("GET", "/2008-01-01/meta-data/instance-id", {"X-aws-ec2-metadata-token": imds.token})[0] == 404
    assert imds.text("") == "dynamic\nmeta-data"  # no user data: none listed; names without slashes, as EC2 lists them


def test_user_data_as_given_at_launch(world: Tuple[botohook.Server, Any, str, str]) -> None:
    import gzip

    server, ec2, node, _ = world
    subnet = server.simulator.instance(node).subnet.id
    script = "#!/bin/sh\necho 'hello, instance'\n"
    packed = gzip.compress(b"#cloud-config\nhostname: a\n")
    ids = [
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, UserData=data)["Instances"][0][
            "InstanceId"
        ]
        for data in (script, packed)
    ]
    imds = Imds(server.metadata(ids[0]))
    assert imds.text("user-data") == script
    assert imds.text("") == "dynamic\nmeta-data\nuser-data"
    raw = urllib.request.Request(server.metadata(ids[1]) + "/latest/user-data")
    raw.add_header("X-aws-ec2-metadata-token", Imds(server.metadata(ids[1])).token)
    with urllib.request.urlopen(raw, timeout=10) as response:
        assert response.read() == packed  # byte for byte, not re-encoded
        assert response.headers["Content-Type"] == "application/octet-stream"
    assert Imds(server.metadata(node)).get("user-data")[0] == 404  # launched without user data


def test_the_fixed_paths_agents_and_packages_read(world: Tuple[botohook.Server, Any, str, str]) -> None:
    server, _, node, _ = world
    imds = Imds(server.metadata(node))
    listing = imds.text("meta-data/").split("\n")
    for name in ("block-device-mapping/", "events/", "services/", "instance-action", "instance-life-cycle"):
        assert name in listing
    assert "public-keys/" not in listing  # launched without a key
    assert imds.text("meta-data/services/domain") == "amazonaws.com"
    assert imds.text("meta-data/services/partition") == "aws"
    assert imds.text("meta-data/instance-life-cycle") == "on-demand"
    assert imds.text("meta-data/instance-action") == "none"
    assert imds.text("meta-data/ami-manifest-path") == "(unknown)"
    assert imds.text("meta-data/block-device-mapping/").split("\n") == ["ami", "root"]
    assert imds.text("meta-data/block-device-mapping/root") == "/dev/xvda"
    assert json.loads(imds.text("meta-data/events/maintenance/scheduled")) == []
    mac = imds.text("meta-data/mac")
    assert imds.text(f"meta-data/network/interfaces/macs/{mac}/network-card") == "0"
    assert imds.get("meta-data/placement/partition-number")[0] == 404  # no partition placement group


def test_public_keys_from_the_key_name(world: Tuple[botohook.Server, Any, str, str]) -> None:
    import base64

    server, ec2, node, _ = world
    subnet = server.simulator.instance(node).subnet.id
    keyed = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet, KeyName="ops")["Instances"][0]
    imds = Imds(server.metadata(keyed["InstanceId"]))
    assert imds.text("meta-data/public-keys/") == "0=ops"
    assert imds.text("meta-data/public-keys/0/") == "openssh-key"
    kind, blob, comment = imds.text("meta-data/public-keys/0/openssh-key").split(" ")
    assert (kind, comment) == ("ssh-ed25519", "ops")
    raw = base64.b64decode(blob)
    assert raw[:4] == (11).to_bytes(4, "big") and raw[4:15] == b"ssh-ed25519" and len(raw) == 4 + 11 + 4 + 32


def test_macs_are_listed_in_device_order(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """Clients (the ec2-metadata package, cloud-provider-aws) take the listing's order as the interfaces' order."""
    server, ec2, node, _ = world
    subnet = server.simulator.instance(node).subnet.id
    third, second = (ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"] for _ in range(2))
    ec2.attach_network_interface(NetworkInterfaceId=third["NetworkInterfaceId"], InstanceId=node, DeviceIndex=2)
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=node, DeviceIndex=1)
    imds = Imds(server.metadata(node))
    primary = imds.text("meta-data/mac")
    assert imds.text("meta-data/network/interfaces/macs/").split("\n") == [
        f"{primary}/", f"{second['MacAddress']}/", f"{third['MacAddress']}/"
    ]  # fmt: skip


def test_nested_views_each_answer_only_while_innermost(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """Issue 22 item 4: a pool's connection made inside metadata_as(a) went on answering as a inside metadata_as(b);
    the ec2-metadata package keeps one such pool per process."""
    import urllib3
    from ec2_metadata import ec2_metadata

    server, _, node_a, node_b = world
    pool = urllib3.PoolManager()

    def instance_id() -> str:
        ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
        token = pool.request("PUT", f"{IMDS}/latest/api/token", headers=ttl).data.decode()
        headers = {"X-aws-ec2-metadata-token": token}
        return str(pool.request("GET", f"{IMDS}/latest/meta-data/instance-id", headers=headers).data.decode())

    with server.simulator.metadata_as(node_a):
        assert instance_id() == node_a
        ec2_metadata.clear_all()
        assert ec2_metadata.instance_id == node_a
        with server.simulator.metadata_as(node_b):
            assert instance_id() == node_b
            ec2_metadata.clear_all()
            assert ec2_metadata.instance_id == node_b
        assert instance_id() == node_a  # b's connections ended with b
        ec2_metadata.clear_all()
        assert ec2_metadata.instance_id == node_a


def raw_exchange(base: str, request: bytes, *, shut: bool = True) -> bytes:
    """Send ``request`` as is on a fresh connection (then half-close it) and return everything the view answers."""
    host, port = base[len("http://") :].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        if shut:
            connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_token_ttl_is_parsed_strictly_and_echoed_as_a_number(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """Issue 20 item 8: a TTL of byte \\xb2 (str.isdigit() takes it) or of 5,000 digits dropped the connection with
    no answer; a folded TTL was echoed raw."""
    server, _, node, _ = world
    base = server.metadata(node)
    put = b"PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-aws-ec2-metadata-token-ttl-seconds:"
    for ttl in (b"\xb2", b"9" * 5000, b"\xb9\xb2"):
        answer = raw_exchange(base, put + b" " + ttl + b"\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:80]
    answer = raw_exchange(base, put + b"\r\n  060\r\n\r\n")  # folded
    assert answer.startswith(b"HTTP/1.1 200 ") and b"\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n" in answer


def test_a_large_or_short_body_never_desyncs_the_connection(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """Issue 20 item 3: a metadata PUT with a body over 64 KiB left bytes that were read as the next request."""
    server, _, node, _ = world
    base = server.metadata(node)
    smuggled = b"PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 5\r\n\r\n"
    body = b"x" * 70000 + smuggled
    put = b"PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
    answer = raw_exchange(base, put + b"Content-Length: %d\r\n\r\n" % len(body), shut=False)  # refused at once
    assert answer.startswith(b"HTTP/1.1 413 ") and answer.count(b"HTTP/1.1") == 1, answer[:200]  # and closed
    short = raw_exchange(base, put + b"Content-Length: 50\r\n\r\nonly this")
    assert short.startswith(b"HTTP/1.1 400 ") and short.count(b"HTTP/1.1") == 1
    # a small body is read whole, and the request after it on the same connection is answered as itself
    answer = raw_exchange(base, put + b"Content-Length: %d\r\n\r\n" % len(smuggled) + smuggled + put + b"\r\n")
    assert answer.count(b"HTTP/1.1 200 ") == 2 and answer.count(b"X-aws-ec2-metadata-token-ttl-seconds: 60") == 2


def test_token_requests_through_a_forwarding_proxy_are_refused(world: Tuple[botohook.Server, Any, str, str]) -> None:
    """IMDSv2's protection against open reverse proxies: no token for a PUT carrying X-Forwarded-For."""
    server, _, node, _ = world
    imds = Imds(server.metadata(node))
    headers = {"X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "203.0.113.9"}
    assert imds.request("PUT", "/latest/api/token", headers)[0] == 403
    assert imds.get("meta-data/instance-id")[0] == 200  # the view goes on answering


def test_the_view_answers_as_an_http_proxy_for_the_metadata_address(
    world: Tuple[botohook.Server, Any, str, str],
) -> None:
    """Issue 22 item 3: where namespaces are unavailable, http_proxy=<view> makes curl, requests and urllib reach it
    with their URLs unchanged."""
    import requests

    server, _, node, _ = world
    view = server.metadata(node)
    proxies = {"http": view}
    session = requests.Session()
    session.trust_env = False
    ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    token = session.put(f"{IMDS}/latest/api/token", headers=ttl, proxies=proxies).text  # the conftest guard sees
    found = session.get(f"{IMDS}/latest/meta-data/instance-id", headers={"X-aws-ec2-metadata-token": token},
                        proxies=proxies)  # fmt: skip  # ... a loopback connection: nothing left the machine
    assert (found.status_code, found.text) == (200, node)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))
    request = urllib.request.Request(f"{IMDS}/latest/meta-data/mac", headers={"X-aws-ec2-metadata-token": token})
    with opener.open(request, timeout=10) as response:
        assert response.read().decode() == server.simulator.instance(node).interfaces[0].mac
    elsewhere = session.get("http://169.254.170.2/v2/credentials", proxies=proxies)
    assert elsewhere.status_code == 403 and "169.254.169.254" in elsewhere.text
    if shutil.which("curl") is not None:
        script = (
            f'T=$(curl -sf -X PUT {IMDS}/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 9")'
            f' && curl -sf -H "X-aws-ec2-metadata-token: $T" {IMDS}/latest/meta-data/instance-id'
        )
        done = subprocess.run(["sh", "-c", script], env={"PATH": "/usr/bin:/bin", "http_proxy": view},
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.stdout == node, done.stderr


def test_the_identity_document_is_signed_with_botohooks_own_key(
    world: Tuple[botohook.Server, Any, str, str], tmp_path: Any
) -> None:
    """signature (RSA-SHA256), pkcs7 and rsa2048 (CMS SignedData) verify against botohook's certificate, made per
    process and documented as not AWS's; verified with openssl as a user would."""
    import base64

    from botohook.metadata import identity_certificate

    if shutil.which("openssl") is None:
        pytest.skip("needs openssl")

    def openssl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["openssl", *args], capture_output=True, text=True, cwd=tmp_path)

    server, _, node, _ = world
    imds = Imds(server.metadata(node))
    assert imds.text("dynamic/instance-identity/").split("\n") == ["document", "pkcs7", "rsa2048", "signature"]
    document = imds.text("dynamic/instance-identity/document")
    (tmp_path / "cert.pem").write_text(identity_certificate())
    assert "not AWS" in openssl("x509", "-in", "cert.pem", "-noout", "-subject").stdout
    for name in ("pkcs7", "rsa2048"):
        signed = imds.text(f"dynamic/instance-identity/{name}")
        (tmp_path / "signed.pem").write_text(f"-----BEGIN PKCS7-----\n{signed}\n-----END PKCS7-----\n")
        verified = openssl(
            "smime", "-verify", "-in", "signed.pem", "-inform", "PEM", "-certfile", "cert.pem", "-noverify"
        )
        assert verified.returncode == 0 and verified.stdout == document, verified.stderr
    (tmp_path / "key.pem").write_text(openssl("x509", "-in", "cert.pem", "-pubkey", "-noout").stdout)
    (tmp_path / "signature").write_bytes(base64.b64decode(imds.text("dynamic/instance-identity/signature")))
    for text, verdict in ((document, "Verified OK\n"), (document.replace(node, "i-0000000000000000f"), "Verif")):
        (tmp_path / "document").write_text(text)
        checked = openssl("dgst", "-sha256", "-verify", "key.pem", "-signature", "signature", "document").stdout
        assert checked.startswith(verdict) and (checked == "Verified OK\n") == (text == document)
