"""DescribeAccountAttributes: the account's platform, default VPC and quotas, as the simulator's options set them."""

from __future__ import annotations

from typing import Any, Callable, Dict

from . import wire
from .errors import invalid_value
from .model import Region
from .security_groups import GROUPS_PER_INTERFACE

Response = Dict[str, Any]
MAX_INSTANCES = 20  # [decided] EC2's historical On-Demand default; botohook enforces no instance quota


def _attributes(region: Region) -> Dict[str, Callable[[], str]]:
    def default() -> str:
        vpc = region.default_vpc()
        return vpc.id if vpc is not None else "none"

    limit = str(region.settings.elastic_ip_limit)
    return {
        "supported-platforms": lambda: "VPC",
        "default-vpc": default,
        "max-instances": lambda: str(MAX_INSTANCES),
        "max-elastic-ips": lambda: limit,
        "vpc-max-elastic-ips": lambda: limit,
        "vpc-max-security-groups-per-interface": lambda: str(GROUPS_PER_INTERFACE),
    }


def describe_account_attributes(region: Region, params: wire.Params) -> Response:
    attributes = _attributes(region)
    names = wire.strings(params, "AttributeName") or list(attributes)
    for name in names:
        if name not in attributes:
            raise invalid_value(f"Value ({name}) for parameter attributeName is invalid. Unknown attribute.")
    wire.check_dry_run(params)
    return {
        "AccountAttributes": [
            {"AttributeName": name, "AttributeValues": [{"AttributeValue": attributes[name]()}]}
            for name in dict.fromkeys(names)
        ]
    }


OPERATIONS = {"DescribeAccountAttributes": describe_account_attributes}
