"""DescribeAvailabilityZones: the zones of the simulated region (what subnets and instances can use)."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .describe import Getter, select
from .errors import invalid_value
from .model import Region
from .network import Zone

Response = Dict[str, Any]


def describe_availability_zones(region: Region, params: wire.Params) -> Response:
    names = set(wire.strings(params, "ZoneName"))
    ids = set(wire.strings(params, "ZoneId"))
    known = {z.name for z in region.zones} | {z.zone_id for z in region.zones}
    unknown = sorted((names | ids) - known)
    if unknown:
        raise invalid_value(f"The zone '{unknown[0]}' does not exist in the region '{region.name}'.")
    zones = [z for z in region.zones if (not names and not ids) or z.name in names or z.zone_id in ids]
    filters: Dict[str, Getter[Zone]] = {
        "zone-name": lambda z: [z.name],
        "zone-id": lambda z: [z.zone_id],
        "region-name": lambda z: [region.name],
        "group-name": lambda z: [region.name],
        "state": lambda z: ["available"],
        "zone-type": lambda z: ["availability-zone"],
        "opt-in-status": lambda z: ["opt-in-not-required"],
    }
    chosen = select(zones, params, filters)
    wire.check_dry_run(params)
    return {
        "AvailabilityZones": [
            {
                "State": "available",
                "OptInStatus": "opt-in-not-required",
                "Messages": [],
                "RegionName": region.name,
                "ZoneName": zone.name,
                "ZoneId": zone.zone_id,
                "GroupName": region.name,
                "NetworkBorderGroup": region.name,
                "ZoneType": "availability-zone",
            }
            for zone in chosen
        ]
    }


OPERATIONS = {"DescribeAvailabilityZones": describe_availability_zones}
