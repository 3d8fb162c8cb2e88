"""Running a program as a simulated instance (issue 22 item 1): ``server.run(instance_id, argv)`` and
``botohook run --instance``, in a network namespace where 169.254.169.254 is the instance's metadata and eth0 its
MAC. The agents below do what ClusterLabs' awsvip and aws-vpc-move-ip do (IMDSv2 token, mac, interface-id,
local-ipv4s with curl; ``aws ec2 assign-private-ip-addresses --allow-reassignment``; ``ip addr``), written for these
tests (real-clients.md, "Failover agents")."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Iterator, List, Tuple

import pytest

import botohook
from botohook import _netns
from tests.conftest import AMI

World = Tuple[botohook.Server, Any, str, str]

_missing = _netns.unavailable() or next(
    (f"needs {tool}" for tool in ("curl", "aws") if shutil.which(tool) is None), None
)
needs_namespaces = pytest.mark.skipif(_missing is not None, reason=_missing or "")

IMDS = """
imds() {  # an IMDSv2 read, as the agents do it
  t=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60") &&
  curl -sf -H "X-aws-ec2-metadata-token: $t" "http://169.254.169.254/latest/meta-data/$1"
}
MAC=$(cat /sys/class/net/eth0/address)
ENI=$(imds "network/interfaces/macs/$MAC/interface-id")
"""

TAKE_OVER = (
    IMDS
    + """
aws ec2 assign-private-ip-addresses --network-interface-id "$ENI" --private-ip-addresses "$VIP" \\
    --allow-reassignment >/dev/null
ip addr add "$VIP/24" dev eth0
for i in $(seq 100); do  # until the metadata lists it (EC2 remaps asynchronously)
  imds "network/interfaces/macs/$MAC/local-ipv4s" | grep -qx "$VIP" && break
  sleep 0.1
done
imds "network/interfaces/macs/$MAC/local-ipv4s" | grep -qx "$VIP" || exit 3
ip -o addr show dev eth0 | grep -q " $VIP/24 " && echo "$(imds instance-id) holds $VIP"
"""
)

WATCH = (
    IMDS
    + """
echo ready
for i in $(seq 300); do  # a monitor: once the VIP has moved away, release it locally and report
  if ! imds "network/interfaces/macs/$MAC/local-ipv4s" | grep -qx "$VIP"; then
    ip addr del "$VIP/24" dev eth0 2>/dev/null
    echo "$(imds instance-id) lost $VIP"; exit 0
  fi
  sleep 0.1
done
exit 4
"""
)


@pytest.fixture
def world() -> Iterator[World]:
    """A served simulation with two running c5.large instances in one subnet: (server, client, node a, node b)."""
    with botohook.serve(botohook.Simulator(seed=21), region="eu-west-1") as server:
        ec2 = server.client()
        vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
        nodes = ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=2, MaxCount=2, SubnetId=subnet)
        yield server, ec2, nodes["Instances"][0]["InstanceId"], nodes["Instances"][1]["InstanceId"]


def holders(namespace: str) -> List[str]:
    """The processes in the network namespace ``namespace`` (``net:[inode]``, as /proc/<pid>/ns/net reads)."""
    found = []
    for pid in (entry for entry in os.listdir("/proc") if entry.isdigit()):
        try:
            if os.readlink(f"/proc/{pid}/ns/net") == namespace:
                found.append(pid)
        except OSError:
            continue  # gone meanwhile
    return found


@needs_namespaces
def test_the_program_sees_its_instance_and_nothing_else(world: World) -> None:
    server, _, node, _ = world
    eni = server.simulator.instance(node).interfaces[0]
    script = (
        IMDS
        + """
echo "$(imds instance-id) $MAC $ENI"
ip -o -4 addr show dev eth0 | awk '{print $4}'
aws ec2 describe-network-interfaces --network-interface-ids "$ENI" --query 'NetworkInterfaces[0].MacAddress' \\
    --output text
