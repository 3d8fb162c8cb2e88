"""Interruptions on the virtual clock (``sim.interrupt``): the notices instance metadata shows before EC2 stops or
terminates an instance by itself — a Spot interruption, a rebalance recommendation, a scheduled maintenance event —
and the stop or termination that follows, done as StopInstances and TerminateInstances do it.

Transport-agnostic: the simulator keeps the interruptions and carries out those due (under its lock) before each
call it answers and each metadata read; ``metadata`` reads :func:`notices`.
"""

from __future__ import annotations

import difflib
import json
from datetime import datetime, timedelta, timezone
from typing import Dict, List

from .ec2.errors import Ec2Error
from .ec2.instance_states import stop_instances, terminate_instances
from .ec2.model import Region

NOTICES = {"spot": 120.0, "maintenance": 14 * 86400.0, "rebalance": 0.0}
"""Each kind of notice, with the virtual seconds between it and the action by default (Spot: EC2's two minutes;
maintenance: [decided] two weeks)."""
_ACTIONS = {"spot": ("terminate", "stop"), "maintenance": ("stop", "terminate"), "rebalance": (None,)}
_CODES = {"stop": "instance-stop", "terminate": "instance-retirement"}  # a maintenance event's code, by action


class Interruption:
    """One notice to ``instance_id``: shown from ``notice_at`` (virtual seconds); its ``action`` (``stop``,
    ``terminate``, or None for a rebalance recommendation) is carried out at ``action_at``, once (``done``)."""

    __slots__ = ("action", "action_at", "done", "event_id", "instance_id", "kind", "notice_at", "wall")

    def __init__(
        self, instance_id: str, kind: str, action: str | None, notice_at: float, warning: float, now: float, event: str
    ) -> None:
        self.instance_id = instance_id
        self.kind = kind
        self.action = action
        self.notice_at = notice_at
        self.action_at = notice_at + warning
        self.done = False
        self.event_id = event
        self.wall = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=now)  # virtual time 0

    def at(self, virtual: float) -> datetime:
        return self.wall + timedelta(seconds=round(virtual))


def interruption(
    instance_id: str, notice: str, action: str | None, at: float, warning: float | None, now: float, event: str
) -> Interruption:
    """A checked :class:`Interruption`; ValueError naming the valid choices (and the nearest) otherwise."""
    if notice not in NOTICES:
        nearest = difflib.get_close_matches(notice, NOTICES, 1)
        hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
        raise ValueError(f"notice must be one of {', '.join(NOTICES)}, not {notice!r}{hint}")
    actions = _ACTIONS[notice]
    action = actions[0] if action is None else action
    if action not in actions:
        allowed = ", ".join(repr(a) for a in actions)
        raise ValueError(f"a {notice} notice's action is one of {allowed}, not {action!r}")
    warning = NOTICES[notice] if warning is None else warning
    if warning < 0 or at < 0:
        raise ValueError(f"at and warning are virtual seconds, 0 or more; not at={at}, warning={warning}")
    return Interruption(instance_id, notice, action, at, warning, now, event)


def carry_out(region: Region, interruption: Interruption) -> None:
    """Stop or terminate the instance as StopInstances/TerminateInstances would (addresses released, interfaces
    deleted on termination, routes through them blackholed); API protections do not apply, as on EC2. An instance
    already stopped or gone stays as it is."""
    interruption.done = True
    instance = region.instances.get(interruption.instance_id)
    if instance is None or interruption.action is None:
        return
    protections = instance.disable_api_stop, instance.disable_api_termination
    instance.disable_api_stop = instance.disable_api_termination = False
    try:
        act = terminate_instances if interruption.action == "terminate" else stop_instances
        act(region, {"InstanceId.1": instance.id})
    except Ec2Error:
        pass  # not running any more (stopped, stopping, shutting down): nothing left to interrupt
    finally:
        instance.disable_api_stop, instance.disable_api_termination = protections


def notices(interruptions: List[Interruption], now: float) -> Dict[str, str]:
    """What the instance's metadata shows at virtual time ``now``, by path under ``meta-data/``."""
    shown: Dict[str, str] = {}
    scheduled: List[Dict[str, str]] = []
    history: List[Dict[str, str]] = []
    for notice in interruptions:
        if notice.kind == "spot":
            shown["instance-life-cycle"] = "spot"  # [decided] an instance given a Spot notice is a Spot instance
        if now < notice.notice_at:
            continue
        if notice.kind == "spot":
            when = notice.at(notice.action_at).strftime("%Y-%m-%dT%H:%M:%SZ")
            shown["spot/instance-action"] = json.dumps({"action": notice.action, "time": when})
            if notice.action == "terminate":
                shown["spot/termination-time"] = when
        elif notice.kind == "rebalance":
            noticed = notice.at(notice.notice_at).strftime("%Y-%m-%dT%H:%M:%SZ")
            shown["events/recommendations/rebalance"] = json.dumps({"noticeTime": noticed})
        else:
            code = _CODES[notice.action or "stop"]
            event = {
                "NotBefore": notice.at(notice.action_at).strftime("%d %b %Y %H:%M:%S GMT"),
                "Code": code,
                "Description": f"The instance is scheduled for {'retirement' if code.endswith('ment') else 'stop'}",
                "EventId": notice.event_id,
                "State": "completed" if notice.done else "active",
            }
            (history if notice.done else scheduled).append(event)
    shown["events/maintenance/scheduled"] = json.dumps(scheduled)
    shown["events/maintenance/history"] = json.dumps(history)
    return shown
