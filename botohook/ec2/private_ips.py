"""AssignPrivateIpAddresses and UnassignPrivateIpAddresses: secondary private IPv4 addresses."""

from __future__ import annotations

from typing import Any, Dict, List

from . import wire
from .addresses import format_ipv4, parse_ipv4
from .errors import Ec2Error, invalid_value
from .interfaces import explicit_address, insufficient_addresses, limit_exceeded, reject_prefixes
from .model import NetworkInterface, Region

Response = Dict[str, Any]


def assign_private_ip_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    requested = wire.strings(params, "PrivateIpAddress")
    count = wire.integer(params, "SecondaryPrivateIpAddressCount", "secondaryPrivateIpAddressCount")
    prefixes = wire.strings(params, "Ipv4Prefix")
    prefix_count = wire.text(params, "Ipv4PrefixCount")
    given = sum((bool(requested), count is not None, bool(prefixes), prefix_count is not None))
    if given == 0:
        raise Ec2Error(
            "MissingParameter",
            "The request must contain one of the parameters privateIpAddress, "
            "secondaryPrivateIpAddressCount, ipv4Prefix or ipv4PrefixCount",
        )
    if given > 1:
        raise Ec2Error(
            "InvalidParameterCombination",
            "The parameters privateIpAddress, secondaryPrivateIpAddressCount, "
            "ipv4Prefix and ipv4PrefixCount are mutually exclusive",
        )
    if prefixes or prefix_count is not None:
        reject_prefixes(params, "AssignPrivateIpAddresses", "Ipv4Prefix")
    if count is not None:
        return _assign_count(region, eni, count)
    return _assign_addresses(region, eni, requested, params)


def _assign_count(region: Region, eni: NetworkInterface, count: int) -> Response:
    if count < 1:
        raise invalid_value(
            f"Value ({count}) for parameter secondaryPrivateIpAddressCount is invalid. "
            "Expecting a value greater than 0."
        )
    if 1 + len(eni.secondaries) + count > region.address_limit(eni):
        raise limit_exceeded()
    subnet = eni.subnet
    if count > subnet.available:
        raise insufficient_addresses()
    assigned = subnet.allocate(count, eni, region.settings)
    secondaries = eni.secondaries
    for address in assigned:
        secondaries[address] = None
    return {
        "NetworkInterfaceId": eni.id,
        "AssignedPrivateIpAddresses": [{"PrivateIpAddress": format_ipv4(a)} for a in assigned],
    }


def _assign_addresses(region: Region, eni: NetworkInterface, requested: List[str], params: wire.Params) -> Response:
    subnet = eni.subnet
    reassign = wire.boolean(params, "AllowReassignment")
    wanted = list(dict.fromkeys(explicit_address(subnet, value) for value in requested))
    taken: List[int] = []
    moved: List[int] = []
    for address in wanted:
        owner = subnet.owners.get(address)
        if owner is None:
            taken.append(address)
        elif owner is eni and address in eni.secondaries:
            continue
        elif address == owner.primary:
            raise Ec2Error("InvalidIPAddress.InUse", f"Address {format_ipv4(address)} is in use.")
        elif not reassign:
            raise invalid_value(
                f"Address {format_ipv4(address)} assigned to interface {owner.id}, move is not allowed."
            )
        else:
            moved.append(address)
    if 1 + len(eni.secondaries) + len(taken) + len(moved) > region.address_limit(eni):
        raise limit_exceeded()
    for address in taken:
        subnet.claim(address, eni)
        eni.secondaries[address] = None
    for address in moved:
        region.move_secondary(address, eni)
    return {
        "NetworkInterfaceId": eni.id,
        "AssignedPrivateIpAddresses": [{"PrivateIpAddress": format_ipv4(a)} for a in wanted],
    }


def unassign_private_ip_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    requested = wire.strings(params, "PrivateIpAddress")
    prefixes = wire.strings(params, "Ipv4Prefix")
    if not requested and not prefixes:
        raise Ec2Error("MissingParameter", "The request must contain the privateIpAddressSet parameter")
    if prefixes:
        reject_prefixes(params, "UnassignPrivateIpAddresses", "Ipv4Prefix")
    addresses: List[int] = []
    for value in requested:
        address = parse_ipv4(value)
        if address is None:
            raise invalid_value(f"invalid value for parameter address: {value}")
        if address == eni.primary:
            raise invalid_value(f"The primary private IP address {value} of interface {eni.id} cannot be unassigned.")
        if address not in eni.secondaries:
            raise invalid_value(f"Address {value} is not assigned to interface {eni.id}.")
        addresses.append(address)
    for address in dict.fromkeys(addresses):
        region.release_secondary(eni, address)
    return {}


OPERATIONS = {
    "AssignPrivateIpAddresses": assign_private_ip_addresses,
    "UnassignPrivateIpAddresses": unassign_private_ip_addresses,
}
