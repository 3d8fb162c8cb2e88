#!/usr/bin/env bash
# Take the floating address (and the Elastic IP on it) for this node: what a keepalived notify script or a
# cluster resource agent runs when this node becomes the primary. Written against the AWS CLI, unchanged for tests.
#
#   failover.sh <instance-id> <floating private address>
set -euo pipefail

instance_id="$1"
floating_ip="$2"

# This node's primary interface (device index 0).
eni=$(aws ec2 describe-instances --instance-ids "$instance_id" \
  --query 'Reservations[0].Instances[0].NetworkInterfaces[?Attachment.DeviceIndex==`0`].NetworkInterfaceId' \
  --output text)

# Move the address here, wherever it is now.
aws ec2 assign-private-ip-addresses --network-interface-id "$eni" \
  --private-ip-addresses "$floating_ip" --allow-reassignment > /dev/null

# Re-associate the Elastic IP that belongs to the floating address, if there is one.
allocation=$(aws ec2 describe-addresses --filters "Name=tag:floating-ip,Values=$floating_ip" \
  --query 'Addresses[0].AllocationId' --output text)
if [ "$allocation" != "None" ]; then
  aws ec2 associate-address --allocation-id "$allocation" --network-interface-id "$eni" \
    --private-ip-address "$floating_ip" --allow-reassociation > /dev/null
fi

echo "$floating_ip is on $eni ($instance_id)"
