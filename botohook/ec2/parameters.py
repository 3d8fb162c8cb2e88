"""Which request parameters botohook honours: every input member of every simulated operation is either
**simulated**, **accepted** (EC2 takes it and botohook reflects it where EC2 does, but it changes nothing on the
simulated network), or refused with :class:`~botohook.UnsimulatedOperationError` naming it: never silently dropped.

Parameters are named as they go on the wire with their list indexes taken out: ``NetworkInterface.1.SubnetId`` is
``NetworkInterface.SubnetId``; a name covers every parameter beneath it (``TagSpecification`` covers its tags).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Set

from ..errors import UnsimulatedOperationError
from .wire import Params

# Every operation: the envelope, DryRun, and Filters, tags at creation and paging where the operation has them
_COMMON = "Action Version DryRun Filter TagSpecification MaxResults NextToken"
_RULES = (
    "GroupId IpProtocol FromPort ToPort CidrIp IpPermissions.IpProtocol IpPermissions.FromPort IpPermissions.ToPort "
    "IpPermissions.Groups.Description IpPermissions.Groups.UserId IpPermissions.Groups.GroupName "
    "IpPermissions.Groups.GroupId IpPermissions.IpRanges IpPermissions.Ipv6Ranges IpPermissions.PrefixListIds"
)
_ROUTE = "RouteTableId DestinationCidrBlock GatewayId InstanceId NetworkInterfaceId"
_IPV6 = "Ipv6AddressCount Ipv6Addresses.Ipv6Address Ipv6Prefix Ipv6PrefixCount"  # not Ipv6Addresses.IsPrimaryIpv6
_INTERFACE_SPEC = (
    "AssociatePublicIpAddress DeleteOnTermination Description DeviceIndex SecurityGroupId NetworkInterfaceId "
    "PrivateIpAddress PrivateIpAddresses SecondaryPrivateIpAddressCount SubnetId InterfaceType Ipv4Prefix "
    "Ipv4PrefixCount " + _IPV6
)

SIMULATED: Dict[str, str] = {
    "AllocateAddress": "Domain Address",
    "AssignIpv6Addresses": "Ipv6PrefixCount Ipv6Prefix NetworkInterfaceId Ipv6Addresses Ipv6AddressCount",
    "AssociateSubnetCidrBlock": "SubnetId Ipv6CidrBlock",
    "AssociateVpcCidrBlock": "VpcId AmazonProvidedIpv6CidrBlock",
    "DisassociateSubnetCidrBlock": "AssociationId",
    "DisassociateVpcCidrBlock": "AssociationId",
    "UnassignIpv6Addresses": "Ipv6Prefix NetworkInterfaceId Ipv6Addresses",
    "AssignPrivateIpAddresses": (
        "Ipv4Prefix Ipv4PrefixCount NetworkInterfaceId PrivateIpAddress SecondaryPrivateIpAddressCount "
        "AllowReassignment"
    ),
    "AssociateAddress": "AllocationId PublicIp InstanceId NetworkInterfaceId PrivateIpAddress AllowReassociation",
    "AssociateDhcpOptions": "DhcpOptionsId VpcId",
    "AssociateRouteTable": "SubnetId RouteTableId",
    "AttachInternetGateway": "InternetGatewayId VpcId",
    "AttachNetworkInterface": "NetworkCardIndex NetworkInterfaceId InstanceId DeviceIndex",
    "AuthorizeSecurityGroupEgress": _RULES,
    "AuthorizeSecurityGroupIngress": _RULES + " GroupName",
    "CreateDefaultSubnet": "AvailabilityZone AvailabilityZoneId",
    "CreateDefaultVpc": "",
    "CreateDhcpOptions": "DhcpConfiguration",
    "CreateInternetGateway": "",
    "CreateNetworkInterface": (
        "Ipv4Prefix Ipv4PrefixCount InterfaceType ClientToken SubnetId Description PrivateIpAddress SecurityGroupId "
        "PrivateIpAddresses SecondaryPrivateIpAddressCount " + _IPV6
    ),
    "CreateRoute": _ROUTE,
    "CreateRouteTable": "ClientToken VpcId",
    "CreateSecurityGroup": "GroupDescription GroupName VpcId",
    "CreateSubnet": "AvailabilityZone AvailabilityZoneId CidrBlock VpcId Ipv6CidrBlock",
    "CreateSubnetCidrReservation": "SubnetId Cidr ReservationType Description",
    "CreateTags": "ResourceId Tag",
    "CreateVpc": "CidrBlock InstanceTenancy AmazonProvidedIpv6CidrBlock",
    "DeleteDhcpOptions": "DhcpOptionsId",
    "DeleteInternetGateway": "InternetGatewayId",
    "DeleteNetworkInterface": "NetworkInterfaceId",
    "DeleteRoute": "RouteTableId DestinationCidrBlock",
    "DeleteRouteTable": "RouteTableId",
    "DeleteSecurityGroup": "GroupId GroupName",
    "DeleteSubnet": "SubnetId",
    "DeleteSubnetCidrReservation": "SubnetCidrReservationId",
    "DeleteTags": "ResourceId Tag",
    "DeleteVpc": "VpcId",
    "DescribeAccountAttributes": "AttributeName",
    "DescribeAddresses": "PublicIp AllocationId",
    "DescribeAddressesAttribute": "AllocationId Attribute",
    "ModifyAddressAttribute": "AllocationId DomainName",
    "ResetAddressAttribute": "AllocationId Attribute",
    "DescribeAvailabilityZones": "ZoneName ZoneId",
    "DescribeDhcpOptions": "DhcpOptionsId",
    "DescribeInstanceAttribute": "InstanceId Attribute",
    "DescribeInstanceStatus": "InstanceId IncludeAllInstances",
    "DescribeInstanceTypes": "InstanceType",
    "DescribeInstances": "InstanceId",
    "DescribeInternetGateways": "InternetGatewayId",
    "DescribeManagedPrefixLists": "PrefixListId",
    "DescribeNetworkInterfaceAttribute": "NetworkInterfaceId Attribute",
    "DescribeNetworkInterfaces": "NetworkInterfaceId",
    "DescribePrefixLists": "PrefixListId",
    "DescribeRouteTables": "RouteTableId",
    "DescribeSecurityGroupRules": "SecurityGroupRuleId",
    "DescribeSecurityGroups": "GroupId GroupName",
    "DescribeSubnets": "SubnetId",
    "DescribeTags": "",
    "DescribeVpcAttribute": "Attribute VpcId",
    "DescribeVpcs": "VpcId",
    "DetachInternetGateway": "InternetGatewayId VpcId",
    "DetachNetworkInterface": "AttachmentId",
    "DisassociateAddress": "AssociationId PublicIp",
    "DisassociateRouteTable": "AssociationId",
    "GetSubnetCidrReservations": "SubnetId",
    "ModifyInstanceAttribute": (
        "SourceDestCheck.Value DisableApiStop.Value InstanceId Attribute Value DisableApiTermination.Value "
        "InstanceType.Value UserData.Value InstanceInitiatedShutdownBehavior.Value GroupId EbsOptimized.Value"
    ),
    "ModifyNetworkInterfaceAttribute": (
        "NetworkInterfaceId Description.Value SourceDestCheck.Value SecurityGroupId Attachment.AttachmentId "
        "Attachment.DeleteOnTermination"
    ),
    "ModifySecurityGroupRules": "GroupId SecurityGroupRule",
    "ModifySubnetAttribute": "AssignIpv6AddressOnCreation.Value MapPublicIpOnLaunch.Value SubnetId",
    "ModifyVpcAttribute": (
        "EnableDnsHostnames.Value EnableDnsSupport.Value VpcId EnableNetworkAddressUsageMetrics.Value"
    ),
    "ReleaseAddress": "AllocationId PublicIp",
    "ReplaceRoute": _ROUTE,
    "ReplaceRouteTableAssociation": "AssociationId RouteTableId",
    "RevokeSecurityGroupEgress": _RULES + " SecurityGroupRuleId",
    "RevokeSecurityGroupIngress": _RULES + " GroupName SecurityGroupRuleId",
    "RunInstances": (
        "ImageId InstanceType MinCount MaxCount SecurityGroupId SecurityGroup SubnetId PrivateIpAddress ClientToken "
        "Placement.AvailabilityZone DisableApiTermination DisableApiStop InstanceInitiatedShutdownBehavior KeyName "
        "UserData Monitoring.Enabled EbsOptimized Ipv6AddressCount Ipv6Address.Ipv6Address "
        + " ".join(f"NetworkInterface.{p}" for p in _INTERFACE_SPEC.split())
    ),
    "StartInstances": "InstanceId",
    "StopInstances": "InstanceId Hibernate",
    "TerminateInstances": "InstanceId",
    "UnassignPrivateIpAddresses": "Ipv4Prefix NetworkInterfaceId PrivateIpAddress",
}
"""Parameters botohook simulates, by operation (besides the common ones)."""

ACCEPTED: Dict[str, str] = {
    "DescribeAvailabilityZones": "AllAvailabilityZones",  # every simulated zone is an opted-in availability zone
    "DescribeInstanceStatus": "IncludeManagedResources",  # no simulated instance is managed by a service
    "DescribeInstances": "IncludeManagedResources",
    "DescribeNetworkInterfaces": "IncludeManagedResources",
    "DescribeInstanceTypes": "IncludeUnsupportedInRegion",  # every type in the table is offered everywhere
    "DetachNetworkInterface": "Force",  # detaching always succeeds at once
    "RunInstances": (
        "BlockDeviceMapping IamInstanceProfile MetadataOptions CreditSpecification CpuOptions Placement.Tenancy "
        "AdditionalInfo"
    ),
    "StartInstances": "AdditionalInfo",
    "StopInstances": "Force SkipOsShutdown",
    "TerminateInstances": "Force SkipOsShutdown",
}
"""Parameters EC2 takes that change nothing on the simulated network, by operation: accepted so that real launch
code runs, and listed in the README."""

_ALLOWED: Dict[str, FrozenSet[str]] = {
    operation: frozenset(f"{_COMMON} {names} {ACCEPTED.get(operation, '')}".split())
    for operation, names in SIMULATED.items()
}
_KNOWN: Dict[str, Set[str]] = {operation: set() for operation in SIMULATED}  # exact parameter names already checked
_KNOWN_LIMIT = 4096  # per operation, so that ever new list indexes cannot grow it without bound


def path(name: str) -> str:
    """A parameter's name without its list indexes: ``NetworkInterface.1.SubnetId`` → ``NetworkInterface.SubnetId``."""
    return ".".join(part for part in name.split(".") if not part.isdigit())


def honoured(operation: str, name: str) -> bool:
    """Whether ``name`` (as on the wire) is simulated or accepted for ``operation``."""
    allowed = _ALLOWED[operation]
    parts = path(name).split(".")
    return any(".".join(parts[:end]) in allowed for end in range(1, len(parts) + 1))


def check(operation: str, params: Params) -> None:
    """Refuse the first parameter of the request botohook neither simulates nor accepts (cheap once a name was
    seen: one set look-up per parameter)."""
    known = _KNOWN[operation]
    for name in params:
        if name not in known:
            if not honoured(operation, name):
                raise UnsimulatedOperationError(
                    "ec2",
                    operation,
                    f"botohook does not simulate the parameter {path(name)} of ec2.{operation}; it is refused rather "
                    "than ignored",
                )
            if len(known) < _KNOWN_LIMIT:
                known.add(name)
