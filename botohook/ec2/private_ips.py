"""AssignPrivateIpAddresses and UnassignPrivateIpAddresses: secondary private IPv4 addresses and /28 prefixes."""

from __future__ import annotations

from typing import Any, Dict, List

from . import wire
from .addresses import format_cidr, format_ipv4, parse_ipv4
from .catalog import check_prefix_support
from .enis import NetworkInterface
from .errors import Ec2Error, invalid_value
from .interfaces import explicit_address, explicit_prefix, limit_exceeded, prefix_in_use
from .model import Region

Response = Dict[str, Any]


def assign_private_ip_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    requested = wire.strings(params, "PrivateIpAddress")
    count = wire.integer(params, "SecondaryPrivateIpAddressCount", "secondaryPrivateIpAddressCount")
    prefixes = wire.strings(params, "Ipv4Prefix")
    prefix_count = wire.integer(params, "Ipv4PrefixCount", "ipv4PrefixCount")
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
    if count is not None:
        return _assign_count(region, eni, count)
    if requested:
        return _assign_addresses(region, eni, requested, params)
    check_prefix_support(eni.instance.kind if eni.instance is not None else None)
    if prefix_count is not None:
        return _assign_prefix_count(region, eni, prefix_count)
    return _assign_prefixes(region, eni, prefixes)


def _assign_count(region: Region, eni: NetworkInterface, count: int) -> Response:
    if count < 1:
        raise invalid_value(
            f"Value ({count}) for parameter secondaryPrivateIpAddressCount is invalid. "
            "Expecting a value greater than 0."
        )
    if eni.slots + count > region.address_limit(eni):
        raise limit_exceeded()
    subnet = eni.subnet
    if count > subnet.pool.automatic():
        shortage = subnet.can_allocate(count, 0, [])
        if shortage is not None:
            raise shortage
    region.note(eni)
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
            if subnet.in_use(address):  # inside a delegated prefix
                raise Ec2Error("InvalidIPAddress.InUse", f"Address {format_ipv4(address)} is in use.")
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
    if eni.slots + len(taken) + len(moved) > region.address_limit(eni):
        raise limit_exceeded()
    region.note(eni)
    for address in taken:
        subnet.claim(address, eni)
        eni.secondaries[address] = None
    for address in moved:
        region.move_secondary(address, eni)
    return {
        "NetworkInterfaceId": eni.id,
        "AssignedPrivateIpAddresses": [{"PrivateIpAddress": format_ipv4(a)} for a in wanted],
    }


def _assign_prefix_count(region: Region, eni: NetworkInterface, count: int) -> Response:
    if count < 1:
        raise invalid_value(
            f"Value ({count}) for parameter ipv4PrefixCount is invalid. Expecting a value greater than 0."
        )
    if eni.slots + count > region.address_limit(eni):
        raise limit_exceeded()
    shortage = eni.subnet.can_allocate(0, count, [])
    if shortage is not None:
        raise shortage
    region.note(eni)
    assigned = eni.subnet.allocate_prefixes(count, eni, region.settings)
    for first in assigned:
        eni.prefixes[first] = None
    return _prefixes_response(eni, assigned)


def _assign_prefixes(region: Region, eni: NetworkInterface, requested: List[str]) -> Response:
    subnet = eni.subnet
    wanted = list(dict.fromkeys(explicit_prefix(subnet, value) for value in requested))
    new: List[int] = []
    for first in wanted:
        if first in eni.prefixes:
            continue
        if not subnet.prefix_is_free(first):  # another interface's prefix, or an address in use
            raise prefix_in_use(format_cidr(first, 28))
        new.append(first)
    if eni.slots + len(new) > region.address_limit(eni):
        raise limit_exceeded()
    region.note(eni)
    for first in new:
        subnet.claim_prefix(first, eni)
        eni.prefixes[first] = None
    return _prefixes_response(eni, wanted)


def _prefixes_response(eni: NetworkInterface, firsts: List[int]) -> Response:
    return {"NetworkInterfaceId": eni.id, "AssignedIpv4Prefixes": [{"Ipv4Prefix": format_cidr(f, 28)} for f in firsts]}


def unassign_private_ip_addresses(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    requested = wire.strings(params, "PrivateIpAddress")
    prefixes = wire.strings(params, "Ipv4Prefix")
    if not requested and not prefixes:
        raise Ec2Error("MissingParameter", "The request must contain the privateIpAddressSet parameter")
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
    firsts: List[int] = []
    for value in prefixes:
        first = parse_ipv4(value.partition("/")[0])
        if first is None or value.partition("/")[2] != "28" or first not in eni.prefixes:
            raise invalid_value(f"Prefix {value} is not assigned to interface {eni.id}.")
        firsts.append(first)
    for address in dict.fromkeys(addresses):
        region.release_secondary(eni, address)
    region.note(eni)
    for first in dict.fromkeys(firsts):
        del eni.prefixes[first]
        eni.subnet.release_prefix(first)
    return {}


OPERATIONS = {
    "AssignPrivateIpAddresses": assign_private_ip_addresses,
    "UnassignPrivateIpAddresses": unassign_private_ip_addresses,
}