curl -s -m 2 -o /dev/null http://10.60.1.1/ || echo "elsewhere: curl $?"
readlink /proc/self/ns/net; ip netns list | wc -l; exit 7
"""
    )
    done = server.run(node, ["sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 7, done.stderr  # the program's own exit status
    lines = done.stdout.splitlines()
    assert lines[0] == f"{node} {eni.mac} {eni.id}"
    assert lines[1] == f"{eni.primary_address}/24"
    assert lines[2] == eni.mac  # the AWS CLI reached the served EC2 endpoint from inside
    assert lines[3].startswith("elsewhere: curl ")  # nothing else is reachable
    namespace = lines[4]
    assert namespace != os.readlink("/proc/self/ns/net") and lines[5] == "0"  # a namespace of its own, nameless
    assert holders(namespace) == []  # gone with the program


@needs_namespaces
def test_further_interfaces_are_eth1_and_on_by_device_index(world: World) -> None:
    server, ec2, node, _ = world
    subnet = server.simulator.instance(node).subnet.id
    second = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=node, DeviceIndex=1)
    done = server.run(node, ["cat", "/sys/class/net/eth1/address"], capture_output=True, text=True)
    assert done.stdout.strip() == second["MacAddress"]


@needs_namespaces
def test_a_server_on_ipv6_loopback_is_reached_at_its_url() -> None:
    with botohook.serve(botohook.Simulator(seed=4), host="::1") as server:
        node = server.client(region="us-east-1").run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]
        query = ["aws", "ec2", "describe-instances", "--query", "Reservations[].Instances[].InstanceId", "--output",
                 "text"]  # fmt: skip
        done = server.run(node["InstanceId"], query, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, node["InstanceId"]), done.stderr


@needs_namespaces
def test_without_root_in_a_user_namespace_of_its_own(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not root: the namespaces come with a user namespace mapped to root (where the kernel allows it), so the program
    still configures eth0 as agents do (checked here as root, taking the unprivileged path)."""
    server, _, node, _ = world
    monkeypatch.setattr(_netns, "_root", lambda: False)
    _netns.unavailable.cache_clear()
    monkeypatch.setattr(_netns, "unavailable", _netns.unavailable.__wrapped__)
    script = "cat /proc/self/uid_map; ip addr add 10.60.1.250/24 dev eth0 && cat /sys/class/net/eth0/address"
    done = server.run(node, ["sh", "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    mapping, mac = done.stdout.split("\n")[:2]
    assert mapping.split() == ["0", "0", "1"]  # one user, mapped to root: a user namespace
    assert mac == server.simulator.instance(node).interfaces[0].mac


@needs_namespaces
def test_a_two_node_failover_with_shell_agents(world: World) -> None:
    """Node a takes the VIP; a monitor on a waits; node b takes it over with --allow-reassignment; a's monitor sees
    it leave its metadata, removes it from eth0 and reports. Both nodes run at once against one simulation."""
    server, ec2, node_a, node_b = world
    vip = "10.60.1.200"
    environ = {**os.environ, "VIP": vip}
    first = server.run(node_a, ["sh", "-c", TAKE_OVER], env=environ, capture_output=True, text=True)
    assert (first.returncode, first.stdout) == (0, f"{node_a} holds {vip}\n"), first.stderr

    watched: List[subprocess.CompletedProcess[str]] = []
    monitor = threading.Thread(
        target=lambda: watched.append(
            server.run(node_a, ["sh", "-c", WATCH], env=environ, capture_output=True, text=True, timeout=120)
        )
    )
    monitor.start()
    time.sleep(0.5)  # (the monitor's first look sees the VIP still on a; either order works)
    second = server.run(node_b, ["sh", "-c", TAKE_OVER], env=environ, capture_output=True, text=True)
    monitor.join()
    assert (second.returncode, second.stdout) == (0, f"{node_b} holds {vip}\n"), second.stderr
    assert watched[0].returncode == 0 and watched[0].stdout.endswith(f"{node_a} lost {vip}\n"), watched[0].stderr
    holder = ec2.describe_network_interfaces(Filters=[{"Name": "addresses.private-ip-address", "Values": [vip]}])
    assert [i["Attachment"]["InstanceId"] for i in holder["NetworkInterfaces"]] == [node_b]


MOVE_ROUTE = (
    IMDS
    + """
# an overlay address routed to whichever node holds it (what aws-vpc-move-ip does): point the route at this node's
# interface, check it there, put the address on this node
aws ec2 replace-route --route-table-id "$TABLE" --destination-cidr-block "$OVERLAY/32" --network-interface-id "$ENI"
target=$(aws ec2 describe-route-tables --route-table-ids "$TABLE" --output text \\
    --query "RouteTables[0].Routes[?DestinationCidrBlock=='$OVERLAY/32'].NetworkInterfaceId")
[ "$target" = "$ENI" ] || exit 3
ip addr add "$OVERLAY/32" dev eth0 && echo "$(imds instance-id) routes $OVERLAY"
"""
)


@needs_namespaces
def test_an_overlay_address_moves_by_route_between_two_nodes(world: World) -> None:
    server, ec2, node_a, node_b = world
    vpc = server.simulator.instance(node_a).subnet.vpc.id
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    eni_a, eni_b = (server.simulator.instance(n).interfaces[0].id for n in (node_a, node_b))
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.50.10/32", NetworkInterfaceId=eni_a)
    environ = {**os.environ, "TABLE": table, "OVERLAY": "192.168.50.10"}
    for node, eni in ((node_b, eni_b), (node_a, eni_a)):  # to b, then back to a
        moved = server.run(node, ["sh", "-c", MOVE_ROUTE], env=environ, capture_output=True, text=True)
        assert (moved.returncode, moved.stdout) == (0, f"{node} routes 192.168.50.10\n"), moved.stderr
        routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        assert [r.get("NetworkInterfaceId") for r in routes if r["DestinationCidrBlock"] == "192.168.50.10/32"] == [eni]


SPOT_WATCH = (
    IMDS
    + """
echo watching
for i in $(seq 300); do  # a Spot interruption handler: on notice, hand the VIP to the peer, then report
  if action=$(imds spot/instance-action); then
    aws ec2 assign-private-ip-addresses --network-interface-id "$PEER" --private-ip-addresses "$VIP" \\
        --allow-reassignment >/dev/null && ip addr del "$VIP/24" dev eth0 2>/dev/null
    echo "$action"; exit 0
  fi
  sleep 0.1
done
exit 4
"""
)


@needs_namespaces
def test_an_agent_reacts_to_a_spot_interruption_before_the_instance_goes(world: World) -> None:
    server, ec2, node, peer = world
    vip = "10.60.1.201"
    eni, peer_eni = (server.simulator.instance(n).interfaces[0].id for n in (node, peer))
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[vip])
    environ = {**os.environ, "VIP": vip, "PEER": peer_eni}
    done: List[subprocess.CompletedProcess[str]] = []
    handler = ["sh", "-c", SPOT_WATCH]
    runner = threading.Thread(
        target=lambda: done.append(server.run(node, handler, env=environ, capture_output=True, text=True, timeout=120))
    )
    runner.start()
    time.sleep(0.5)  # the handler polls and sees no notice yet
    server.simulator.interrupt(node, "spot")
    runner.join()
    assert done[0].returncode == 0 and '"action": "terminate"' in done[0].stdout, done[0].stderr
    server.simulator.clock.advance(120)
    states = ec2.describe_instances(InstanceIds=[node])["Reservations"][0]["Instances"][0]["State"]["Name"]
    assert states == "terminated"
    holder = ec2.describe_network_interfaces(Filters=[{"Name": "addresses.private-ip-address", "Values": [vip]}])
    assert [i["NetworkInterfaceId"] for i in holder["NetworkInterfaces"]] == [peer_eni]  # moved in its two minutes


@needs_namespaces
def test_everything_is_removed_when_the_program_is_killed(world: World) -> None:
    server, _, node, _ = world
    done = server.run(node, ["sh", "-c", "kill -9 $$"])
    assert done.returncode == -signal.SIGKILL
    with pytest.raises(subprocess.TimeoutExpired):
        server.run(node, ["sh", "-c", "sleep 301 & sleep 302"], timeout=0.5)
    time.sleep(0.1)
    assert subprocess.run(["pgrep", "-f", "sleep 30[12]"], capture_output=True).returncode == 1  # children too
    before = _links()
    assert server.run(node, ["true"]).returncode == 0
    assert _links() == before  # nothing was left on the host's side either


@needs_namespaces
def test_a_killed_botohook_leaves_no_namespace_behind(tmp_path: Any) -> None:
    """Even SIGKILL of the process that runs the relays: the namespace has no name, and the kernel frees it with the
    program."""
    code = (
        "import botohook, sys\n"
        "from botohook import _netns\n"
        "with botohook.serve(botohook.Simulator()) as server:\n"
        f"    node = server.client().run_instances(ImageId={AMI!r}, MinCount=1, MaxCount=1)['Instances'][0]\n"
        "    server.run(node['InstanceId'], ['sh', '-c', 'echo $$; exec sleep 30'])\n"
    )
    runner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert runner.stdout is not None
    program = int(runner.stdout.readline())
    namespace = os.readlink(f"/proc/{program}/ns/net")
    runner.kill()
    runner.wait()
    assert holders(namespace) == [str(program)]  # the program outlived its relays ...
    os.kill(program, signal.SIGKILL)
    for _ in range(100):
        if not holders(namespace):
            break
        time.sleep(0.05)
    assert holders(namespace) == []  # ... and the namespace went with it


def test_without_namespaces_it_fails_at_once_naming_the_fallback(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    server, _, node, _ = world
    monkeypatch.setattr(_netns, "unavailable", lambda: "cannot create namespaces (not root: no user namespaces)")
    with pytest.raises(_netns.NamespaceUnavailableError, match=r"not root.*http_proxy=http://127\.0\.0\.1:[0-9]+ "):
        server.run(node, ["true"])


def test_without_an_instance_the_program_gets_the_served_environment(world: World) -> None:
    if shutil.which("aws") is None:
        pytest.skip("needs the AWS CLI")
    server, _, node, _ = world
    query = ["aws", "ec2", "describe-instances", "--instance-ids", node, "--query", "Reservations[0].Instances[0]."
             "InstanceId", "--output", "text"]  # fmt: skip
    done = server.run(None, query, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, node), done.stderr


def _links() -> str:
    return subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout


# -- the command: botohook run ------------------------------------------------------------------------------------


@pytest.fixture
def world_file(tmp_path: Any) -> Tuple[str, str, str]:
    """A world with two instances, as a JSON file for --world: (path, instance a, instance b)."""
    import json

    simulator = botohook.Simulator(seed=8)
    with botohook.serve(simulator) as server:
        ec2 = server.client(region="us-east-1")
        nodes = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)["Instances"]
    path = tmp_path / "world.json"
    path.write_text(json.dumps(simulator.dump()))
    return str(path), nodes[0]["InstanceId"], nodes[1]["InstanceId"]


def botohook_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "botohook", *args], capture_output=True, text=True, timeout=120)


