"""Security groups and their rules; plain Python, no botocore.

Invariants: a group's name is unique in its VPC; every VPC has exactly one group named ``default``; no two rules of
one group and direction have the same :attr:`Rule.key`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Tuple

from .base import Resource, Settings

if TYPE_CHECKING:
    from .network import Vpc

RuleKey = Tuple[str, int, int, str, str]  # protocol, from port, to port, peer kind, peer


class SecurityGroup(Resource):
    """A security group of one VPC: its inbound and outbound rules by rule id, in the order they were added."""

    __slots__ = ("description", "egress", "ingress", "name", "vpc")
    resource_type = "security-group"

    def __init__(self, settings: Settings, vpc: Vpc, name: str, description: str) -> None:
        super().__init__(settings.new_id("sg"))
        self.vpc, self.name, self.description = vpc, name, description
        self.ingress: Dict[str, Rule] = {}
        self.egress: Dict[str, Rule] = {}

    def rules(self, egress: bool) -> Dict[str, Rule]:
        return self.egress if egress else self.ingress


class Rule(Resource):
    """One rule: a protocol and port range (-1 for all) and one peer, ``kind`` being ``cidr``, ``cidr6``,
    ``prefix-list`` or ``group``."""

    __slots__ = ("description", "egress", "from_port", "group", "kind", "peer", "protocol", "to_port")
    resource_type = "security-group-rule"

    def __init__(
        self,
        settings: Settings,
        group: SecurityGroup,
        egress: bool,
        key: RuleKey,
        description: str,
    ) -> None:
        super().__init__(settings.new_id("sgr"))
        self.group, self.egress, self.description = group, egress, description
        self.protocol, self.from_port, self.to_port, self.kind, self.peer = key

    @property
    def key(self) -> RuleKey:
        """What makes a rule a duplicate of another: everything but the description."""
        return self.protocol, self.from_port, self.to_port, self.kind, self.peer
