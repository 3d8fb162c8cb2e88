"""The simulated EC2: a plain-Python model of the network and one module per group of operations.

Nothing here imports botocore. Each operation takes a :class:`~botohook.ec2.model.Region` and the request as
botocore serialized it, and returns the parsed response or raises :class:`~botohook.ec2.errors.Ec2Error`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from . import (
    account,
    attachments,
    dhcp_options,
    elastic_ips,
    instance_attributes,
    instance_states,
    instance_types,
    instances,
    interfaces,
    ipv6,
    prefix_lists,
    private_ips,
    reservations,
    route_tables,
    security_groups,
    subnets,
    tags,
    vpcs,
    zones,
)
from .model import Region
from .wire import Params

Operation = Callable[[Region, Params], Dict[str, Any]]

OPERATIONS: Dict[str, Operation] = {
    **vpcs.OPERATIONS,
    **subnets.OPERATIONS,
    **interfaces.OPERATIONS,
    **private_ips.OPERATIONS,
    **tags.OPERATIONS,
    **instance_types.OPERATIONS,
    **instances.OPERATIONS,
    **instance_states.OPERATIONS,
    **instance_attributes.OPERATIONS,
    **attachments.OPERATIONS,
    **elastic_ips.OPERATIONS,
    **reservations.OPERATIONS,
    **zones.OPERATIONS,
    **security_groups.OPERATIONS,
    **prefix_lists.OPERATIONS,
    **route_tables.OPERATIONS,
    **dhcp_options.OPERATIONS,
    **account.OPERATIONS,
    **ipv6.OPERATIONS,
}