@needs_namespaces
def test_the_command_runs_as_each_instance_with_the_commands_status(world_file: Tuple[str, str, str]) -> None:
    path, node_a, node_b = world_file
    read = IMDS + 'echo "$(imds instance-id) $MAC $ENI"; exit 5'
    done = botohook_command("run", "--world", path, "--instance", node_a, "--", "sh", "-c", read)
    assert done.returncode == 5, done.stderr
    assert done.stdout.startswith(f"{node_a} ") and done.stdout.count("\n") == 1  # no log lines mixed in
    both = botohook_command("run", "--world", path, "--instance", node_a, "--instance", node_b, "--", "sh", "-c",
                            IMDS + 'echo "$(imds instance-id)"')  # fmt: skip  # one write a line
    assert both.returncode == 0, both.stderr
    assert sorted(both.stdout.split()) == sorted([node_a, node_b])  # one simulation, both nodes at once
    killed = botohook_command("run", "--world", path, "--instance", node_a, "--", "sh", "-c", "kill -TERM $$")
    assert killed.returncode == 128 + signal.SIGTERM  # as a shell reports a program ended by a signal


@needs_namespaces
def test_sigterm_to_the_command_ends_the_program_and_its_namespace(world_file: Tuple[str, str, str]) -> None:
    path, node_a, _ = world_file
    command = [sys.executable, "-m", "botohook", "run", "--world", path, "--instance", node_a, "--", "sh", "-c",
               "echo $$; sleep 303 & sleep 304"]  # fmt: skip
    runner = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert runner.stdout is not None
    program = int(runner.stdout.readline())
    namespace = os.readlink(f"/proc/{program}/ns/net")
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) == 128 + signal.SIGTERM
    time.sleep(0.1)
    assert not os.path.exists(f"/proc/{program}")
    assert subprocess.run(["pgrep", "-f", "sleep 30[34]"], capture_output=True).returncode == 1  # its children too
    assert holders(namespace) == []


