"""A shell failover script, run unchanged as a separate process against botohook over HTTP.

``examples/shell/failover.sh`` is written as such scripts are (keepalived notify scripts, cluster resource agents):
it calls the AWS CLI to find its instance's interface, move the floating address there with
``--allow-reassignment`` and re-associate its Elastic IP. Here botohook builds the world (two instances, a floating
address with an Elastic IP on node A), serves it with ``botohook.serve()``, runs the script for node B with
``server.environ``, and checks the outcome in the simulator. Needs the AWS CLI v1 (``pip install awscli``), bash and
no AWS account.

    python examples/shell_failover.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import botohook

SCRIPT = Path(__file__).parent / "shell" / "failover.sh"
AMI = "ami-0123456789abcdef0"
FLOATING = "10.30.1.100"


def main() -> None:
    with botohook.serve(botohook.Simulator(seed=5), region="eu-west-1") as server:
        ec2 = server.client()
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)  # Elastic IPs reach VPCs with one
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
        node_a, node_b = (
            ec2.run_instances(ImageId=AMI, InstanceType="c5.large", MinCount=1, MaxCount=1, SubnetId=subnet)[
                "Instances"
            ][0]["InstanceId"]
            for _ in range(2)
        )
        eni_a = server.simulator.instance(node_a).interfaces[0].id
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_a, PrivateIpAddresses=[FLOATING])
        allocation = ec2.allocate_address(
            Domain="vpc",
            TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "floating-ip", "Value": FLOATING}]}],
        )["AllocationId"]
        ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni_a, PrivateIpAddress=FLOATING)

        # Node A fails; node B's agent runs the script, as a separate process, through the AWS CLI.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        done = subprocess.run(
            ["bash", str(SCRIPT), node_b, FLOATING],
            env={**os.environ, **server.environ, "PATH": path},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"failover.sh failed ({done.returncode}):\n{done.stderr}")
        print(done.stdout.strip())

        eni_b = server.simulator.instance(node_b).interfaces[0]
        assert FLOATING in eni_b.secondary_addresses
        assert FLOATING not in server.simulator.interface(eni_a).secondary_addresses
        held = server.simulator.elastic_ip(allocation)
        assert held.interface is eni_b
        print(f"Elastic IP {held.address} follows {FLOATING} to node B's {eni_b.id}")
        print(f"{len(server.simulator.calls)} calls answered over HTTP, the script's among them")


if __name__ == "__main__":
    main()
