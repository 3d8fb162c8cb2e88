"""DescribeAvailabilityZones: the zones of the simulated region (what subnets and instances can use)."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .describe import select
from .errors import invalid_value
from .model import Region, Zone

Response = Dict[str, Any]


class _ZoneRow:
    """A zone as filters see it (zones carry no tags)."""

    __slots__ = ("zone",)

    def __init__(self, zone: Zone) -> None:
        self.zone = zone

    @property
    def tags(self) -> Dict[str, str]:
        return {}


def describe_availability_zones(region: Region, params: wire.Params) -> Response:
    names = set(wire.strings(params, "ZoneName"))
    ids = set(wire.strings(params, "ZoneId"))
    known = {z.name for z in region.zones} | {z.zone_id for z in region.zones}
    unknown = sorted((names | ids) - known)
    if unknown:
        raise invalid_value(f"The zone '{unknown[0]}' does not exist in the region '{region.name}'.")
    rows = [_ZoneRow(z) for z in region.zones if (not names and not ids) or z.name in names or z.zone_id in ids]
    filters = {
        "zone-name": lambda r: [r.zone.name],
        "zone-id": lambda r: [r.zone.zone_id],
        "region-name": lambda r: [region.name],
        "group-name": lambda r: [region.name],
        "state": lambda r: ["available"],
        "zone-type": lambda r: ["availability-zone"],
        "opt-in-status": lambda r: ["opt-in-not-required"],
    }
    chosen = select(rows, params, filters)
    wire.check_dry_run(params)
    return {
        "AvailabilityZones": [
            {
                "State": "available",
                "OptInStatus": "opt-in-not-required",
                "Messages": [],
                "RegionName": region.name,
                "ZoneName": row.zone.name,
                "ZoneId": row.zone.zone_id,
                "GroupName": region.name,
                "NetworkBorderGroup": region.name,
                "ZoneType": "availability-zone",
            }
            for row in chosen
        ]
    }


OPERATIONS = {"DescribeAvailabilityZones": describe_availability_zones}