def test_sigterm_to_the_command_without_an_instance_ends_the_programs_children_too() -> None:
    command = [sys.executable, "-m", "botohook", "run", "--", "sh", "-c", "echo $$; sleep 305 & sleep 306"]
    runner = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert runner.stdout is not None
    program = int(runner.stdout.readline())
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) == 128 + signal.SIGTERM
    time.sleep(0.1)
    assert not os.path.exists(f"/proc/{program}")
    assert subprocess.run(["pgrep", "-f", "sleep 30[56]"], capture_output=True).returncode == 1  # its children too


def test_the_command_refuses_what_it_cannot_run(world_file: Tuple[str, str, str]) -> None:
    path, node_a, _ = world_file
    unknown = botohook_command("run", "--world", path, "--instance", "i-0000000000000000f", "--", "true")
    assert unknown.returncode == 2 and "i-0000000000000000f" in unknown.stderr and "Traceback" not in unknown.stderr
    nothing = botohook_command("run", "--instance", node_a)
    assert nothing.returncode == 2 and "after --" in nothing.stderr
    logged = botohook_command("run", "--log-format", "json", "--", "true")
    assert logged.returncode == 2 and "--log-format" in logged.stderr
    if shutil.which("aws") is not None:  # without --instance: the served environment only
        query = ["aws", "ec2", "describe-instances", "--query", "Reservations[].Instances[].InstanceId", "--output",
                 "text"]  # fmt: skip
        listed = botohook_command("run", "--world", path, "--", *query)
        assert listed.returncode == 0 and node_a in listed.stdout.split(), listed.stderr


