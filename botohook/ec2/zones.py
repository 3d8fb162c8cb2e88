"""DescribeAvailabilityZones: the zones of the simulated region (what subnets and instances can use)."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .describe import Getter, select
from .errors import invalid_value
from .model import Region
from .network import Zone

Response = Dict[str, Any]
# Every region's name as AWS writes it (botocore's endpoints data; a test keeps the two equal): a zone's
# GroupLongName is its region's name and the number of its zone group
REGION_NAMES = {
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-east-2": "Asia Pacific (Taipei)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ap-southeast-5": "Asia Pacific (Malaysia)",
    "ap-southeast-6": "Asia Pacific (New Zealand)",
    "ap-southeast-7": "Asia Pacific (Thailand)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "cn-north-1": "China (Beijing)",
    "cn-northwest-1": "China (Ningxia)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "eu-isoe-west-1": "EU ISOE West",
    "eu-north-1": "Europe (Stockholm)",
    "eu-south-1": "Europe (Milan)",
    "eu-south-2": "Europe (Spain)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eusc-de-east-1": "AWS European Sovereign Cloud (Germany)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-central-1": "Middle East (UAE)",
    "me-south-1": "Middle East (Bahrain)",
    "mx-central-1": "Mexico (Central)",
    "sa-east-1": "South America (Sao Paulo)",
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
    "us-iso-east-1": "US ISO East",
    "us-iso-west-1": "US ISO WEST",
    "us-isob-east-1": "US ISOB East (Ohio)",
    "us-isob-west-1": "US ISOB West",
    "us-isof-east-1": "US ISOF EAST",
    "us-isof-south-1": "US ISOF SOUTH",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
}


def describe_availability_zones(region: Region, params: wire.Params) -> Response:
    names = set(wire.strings(params, "ZoneName"))
    ids = set(wire.strings(params, "ZoneId"))
    known = {z.name for z in region.zones} | {z.zone_id for z in region.zones}
    unknown = sorted((names | ids) - known)
    if unknown:
        raise invalid_value(f"The zone '{unknown[0]}' does not exist in the region '{region.name}'.")
    group = f"{region.name}-zg-1"  # every availability zone of a region is in its one zone group
    zones = [z for z in region.zones if (not names and not ids) or z.name in names or z.zone_id in ids]
    filters: Dict[str, Getter[Zone]] = {
        "zone-name": lambda z: [z.name],
        "zone-id": lambda z: [z.zone_id],
        "region-name": lambda z: [region.name],
        "group-name": lambda z: [group],
        "state": lambda z: ["available"],
        "zone-type": lambda z: ["availability-zone"],
        "opt-in-status": lambda z: ["opt-in-not-required"],
    }
    chosen = select(zones, params, filters)
    wire.check_dry_run(params)
    described = [
        {
            "State": "available",
            "OptInStatus": "opt-in-not-required",
            "Messages": [],
            "RegionName": region.name,
            "ZoneName": zone.name,
            "ZoneId": zone.zone_id,
            "GroupName": group,
            "NetworkBorderGroup": region.name,
            "ZoneType": "availability-zone",
        }
        for zone in chosen
    ]
    long_name = REGION_NAMES.get(region.name)
    if long_name is not None:  # a region AWS does not list has no name to give
        for zone in described:
            zone["GroupLongName"] = f"{long_name} 1"
    return {"AvailabilityZones": described}


OPERATIONS = {"DescribeAvailabilityZones": describe_availability_zones}
