"""CreateTags, DeleteTags, DescribeTags for every simulated resource."""

from __future__ import annotations

from typing import Any, Dict, List

from . import wire
from .base import Resource
from .describe import Getter, check_tags, paged, select, tags_from
from .errors import Ec2Error
from .model import Region

Response = Dict[str, Any]
_LOOKUPS = {
    "vpc": "vpc",
    "subnet": "subnet",
    "eni": "interface",
    "i": "instance",
    "eipalloc": "elastic_ip",
    "sg": "security_group",
    "rtb": "route_table",
    "igw": "internet_gateway",
    "dopt": "dhcp_option_set",
}


def _resources(region: Region, params: wire.Params) -> List[Resource]:
    ids = wire.strings(params, "ResourceId")
    if not ids:
        raise Ec2Error("MissingParameter", "The request must contain the parameter resourceIdSet")
    out: List[Resource] = []
    for resource_id in ids:
        resource = region.resources.get(resource_id)
        if resource is None or (region.hidden and not region.visible(resource_id)):  # unknown, or not yet known
            kind = _LOOKUPS.get(resource_id.partition("-")[0])
            if kind is None:
                raise Ec2Error("InvalidID", f"The ID '{resource_id}' is not valid")
            getattr(region, kind)(resource_id)  # raises that resource's not-found error
        else:
            out.append(resource)
    return out


def create_tags(region: Region, params: wire.Params) -> Response:
    resources = _resources(region, params)
    tags = tags_from(wire.structs(params, "Tag"))
    if not tags:
        raise Ec2Error("MissingParameter", "The request must contain the parameter tagSet")
    for resource in resources:
        check_tags(tags, len(set(resource.tags) - set(tags)))
    wire.check_dry_run(params)
    for resource in resources:
        region.tag(resource, tags)
    return {}


def delete_tags(region: Region, params: wire.Params) -> Response:
    resources = _resources(region, params)
    entries = wire.structs(params, "Tag")
    wire.check_dry_run(params)
    for resource in resources:
        for key in [] if entries else list(resource.tags):
            region.untag(resource, key)
        for entry in entries:
            named = entry.get("Key")
            if named in resource.tags and ("Value" not in entry or resource.tags[named] == entry["Value"]):
                region.untag(resource, named)
    return {}


class _TagRow:
    """One tag of one resource, as DescribeTags lists it."""

    __slots__ = ("key", "resource")

    def __init__(self, resource: Resource, key: str) -> None:
        self.resource, self.key = resource, key

    @property
    def tags(self) -> Dict[str, str]:
        return self.resource.tags


_FILTERS: Dict[str, Getter[_TagRow]] = {
    "key": lambda row: [row.key],
    "value": lambda row: [row.tags[row.key]],
    "resource-id": lambda row: [row.resource.id],
    "resource-type": lambda row: [row.resource.resource_type],
}


def describe_tags(region: Region, params: wire.Params) -> Response:
    rows = [_TagRow(resource, key) for resource in region.resources.values() for key in resource.tags]
    chosen = select(rows, params, _FILTERS)
    wire.check_dry_run(params)
    return paged(
        "Tags",
        chosen,
        params,
        lambda row: {
            "Key": row.key,
            "ResourceId": row.resource.id,
            "ResourceType": row.resource.resource_type,
            "Value": row.resource.tags[row.key],
        },
    )


OPERATIONS = {"CreateTags": create_tags, "DeleteTags": delete_tags, "DescribeTags": describe_tags}
