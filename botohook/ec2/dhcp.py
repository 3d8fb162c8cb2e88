"""DHCP option sets; plain Python, no botocore."""

from __future__ import annotations

from typing import Dict, List

from .base import Resource, Settings


class DhcpOptions(Resource):
    """A DHCP option set: values by key, in the order given."""

    __slots__ = ("configurations",)
    resource_type = "dhcp-options"

    def __init__(self, settings: Settings, configurations: Dict[str, List[str]]) -> None:
        super().__init__(settings.new_id("dopt"))
        self.configurations = configurations
