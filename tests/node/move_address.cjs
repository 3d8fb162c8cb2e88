// A program using the AWS SDK for JavaScript v3 as a Node failover agent would: it finds the default subnet, makes
// two interfaces, gives the first a secondary address, moves it to the second with AllowReassignment, and tries an
// address outside the subnet. It knows nothing of botohook: the endpoint comes from AWS_ENDPOINT_URL_EC2.
const {
  EC2Client,
  DescribeSubnetsCommand,
  CreateNetworkInterfaceCommand,
  AssignPrivateIpAddressesCommand,
  DescribeNetworkInterfacesCommand,
} = require("@aws-sdk/client-ec2");

async function main() {
  const ec2 = new EC2Client({});
  const subnets = await ec2.send(new DescribeSubnetsCommand({}));
  const subnetId = subnets.Subnets[0].SubnetId;
  const make = async () =>
    (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface.NetworkInterfaceId;
  const first = await make();
  const second = await make();
  const assigned = await ec2.send(
    new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first, SecondaryPrivateIpAddressCount: 1 }),
  );
  const floating = assigned.AssignedPrivateIpAddresses[0].PrivateIpAddress;
  await ec2.send(
    new AssignPrivateIpAddressesCommand({
      NetworkInterfaceId: second,
      PrivateIpAddresses: [floating],
      AllowReassignment: true,
    }),
  );
  const described = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "addresses.private-ip-address", Values: [floating] }] }),
  );
  let refused = null;
  try {
    await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first, PrivateIpAddresses: ["192.0.2.1"] }));
  } catch (error) {
    refused = { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
  }
  console.log(
    JSON.stringify({
      first,
      second,
      floating,
      holders: described.NetworkInterfaces.map((eni) => eni.NetworkInterfaceId),
      refused,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
