"""DescribeInstanceTypes, answered from the instance-type catalog."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .catalog import InstanceType
from .describe import flag, paged, select
from .errors import Ec2Error
from .model import Region

Response = Dict[str, Any]


def describe_type(kind: InstanceType) -> Response:
    out: Response = {
        "InstanceType": kind.name,
        "BareMetal": kind.bare_metal,
        "NetworkInfo": {
            "MaximumNetworkInterfaces": kind.max_network_interfaces,
            "Ipv4AddressesPerInterface": kind.ipv4_addresses_per_interface,
            "Ipv6AddressesPerInterface": kind.ipv6_addresses_per_interface,
            "Ipv6Supported": kind.ipv6_supported,
            "MaximumNetworkCards": kind.max_network_cards,
            "DefaultNetworkCardIndex": 0,
        },
    }
    if kind.hypervisor:
        out["Hypervisor"] = kind.hypervisor
    return out


_FILTERS = {
    "instance-type": lambda t: [t.name],
    "hypervisor": lambda t: [t.hypervisor] if t.hypervisor else [],
    "bare-metal": lambda t: [flag(t.bare_metal)],
    "network-info.maximum-network-interfaces": lambda t: [str(t.max_network_interfaces)],
    "network-info.ipv4-addresses-per-interface": lambda t: [str(t.ipv4_addresses_per_interface)],
    "network-info.ipv6-addresses-per-interface": lambda t: [str(t.ipv6_addresses_per_interface)],
    "network-info.ipv6-supported": lambda t: [flag(t.ipv6_supported)],
    "network-info.maximum-network-cards": lambda t: [str(t.max_network_cards)],
}


def describe_instance_types(region: Region, params: wire.Params) -> Response:
    catalog = region.settings.catalog()
    names = wire.strings(params, "InstanceType")
    unknown = [n for n in names if n not in catalog]
    if unknown:
        raise Ec2Error(
            "InvalidInstanceType", f"The following supplied instance types do not exist: [{', '.join(unknown)}]"
        )
    kinds = [catalog[n] for n in dict.fromkeys(names)] if names else list(catalog.values())
    chosen = select(kinds, params, _FILTERS)
    wire.check_dry_run(params)
    return paged("InstanceTypes", chosen, params, describe_type, 5, 100)


OPERATIONS = {"DescribeInstanceTypes": describe_instance_types}
