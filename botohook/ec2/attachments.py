"""AttachNetworkInterface and DetachNetworkInterface."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .catalog import check_prefix_support
from .errors import Ec2Error, incorrect_state, invalid_value, missing
from .interfaces import limit_exceeded
from .ipv6 import check_attachable
from .model import Region

Response = Dict[str, Any]


def attach_network_interface(region: Region, params: wire.Params) -> Response:
    eni = region.interface(wire.required(params, "NetworkInterfaceId"))
    instance = region.instance(wire.required(params, "InstanceId"))
    index = wire.integer(params, "DeviceIndex", "deviceIndex")
    if index is None:
        raise missing("DeviceIndex")
    if index < 0:
        raise invalid_value(f"Value ({index}) for parameter deviceIndex is invalid.")
    card = wire.integer(params, "NetworkCardIndex", "networkCardIndex") or 0
    kind = instance.kind
    if not 0 <= card < kind.max_network_cards:
        raise invalid_value(f"Value ({card}) for parameter networkCardIndex is invalid.")
    if instance.state not in ("running", "stopped"):  # hot or warm attach
        raise incorrect_state(instance.id)
    if eni.attachment is not None or eni.shown_attachment() is not None:  # attached, or still detaching
        raise Ec2Error("InvalidNetworkInterface.InUse", f"Interface: [{eni.id}] in use.")
    if index in instance.interfaces:
        raise invalid_value(f"Instance '{instance.id}' already has an interface attached at device index '{index}'.")
    if eni.subnet.zone is not instance.subnet.zone:  # another VPC of the zone is fine (multi-VPC ENI, 2023)
        raise Ec2Error(
            "InvalidParameterCombination",
            "You may not attach a network interface to an instance if they are not in the same availability zone",
        )
    if len(instance.interfaces) + 1 > kind.max_network_interfaces:
        raise Ec2Error(
            "AttachmentLimitExceeded",
            f"Interface count {len(instance.interfaces) + 1} exceeds the limit for {kind.name}",
        )
    if eni.prefixes:
        check_prefix_support(kind)
    if eni.slots > kind.ipv4_addresses_per_interface:
        raise limit_exceeded()
    check_attachable(region, eni, kind)
    wire.check_dry_run(params)
    attachment = region.attach(eni, instance, index, False)
    return {"AttachmentId": attachment.id, "NetworkCardIndex": card}


def detach_network_interface(region: Region, params: wire.Params) -> Response:
    attachment_id = wire.required(params, "AttachmentId")
    eni = region.attached(attachment_id)
    if eni.attachment is not None and eni.attachment.device_index == 0:
        raise Ec2Error(
            "OperationNotPermitted",
            "The network interface at device index 0 and networkCard index 0 cannot be detached.",
        )
    wire.check_dry_run(params)
    region.detach(eni)
    return {}


OPERATIONS = {
    "AttachNetworkInterface": attach_network_interface,
    "DetachNetworkInterface": detach_network_interface,
}
