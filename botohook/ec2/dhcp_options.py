"""DHCP option sets: Create/Describe/Delete/AssociateDhcpOptions. Each region has a default set (the domain name
EC2 gives the region, AmazonProvidedDNS) that every new VPC points at; a VPC may also point at ``default``, none."""

from __future__ import annotations

from typing import Any, Dict, List

from . import wire
from .describe import Getter, by_ids, paged, select, tag_list, tag_specifications
from .dhcp import DhcpOptions
from .errors import Ec2Error, dependencies, invalid_value
from .model import Region

Response = Dict[str, Any]
KEYS = (
    "domain-name",
    "domain-name-servers",
    "ntp-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "ipv6-address-preferred-lease-time",
)


def describe_options(region: Region, options: DhcpOptions) -> Response:
    return {
        "DhcpConfigurations": [
            {"Key": key, "Values": [{"Value": v} for v in values]} for key, values in options.configurations.items()
        ],
        "DhcpOptionsId": options.id,
        "OwnerId": region.settings.account_id,
        "Tags": tag_list(options.tags),
    }


def create_dhcp_options(region: Region, params: wire.Params) -> Response:
    configurations: Dict[str, List[str]] = {}
    for entry in wire.structs(params, "DhcpConfiguration"):
        key = entry.get("Key", "")
        if key not in KEYS:
            raise invalid_value(f"Value ({key}) for parameter dhcpConfiguration is invalid. Unknown key.")
        values = wire.strings(entry, "Value")
        if not values:
            raise invalid_value(f"Value for parameter dhcpConfiguration {key} is missing.")
        configurations.setdefault(key, []).extend(values)
    if not configurations:
        raise Ec2Error("MissingParameter", "The request must contain the parameter dhcpConfiguration")
    tags = tag_specifications(params, "dhcp-options")
    wire.check_dry_run(params)
    options = DhcpOptions(region.settings, configurations)
    options.tags.update(tags)
    region.add(options)
    return {"DhcpOptions": describe_options(region, options)}


def describe_dhcp_options(region: Region, params: wire.Params) -> Response:
    sets = by_ids(region, region.dhcp_options, wire.strings(params, "DhcpOptionsId"), region.dhcp_option_set)
    getters: Dict[str, Getter[DhcpOptions]] = {
        "dhcp-options-id": lambda o: [o.id],
        "key": lambda o: list(o.configurations),
        "value": lambda o: [v for values in o.configurations.values() for v in values],
        "owner-id": lambda o: [region.settings.account_id],
    }
    chosen = select(sets, params, getters)
    wire.check_dry_run(params)
    return paged("DhcpOptions", chosen, params, lambda o: describe_options(region, o))


def delete_dhcp_options(region: Region, params: wire.Params) -> Response:
    options = region.dhcp_option_set(wire.required(params, "DhcpOptionsId"))
    if any(v.dhcp_options_id == options.id for v in region.vpcs.values()):
        raise dependencies("dhcpOptions", options.id)
    wire.check_dry_run(params)
    region.remove(options)
    return {}


def associate_dhcp_options(region: Region, params: wire.Params) -> Response:
    options_id = wire.required(params, "DhcpOptionsId")
    vpc = region.vpc(wire.required(params, "VpcId"))
    if options_id != "default":
        region.dhcp_option_set(options_id)
    wire.check_dry_run(params)
    vpc.dhcp_options_id = options_id
    return {}


OPERATIONS = {
    "CreateDhcpOptions": create_dhcp_options,
    "DescribeDhcpOptions": describe_dhcp_options,
    "DeleteDhcpOptions": delete_dhcp_options,
    "AssociateDhcpOptions": associate_dhcp_options,
}
