"""DescribeInstanceAttribute, ModifyInstanceAttribute: the networking attributes (``sourceDestCheck`` and ``groupSet``
of the primary interface, ``instanceType`` with its limits) and those a launch sets, one attribute per call."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ..errors import UnsimulatedOperationError
from . import wire
from .catalog import check_prefix_support
from .compute import Instance
from .errors import Ec2Error, incorrect_state, invalid_value, missing, several_interfaces
from .instances import instance_type
from .ipv6 import check_attachable
from .model import Region
from .security_groups import group_entry, groups_for

Response = Dict[str, Any]
_UNSIMULATED = ("kernel", "ramdisk", "sriovNetSupport", "enclaveOptions")
_SHUTDOWN = ("stop", "terminate")
# the attribute's name -> its member in the response, and its ``<Member>.Value`` parameter in ModifyInstanceAttribute
_VALUES: Dict[str, str] = {
    "instanceType": "InstanceType",
    "userData": "UserData",
    "disableApiTermination": "DisableApiTermination",
    "disableApiStop": "DisableApiStop",
    "instanceInitiatedShutdownBehavior": "InstanceInitiatedShutdownBehavior",
    "sourceDestCheck": "SourceDestCheck",
    "ebsOptimized": "EbsOptimized",
}
_FIXED = {
    "rootDeviceName": ("RootDeviceName", {"Value": "/dev/xvda"}),
    "blockDeviceMapping": ("BlockDeviceMappings", []),
    "productCodes": ("ProductCodes", []),
    "enaSupport": ("EnaSupport", {"Value": True}),
}


def _value(instance: Instance, attribute: str) -> object:
    primary = instance.primary_interface
    values: Dict[str, object] = {
        "instanceType": instance.kind.name,
        "userData": instance.user_data,
        "disableApiTermination": instance.disable_api_termination,
        "disableApiStop": instance.disable_api_stop,
        "instanceInitiatedShutdownBehavior": instance.shutdown_behavior,
        "sourceDestCheck": primary.source_dest_check if primary is not None else True,
        "ebsOptimized": instance.ebs_optimized,
    }
    return values[attribute]


def describe_instance_attribute(region: Region, params: wire.Params) -> Response:
    instance = region.instance(wire.required(params, "InstanceId"))
    attribute = wire.required(params, "Attribute")
    if attribute in _UNSIMULATED:
        raise UnsimulatedOperationError(
            "ec2", "DescribeInstanceAttribute", f"botohook does not simulate the instance attribute {attribute}"
        )
    if attribute not in _VALUES and attribute not in _FIXED and attribute != "groupSet":
        raise invalid_value(f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.")
    wire.check_dry_run(params)
    out: Response = {"InstanceId": instance.id}
    if attribute == "groupSet":
        out["Groups"] = [group_entry(region, g) for g in instance.groups]
    elif attribute in _FIXED:
        member, fixed = _FIXED[attribute]
        out[member] = fixed
    else:
        value = _value(instance, attribute)
        out[_VALUES[attribute]] = {} if value is None else {"Value": value}
    return out


def _requested(params: wire.Params) -> List[Tuple[str, str]]:
    """The (attribute, value) pairs the request sets: ``<Member>.Value``, ``GroupId.N`` or ``Attribute``/``Value``."""
    requested = [
        (name, str(params[f"{member}.Value"])) for name, member in _VALUES.items() if f"{member}.Value" in params
    ]
    groups = wire.strings(params, "GroupId")
    if groups:
        requested.append(("groupSet", ",".join(groups)))
    attribute = wire.text(params, "Attribute")
    if attribute is not None:
        value = wire.text(params, "Value")
        if value is None and attribute != "groupSet":
            raise missing("value")
        requested.append((attribute, value or ""))
    return requested


def modify_instance_attribute(region: Region, params: wire.Params) -> Response:
    instance = region.instance(wire.required(params, "InstanceId"))
    requested = _requested(params)
    if not requested:
        raise Ec2Error("MissingParameter", "The request must contain the parameter attribute")
    if len(requested) > 1:
        names = ", ".join(name for name, _ in requested)
        raise Ec2Error("InvalidParameterCombination", f"Fields for multiple attribute types specified: {names}")
    attribute, value = requested[0]
    if attribute in _UNSIMULATED or attribute in ("blockDeviceMapping", "enaSupport"):
        raise UnsimulatedOperationError(
            "ec2", "ModifyInstanceAttribute", f"botohook does not simulate the instance attribute {attribute}"
        )
    if attribute not in _VALUES and attribute != "groupSet":
        raise invalid_value(f"Value ({attribute}) for parameter attribute is invalid. Unknown attribute.")
    change = _plan(region, instance, attribute, value)
    wire.check_dry_run(params)
    change()
    return {}


def _flag(value: str) -> bool:
    if value not in ("true", "false"):
        raise invalid_value(f"Value ({value}) for parameter value is invalid.")
    return value == "true"


def _plan(region: Region, instance: Instance, attribute: str, value: str) -> Any:
    """Check the change and return what makes it (nothing changes before ``DryRun`` is checked)."""
    primary = instance.primary_interface
    if attribute in ("sourceDestCheck", "groupSet"):
        if primary is None:
            raise incorrect_state(instance.id)
        if len(instance.interfaces) > 1:  # EC2 will not pick one of them for the caller
            raise several_interfaces(instance.id)
    if attribute == "sourceDestCheck":
        flag = _flag(value)
        return lambda: setattr(primary, "source_dest_check", flag)
    if attribute == "groupSet":
        assert primary is not None
        groups = groups_for(region, primary.subnet.vpc, primary.subnet, [g for g in value.split(",") if g])
        return lambda: region.regroup(primary, groups)
    if attribute == "instanceType":
        return _resize(region, instance, value)
    if attribute in ("disableApiTermination", "disableApiStop", "ebsOptimized"):
        flag = _flag(value)
        slot = {"disableApiTermination": "disable_api_termination", "disableApiStop": "disable_api_stop"}
        return lambda: setattr(instance, slot.get(attribute, "ebs_optimized"), flag)
    if attribute == "instanceInitiatedShutdownBehavior":
        if value not in _SHUTDOWN:
            raise invalid_value(f"Value ({value}) for parameter value is invalid.")
        return lambda: setattr(instance, "shutdown_behavior", value)
    return lambda: setattr(instance, "user_data", value)


def _resize(region: Region, instance: Instance, name: str) -> Any:
    """A new type for a stopped instance, its limits checked against the interfaces it has now."""
    kind = instance_type(region, name)
    if instance.state != "stopped":
        raise incorrect_state(instance.id)
    if len(instance.interfaces) > kind.max_network_interfaces:
        raise Ec2Error(
            "AttachmentLimitExceeded", f"Interface count {len(instance.interfaces)} exceeds the limit for {kind.name}"
        )
    for eni in instance.interfaces.values():
        if eni.prefixes:
            check_prefix_support(kind)
        if eni.slots > kind.ipv4_addresses_per_interface:
            raise Ec2Error(
                "InvalidInterface.IpAddressLimitExceeded",
                f"The number of private IP addresses on a network interface exceeds the limit for {kind.name}.",
            )
        check_attachable(region, eni, kind)
    return lambda: setattr(instance, "kind", kind)


OPERATIONS = {
    "DescribeInstanceAttribute": describe_instance_attribute,
    "ModifyInstanceAttribute": modify_instance_attribute,
}
