"""DescribePrefixLists, DescribeManagedPrefixLists: the AWS-managed prefix lists security-group rules and routes
reference (for S3 and DynamoDB), with ids fixed per region and CIDRs from documentation ranges."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, Dict, List, NamedTuple, Tuple

from . import wire
from .describe import Getter, paged, select
from .errors import Ec2Error
from .model import Region

Response = Dict[str, Any]
_SERVICES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("s3", ("198.51.100.0/26", "198.51.100.64/26")),
    ("dynamodb", ("203.0.113.128/26",)),
)


class PrefixList(NamedTuple):
    id: str
    name: str
    cidrs: Tuple[str, ...]


@lru_cache(maxsize=64)
def managed(region: str) -> Dict[str, PrefixList]:
    """The region's AWS-managed prefix lists by id (the same ids every run, distinct per region)."""
    out: Dict[str, PrefixList] = {}
    for service, cidrs in _SERVICES:
        name = f"com.amazonaws.{region}.{service}"
        list_id = "pl-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        out[list_id] = PrefixList(list_id, name, cidrs)
    return out


def prefix_list(region: Region, list_id: str) -> PrefixList:
    """A managed prefix list by id, or EC2's error."""
    found = managed(region.name).get(list_id)
    if found is None:
        head, _, digits = list_id.partition("-")
        if head != "pl" or not digits:
            raise Ec2Error("InvalidPrefixListId.Malformed", f'Invalid id: "{list_id}" (expecting "pl-...")')
        raise Ec2Error("InvalidPrefixListID.NotFound", f"The prefix list ID '{list_id}' does not exist")
    return found


def _chosen(region: Region, params: wire.Params, ids: List[str], filters: Dict[str, Getter[PrefixList]]) -> Any:
    lists = [prefix_list(region, i) for i in ids] if ids else list(managed(region.name).values())
    return select(lists, params, filters)


def describe_prefix_lists(region: Region, params: wire.Params) -> Response:
    filters: Dict[str, Getter[PrefixList]] = {
        "prefix-list-id": lambda p: [p.id],
        "prefix-list-name": lambda p: [p.name],
    }
    chosen = _chosen(region, params, wire.strings(params, "PrefixListId"), filters)
    wire.check_dry_run(params)
    return paged(
        "PrefixLists",
        chosen,
        params,
        lambda p: {"PrefixListId": p.id, "PrefixListName": p.name, "Cidrs": list(p.cidrs)},
    )


def describe_managed_prefix_lists(region: Region, params: wire.Params) -> Response:
    filters: Dict[str, Getter[PrefixList]] = {
        "prefix-list-id": lambda p: [p.id],
        "prefix-list-name": lambda p: [p.name],
        "owner-id": lambda p: ["AWS"],
    }
    chosen = _chosen(region, params, wire.strings(params, "PrefixListId"), filters)
    wire.check_dry_run(params)

    def render(p: PrefixList) -> Response:
        return {
            "PrefixListId": p.id,
            "AddressFamily": "IPv4",
            "State": "create-complete",
            "PrefixListArn": f"arn:aws:ec2:{region.name}:aws:prefix-list/{p.id}",
            "PrefixListName": p.name,
            "Tags": [],
            "OwnerId": "AWS",
        }

    return paged("PrefixLists", chosen, params, render, 1, 100)


OPERATIONS = {
    "DescribePrefixLists": describe_prefix_lists,
    "DescribeManagedPrefixLists": describe_managed_prefix_lists,
}
