"""StopInstances, StartInstances, TerminateInstances, DescribeInstanceStatus: an instance's life and what it does to
its interfaces and public addresses."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from ..errors import UnsimulatedOperationError
from . import wire
from .compute import Instance
from .describe import Getter, page, select
from .errors import Ec2Error, incorrect_state, missing
from .instances import STATE_CODES
from .model import Region

Response = Dict[str, Any]
_GONE = ("shutting-down", "terminated")


def _instances(region: Region, params: wire.Params) -> List[Instance]:
    ids = wire.strings(params, "InstanceId")
    if not ids:
        raise missing("InstanceIds")
    return list(dict.fromkeys(region.instance(i) for i in ids))


def _change(instance: Instance, before: str, act: Callable[[], None] | None, passing: str) -> Response:
    """The state change as the response shows it: the state the instance passes through, as EC2 answers, even
    when (strong consistency) it has already settled."""
    after = before
    if act is not None:
        act()
        after = passing
    return {
        "CurrentState": {"Code": STATE_CODES[after], "Name": after},
        "InstanceId": instance.id,
        "PreviousState": {"Code": STATE_CODES[before], "Name": before},
    }


def _not_permitted(instance: Instance, verb: str, attribute: str) -> Ec2Error:
    return Ec2Error(
        "OperationNotPermitted",
        f"The instance '{instance.id}' may not be {verb}. Modify its '{attribute}' instance attribute and try again.",
    )


def terminate_instances(region: Region, params: wire.Params) -> Response:
    instances = _instances(region, params)
    for instance in instances:
        if instance.disable_api_termination and instance.state not in _GONE:
            raise _not_permitted(instance, "terminated", "disableApiTermination")
    wire.check_dry_run(params)
    changes = []
    for instance in instances:
        before = instance.state
        if before in _GONE:
            changes.append(_change(instance, before, None, before))
            continue
        instance.keep_groups()  # a terminated instance still shows the groups it had
        for eni in list(instance.interfaces.values()):
            delete = eni.attachment is not None and eni.attachment.delete_on_termination
            region.drop_public_ip(eni)
            eni.public_on_launch = False
            region.detach(eni)
            if delete:
                region.delete_interface(eni)
        changes.append(_change(instance, before, instance.terminate, "shutting-down"))
    return {"TerminatingInstances": changes}


def stop_instances(region: Region, params: wire.Params) -> Response:
    """Interfaces, private addresses and Elastic IPs stay; the public address EC2 gave at launch is released."""
    if wire.boolean(params, "Hibernate"):
        raise UnsimulatedOperationError("ec2", "StopInstances", "botohook does not simulate hibernation (Hibernate)")
    instances = _instances(region, params)
    for instance in instances:
        if instance.state in _GONE or instance.state == "pending":
            raise incorrect_state(instance.id)
        if instance.disable_api_stop and instance.state == "running":
            raise _not_permitted(instance, "stopped", "disableApiStop")
    wire.check_dry_run(params)
    changes = []
    for instance in instances:
        before = instance.state
        if before != "running":  # stopping or stopped already
            changes.append(_change(instance, before, None, before))
            continue
        for eni in instance.interfaces.values():
            region.drop_public_ip(eni)
        changes.append(_change(instance, before, instance.stop, "stopping"))
    return {"StoppingInstances": changes}


def start_instances(region: Region, params: wire.Params) -> Response:
    """A stopped instance runs again, its primary interface with a new public address if it was launched with one
    (and holds no Elastic IP on its primary address)."""
    instances = _instances(region, params)
    for instance in instances:
        if instance.state not in ("stopped", "pending", "running"):
            raise incorrect_state(instance.id)
    starting = [i for i in instances if i.state == "stopped"]
    publics = [
        eni
        for instance in starting
        for eni in instance.interfaces.values()
        if eni.public_on_launch and eni.primary not in eni.associations
    ]
    region.check_public_ips(len(publics))
    wire.check_dry_run(params)
    changes = []
    for instance in instances:
        before = instance.state
        changes.append(_change(instance, before, instance.start if instance in starting else None, "pending"))
    for eni in publics:
        region.give_public_ip(eni)
    return {"StartingInstances": changes}


def _status(instance: Instance) -> str:
    """[decided] checks pass at once when the instance runs (``initializing`` while pending)."""
    state = instance.state
    if state == "running":
        return "ok"
    return "initializing" if state == "pending" else "not-applicable"


def _reachability(status: str) -> str | None:
    """The reachability check's status for an instance status (none when checks do not apply)."""
    return {"ok": "passed", "initializing": "initializing"}.get(status)


def _describe_status(instance: Instance) -> Response:
    status = _status(instance)
    reachability = _reachability(status)
    details = [{"Name": "reachability", "Status": reachability}] if reachability else []
    return {
        "AvailabilityZone": instance.subnet.zone.name,
        "InstanceId": instance.id,
        "InstanceState": {"Code": STATE_CODES[instance.state], "Name": instance.state},
        "InstanceStatus": {"Status": status, "Details": details},
        "SystemStatus": {"Status": status, "Details": details},
    }


def describe_instance_status(region: Region, params: wire.Params) -> Response:
    """Running instances (``IncludeAllInstances``: every instance not yet gone), checked by id, filtered, paged."""
    ids = wire.strings(params, "InstanceId")
    if ids and wire.text(params, "MaxResults") is not None:
        raise Ec2Error(
            "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults"
        )
    wanted = {region.instance(i).id for i in ids}
    every = wire.boolean(params, "IncludeAllInstances")
    instances = [
        i
        for i in region.listed(region.instances)
        if (not wanted or i.id in wanted) and (i.state == "running" or (every and i.state != "terminated"))
    ]

    def reachability(i: Instance) -> List[str]:
        return [_reachability(_status(i)) or ""]

    getters: Dict[str, Getter[Instance]] = {
        "availability-zone": lambda i: [i.subnet.zone.name],
        "instance-state-name": lambda i: [i.state],
        "instance-state-code": lambda i: [str(STATE_CODES[i.state])],
        "instance-status.status": lambda i: [_status(i)],
        "system-status.status": lambda i: [_status(i)],
        "instance-status.reachability": reachability,
        "system-status.reachability": reachability,
    }
    chosen = select(instances, params, getters)
    wire.check_dry_run(params)
    items, token = page(chosen, params)
    out: Response = {"InstanceStatuses": [_describe_status(i) for i in items]}
    if token:
        out["NextToken"] = token
    return out


OPERATIONS = {
    "TerminateInstances": terminate_instances,
    "StopInstances": stop_instances,
    "StartInstances": start_instances,
    "DescribeInstanceStatus": describe_instance_status,
}
