"""Instances and their attachments, with the states they pass through under eventual consistency."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Dict, List

from .base import Resource, Settings
from .catalog import InstanceType

if TYPE_CHECKING:
    from .enis import NetworkInterface
    from .network import Subnet

_SETTLED = {"pending": "running", "shutting-down": "terminated", "stopping": "stopped"}


class Attachment:
    """An interface's attachment to an instance."""

    __slots__ = ("attach_time", "attached_at", "delete_on_termination", "device_index", "id", "instance", "settings")

    def __init__(self, settings: Settings, instance: Instance, device_index: int, delete_on_termination: bool) -> None:
        self.id = settings.new_id("eni-attach")
        self.instance = instance
        self.device_index = device_index
        self.delete_on_termination = delete_on_termination
        self.attach_time = datetime.now(timezone.utc).replace(microsecond=0)
        self.settings = settings
        lags = settings.lags
        self.attached_at = None if lags is None else settings.now() + lags["attach"]  # virtual time

    @property
    def status(self) -> str:
        """``attaching`` for a while under eventual consistency, then ``attached``."""
        return "attached" if self.attached_at is None or self.settings.now() >= self.attached_at else "attaching"


class Instance(Resource):
    """An instance: its type's limits, its interfaces by device index, its state and the attributes it was launched
    with (reflected, with no effect on the network, except the protections against stop and termination)."""

    __slots__ = (
        "_groups",
        "_state",
        "client_token",
        "disable_api_stop",
        "disable_api_termination",
        "ebs_optimized",
        "image_id",
        "interfaces",
        "key_name",
        "kind",
        "launch_index",
        "launch_time",
        "metadata_options",
        "monitoring",
        "reservation_id",
        "settings",
        "settles_at",
        "shutdown_behavior",
        "subnet",
        "transition_reason",
        "user_data",
    )
    resource_type = "instance"

    def __init__(
        self, settings: Settings, kind: InstanceType, image_id: str, subnet: Subnet, reservation_id: str, index: int
    ) -> None:
        super().__init__(settings.new_id("i"))
        self.kind = kind
        self.image_id = image_id
        self.subnet = subnet
        self.reservation_id = reservation_id
        self.launch_index = index
        self.launch_time = datetime.now(timezone.utc).replace(microsecond=0)
        self.settings = settings
        self._state = "running"
        self.settles_at: float | None = None  # virtual time pending/shutting-down settle (eventual consistency)
        if settings.lags is not None:
            self._state, self.settles_at = "pending", settings.now() + settings.lags["launch"]
        self.interfaces: Dict[int, NetworkInterface] = {}
        self._groups: List[str] = []
        self.client_token = ""
        self.disable_api_termination = self.disable_api_stop = self.ebs_optimized = False
        self.shutdown_behavior = "stop"
        self.user_data: str | None = None
        self.key_name: str | None = None
        self.monitoring = False
        self.metadata_options: Dict[str, str | int] = {}  # MetadataOptions as DescribeInstances shows them, but State
        self.transition_reason = ""

    @property
    def primary_interface(self) -> NetworkInterface | None:
        return self.interfaces.get(0)

    @property
    def groups(self) -> List[str]:
        """Its security groups: its primary interface's (however they were changed), or, once the instance has no
        interface (terminated), those it had (:meth:`keep_groups`)."""
        primary = self.interfaces.get(0)
        return primary.groups if primary is not None else self._groups

    def keep_groups(self) -> None:
        """Remember the primary interface's groups, for when it is gone: called before termination detaches it."""
        self._groups = self.groups

    @property
    def state(self) -> str:
        """``running``, ``stopped`` or ``terminated``; under eventual consistency ``pending``, ``stopping`` and
        ``shutting-down`` first."""
        if self.settles_at is not None and self.settings.now() >= self.settles_at:
            self._state = _SETTLED[self._state]
            self.settles_at = None
        return self._state

    def _change(self, settled: str, passing: str, lag: str) -> None:
        lags = self.settings.lags
        if lags is None:
            self._state, self.settles_at = settled, None
        else:
            self._state, self.settles_at = passing, self.settings.now() + lags[lag]

    def terminate(self) -> None:
        """``terminated``, through ``shutting-down`` under eventual consistency."""
        self._change("terminated", "shutting-down", "terminate")
        self._stamp()

    def stop(self) -> None:
        """``stopped``, through ``stopping`` under eventual consistency (for as long as a termination takes)."""
        self._change("stopped", "stopping", "terminate")
        self._stamp()

    def start(self) -> None:
        """``running``, through ``pending`` under eventual consistency (for as long as a launch takes)."""
        self._change("running", "pending", "launch")
        self.transition_reason = ""

    def _stamp(self) -> None:
        self.transition_reason = f"User initiated ({datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} GMT)"
