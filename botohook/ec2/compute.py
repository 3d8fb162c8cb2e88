"""Instances and their attachments, with the states they pass through under eventual consistency."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Dict, List

from .base import Resource, Settings
from .catalog import InstanceType

if TYPE_CHECKING:
    from .model import NetworkInterface, Subnet

_SETTLED = {"pending": "running", "shutting-down": "terminated"}


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
    """An instance: its type's limits and its interfaces by device index."""

    __slots__ = (
        "_state",
        "client_token",
        "groups",
        "image_id",
        "interfaces",
        "kind",
        "launch_index",
        "launch_time",
        "reservation_id",
        "settings",
        "settles_at",
        "subnet",
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
        self.groups: List[str] = []
        self.client_token = ""

    @property
    def primary_interface(self) -> NetworkInterface | None:
        return self.interfaces.get(0)

    @property
    def state(self) -> str:
        """``running`` or ``terminated``; under eventual consistency ``pending`` and ``shutting-down`` first."""
        if self.settles_at is not None and self.settings.now() >= self.settles_at:
            self._state = _SETTLED[self._state]
            self.settles_at = None
        return self._state

    def terminate(self) -> None:
        """``terminated``, through ``shutting-down`` under eventual consistency."""
        lags = self.settings.lags
        if lags is None:
            self._state, self.settles_at = "terminated", None
        else:
            self._state, self.settles_at = "shutting-down", self.settings.now() + lags["terminate"]
