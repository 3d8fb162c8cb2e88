"""A two-node shell failover, each agent run unchanged as its own instance (``server.run``; ``botohook run
--instance`` on the command line): it reads its MAC from eth0 and its interface from 169.254.169.254 with curl,
takes the address with the AWS CLI and puts it on eth0. Needs Linux namespaces (as root, or unprivileged user
namespaces), curl and the AWS CLI.

    python examples/run_as_instances.py
"""

import shutil

import botohook
from botohook._netns import unavailable

AGENT = """T=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
m() { curl -sf -H "X-aws-ec2-metadata-token: $T" "http://169.254.169.254/latest/meta-data/$1"; }
ENI=$(m "network/interfaces/macs/$(cat /sys/class/net/eth0/address)/interface-id")
aws ec2 assign-private-ip-addresses --network-interface-id $ENI --private-ip-addresses 10.0.1.50 --allow-reassignment
ip addr add 10.0.1.50/24 dev eth0 && echo "$(m instance-id) holds 10.0.1.50: $(ip -o -4 addr show dev eth0 | wc -l)"
"""


def main() -> None:
    with botohook.serve(botohook.Simulator(seed=1)) as server:
        ec2 = server.client()
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        nodes = ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, SubnetId=subnet)["Instances"]
        for node in nodes:  # node A takes the address, then fails; node B's agent takes it over
            agent = server.run(node["InstanceId"], ["sh", "-c", AGENT], capture_output=True, text=True, check=True)
            print(agent.stdout.splitlines()[-1], "addresses on eth0")
        assert "10.0.1.50" in server.simulator.instance(nodes[1]["InstanceId"]).interfaces[0].secondary_addresses


if __name__ == "__main__":
    missing = unavailable() or next((f"needs {t}" for t in ("curl", "aws") if shutil.which(t) is None), None)
    if missing:
        print(f"skipped: {missing}")
    else:
        main()