def test_the_command_names_the_fallback_without_namespaces(
    world_file: Tuple[str, str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from botohook import cli

    path, node_a, _ = world_file
    monkeypatch.setattr(_netns, "unavailable", lambda: "cannot create namespaces (not root: no user namespaces)")
    handler = signal.getsignal(signal.SIGTERM)
    try:
        assert cli.main(["run", "--world", path, "--instance", node_a, "--", "true"]) == 2
    finally:
        signal.signal(signal.SIGTERM, handler)
    error = capsys.readouterr().err
    assert "not root" in error and "http_proxy=" in error and error.count("\n") == 1


CLOUD_INIT = """
import json, sys
from cloudinit import distros, helpers
from cloudinit.sources import DataSourceEc2

paths = helpers.Paths({"run_dir": sys.argv[1] + "/run", "cloud_dir": sys.argv[1] + "/cloud"})
source = DataSourceEc2.DataSourceEc2(
    {"datasource": {"Ec2": {"timeout": 2, "max_wait": 10}}}, distros.fetch("debian")("debian", {}, paths), paths
)
source._cloud_name = DataSourceEc2.CloudNames.AWS  # what DMI says on an instance (no DMI in a namespace)
assert source.get_data()
print(json.dumps({"id": source.get_instance_id(), "network": source.network_config}))
"""


def _cloud_init() -> str | None:
    found = subprocess.run(["/usr/bin/python3", "-c", "import cloudinit"], capture_output=True) if os.path.exists(
        "/usr/bin/python3"
    ) else None  # fmt: skip
    return None if found is not None and found.returncode == 0 else "needs cloud-init (Debian package cloud-init)"


@needs_namespaces
@pytest.mark.skipif(_cloud_init() is not None, reason=_cloud_init() or "")
def test_cloud_inits_ec2_data_source_configures_the_network_from_the_view(world: World, tmp_path: Any) -> None:
    """Unmodified cloud-init 22.4 (Debian's) asks /2021-03-23/ and /2009-04-04/ (only "latest" existed: KeyError
    'instance-id', issue 22), then derives its network configuration: interfaces by MAC, secondary addresses."""
    import json

    server, ec2, node, other = world
    instance = server.simulator.instance(node)
    subnet = instance.subnet.id
    second = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    ec2.attach_network_interface(NetworkInterfaceId=second["NetworkInterfaceId"], InstanceId=node, DeviceIndex=1)
    eni = instance.interfaces[0]
    floating = "10.60.1.77"
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni.id, PrivateIpAddresses=[floating])
    script = tmp_path / "datasource.py"
    script.write_text(CLOUD_INIT)

    def configured() -> Any:
        done = server.run(node, ["/usr/bin/python3", str(script), str(tmp_path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    seen = configured()
    assert seen["id"] == node
    ethernets = seen["network"]["ethernets"]
    assert ethernets["eth0"]["match"] == {"macaddress": eni.mac}
    assert ethernets["eth1"]["match"] == {"macaddress": second["MacAddress"]}
    assert f"{floating}/24" in ethernets["eth0"]["addresses"]
    # the address moves to the other node: the next boot's configuration follows
    ec2.assign_private_ip_addresses(
        NetworkInterfaceId=server.simulator.instance(other).interfaces[0].id,
        PrivateIpAddresses=[floating],
        AllowReassignment=True,
    )
    assert f"{floating}/24" not in configured()["network"]["ethernets"]["eth0"].get("addresses", [])
