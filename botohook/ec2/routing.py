"""Route tables, their routes and associations, and internet gateways; plain Python, no botocore.

Invariants: every VPC has exactly one main route table, and every route table holds its VPC's ``local`` route; a
subnet has at most one explicit association; a VPC has at most one internet gateway attached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict

from .base import Resource, Settings

if TYPE_CHECKING:
    from .network import Subnet, Vpc


class Route:
    """A route: a destination CIDR and a target, ``kind`` being ``local``, ``gateway``, ``network-interface`` or
    ``instance`` (an instance's primary interface at the time, as EC2 records it)."""

    __slots__ = ("destination", "instance_id", "kind", "target")

    def __init__(self, destination: str, kind: str, target: str, instance_id: str | None = None) -> None:
        self.destination, self.kind, self.target = destination, kind, target
        self.instance_id = instance_id

    @property
    def origin(self) -> str:
        """What made it: the table's creation (the ``local`` route) or CreateRoute (every other)."""
        return "CreateRouteTable" if self.kind == "local" else "CreateRoute"


class Association:
    """A route table's association with a subnet, or (``subnet`` None) its standing as its VPC's main table."""

    __slots__ = ("id", "subnet", "table")

    def __init__(self, settings: Settings, table: RouteTable, subnet: Subnet | None) -> None:
        self.id = settings.new_id("rtbassoc")
        self.table, self.subnet = table, subnet


class RouteTable(Resource):
    """A route table of one VPC: routes by destination, in the order they were made; associations by id."""

    __slots__ = ("associations", "routes", "vpc")
    resource_type = "route-table"

    def __init__(self, settings: Settings, vpc: Vpc) -> None:
        super().__init__(settings.new_id("rtb"))
        self.vpc = vpc
        self.routes: Dict[str, Route] = {vpc.cidr: Route(vpc.cidr, "local", "local")}
        self.associations: Dict[str, Association] = {}

    @property
    def main(self) -> bool:
        return any(a.subnet is None for a in self.associations.values())


class InternetGateway(Resource):
    """An internet gateway, attached to at most one VPC."""

    __slots__ = ("vpc",)
    resource_type = "internet-gateway"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.new_id("igw"))
        self.vpc: Vpc | None = None
