"""Route tables (Create/Describe/DeleteRouteTable, Associate/DisassociateRouteTable, ReplaceRouteTableAssociation),
routes (CreateRoute, ReplaceRoute, DeleteRoute) and internet gateways (Create/Describe/Delete/Attach/Detach)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from . import wire
from .describe import Getter, Narrower, by_ids, choose, flag, named, of_vpc, paged, select, tag_list, tag_specifications
from .errors import Ec2Error, dependencies, incorrect_state, invalid_value, missing, several_interfaces
from .model import Region
from .routing import InternetGateway, Route, RouteTable
from .vpcs import canonical_block

Response = Dict[str, Any]
_TARGETS = ("GatewayId", "InstanceId", "NetworkInterfaceId")


def _state(region: Region, table: RouteTable, route: Route) -> str:
    """``blackhole`` when the route's target cannot take traffic: an interface deleted, attached to no instance
    (termination detaches) or attached to a stopped one (a route by ``InstanceId`` too: its interface is the
    target); a gateway no longer attached to the table's VPC. A stopping instance's routes stay ``active`` until it
    has stopped (bobtfish/AWSnycast#21)."""
    if route.kind in ("network-interface", "instance"):
        eni = region.interfaces.get(route.target)
        attachment = eni.attachment if eni is not None else None
        return "blackhole" if attachment is None or attachment.instance.state == "stopped" else "active"
    if route.kind == "gateway":
        gateway = region.internet_gateways.get(route.target)
        return "active" if gateway is not None and gateway.vpc is table.vpc else "blackhole"
    return "active"


def describe_route(region: Region, table: RouteTable, route: Route) -> Response:
    out: Response = {"DestinationCidrBlock": route.destination, "Origin": route.origin}
    if route.kind in ("local", "gateway"):
        out["GatewayId"] = route.target
    else:
        out["NetworkInterfaceId"] = route.target
        eni = region.interfaces.get(route.target)
        instance_id = route.instance_id or (eni.attachment.instance.id if eni and eni.attachment else None)
        if instance_id is not None:
            out["InstanceId"] = instance_id
            out["InstanceOwnerId"] = region.settings.account_id
    out["State"] = _state(region, table, route)
    return out


def describe_table(region: Region, table: RouteTable) -> Response:
    associations = []
    for association in table.associations.values():
        entry: Response = {
            "Main": association.subnet is None,
            "RouteTableAssociationId": association.id,
            "RouteTableId": table.id,
            "AssociationState": {"State": "associated"},
        }
        if association.subnet is not None:
            entry["SubnetId"] = association.subnet.id
        associations.append(entry)
    return {
        "Associations": associations,
        "PropagatingVgws": [],
        "RouteTableId": table.id,
        "Routes": [describe_route(region, table, r) for r in table.routes.values()],
        "Tags": tag_list(table.tags),
        "VpcId": table.vpc.id,
        "OwnerId": region.settings.account_id,
    }


def create_route_table(region: Region, params: wire.Params) -> Response:
    vpc = region.vpc(wire.required(params, "VpcId"))
    tags = tag_specifications(params, "route-table")
    wire.check_dry_run(params)
    table = RouteTable(region.settings, vpc)
    table.tags.update(tags)
    region.add(table)
    out: Response = {"RouteTable": describe_table(region, table)}
    token = wire.text(params, "ClientToken")
    if token is not None:
        out["ClientToken"] = token
    return out


def _table_filters(region: Region) -> Dict[str, Getter[RouteTable]]:
    def routes(attribute: str) -> Getter[RouteTable]:
        return lambda t: [str(describe_route(region, t, r).get(attribute, "")) for r in t.routes.values()]

    return {
        "route-table-id": lambda t: [t.id],
        "vpc-id": lambda t: [t.vpc.id],
        "owner-id": lambda t: [region.settings.account_id],
        "association.main": lambda t: [flag(t.main)],
        "association.subnet-id": lambda t: [a.subnet.id for a in t.associations.values() if a.subnet is not None],
        "association.route-table-association-id": lambda t: list(t.associations),
        "association.route-table-id": lambda t: [t.id] if t.associations else [],
        "route.destination-cidr-block": routes("DestinationCidrBlock"),
        "route.gateway-id": routes("GatewayId"),
        "route.instance-id": routes("InstanceId"),
        "route.network-interface-id": routes("NetworkInterfaceId"),
        "route.origin": routes("Origin"),
        "route.state": routes("State"),
    }


def _of_subnet(region: Region, subnet_id: str) -> Iterable[RouteTable]:
    """The table explicitly associated with the subnet: the only one an association names it in."""
    subnet = region.subnets.get(subnet_id)
    association = None if subnet is None else subnet.association
    return () if association is None else (association.table,)


def _of_association(region: Region, association_id: str) -> Iterable[RouteTable]:
    association = region.route_associations.get(association_id)
    return () if association is None else (association.table,)


_NARROWERS: Dict[str, Narrower[RouteTable]] = {
    "route-table-id": named(lambda region: region.route_tables),
    "vpc-id": of_vpc(lambda vpc: vpc.tables),
    "association.subnet-id": _of_subnet,
    "association.route-table-association-id": _of_association,
}
"""Filters that find their candidates without a scan: each yields every table the filter may select."""


def describe_route_tables(region: Region, params: wire.Params) -> Response:
    wanted = wire.strings(params, "RouteTableId")
    for table_id in wanted:
        region.route_table(table_id)
    chosen = choose(region, region.route_tables, wanted, params, _table_filters(region), _NARROWERS)
    wire.check_dry_run(params)
    return paged("RouteTables", chosen, params, lambda t: describe_table(region, t), 5, 100)


def delete_route_table(region: Region, params: wire.Params) -> Response:
    table = region.route_table(wire.required(params, "RouteTableId"))
    if table.associations:
        raise dependencies("routeTable", table.id)
    wire.check_dry_run(params)
    region.remove(table)
    return {}


def associate_route_table(region: Region, params: wire.Params) -> Response:
    table = region.route_table(wire.required(params, "RouteTableId"))
    subnet = region.subnet(wire.required(params, "SubnetId"))
    if subnet.vpc is not table.vpc:
        raise invalid_value(f"Route table {table.id} and subnet {subnet.id} belong to different networks.")
    if subnet.association is not None:
        raise Ec2Error(
            "Resource.AlreadyAssociated",
            f"the specified association for route table {table.id} conflicts with an existing association",
        )
    wire.check_dry_run(params)
    association = region.associate_table(table, subnet)
    return {"AssociationId": association.id, "AssociationState": {"State": "associated"}}


def disassociate_route_table(region: Region, params: wire.Params) -> Response:
    association = region.table_association(wire.required(params, "AssociationId"))
    if association.subnet is None:
        raise invalid_value(f"cannot disassociate the main route table association {association.id}")
    wire.check_dry_run(params)
    region.disassociate_table(association)
    return {}


def replace_route_table_association(region: Region, params: wire.Params) -> Response:
    association = region.table_association(wire.required(params, "AssociationId"))
    table = region.route_table(wire.required(params, "RouteTableId"))
    if table.vpc is not association.table.vpc:
        raise invalid_value(f"Route table {table.id} and association {association.id} belong to different networks.")
    wire.check_dry_run(params)
    replaced = region.associate_table(table, association.subnet)
    return {"NewAssociationId": replaced.id, "AssociationState": {"State": "associated"}}


def _destination(params: wire.Params) -> str:
    text = wire.text(params, "DestinationCidrBlock")
    if text is None:
        raise missing("destinationCidrBlock")
    return canonical_block(text, "destinationCidrBlock")


def _new_route(region: Region, table: RouteTable, destination: str, params: wire.Params) -> Route:
    """The route the request asks for: exactly one target, which must be in (or attached to) the table's VPC."""
    given = [name for name in _TARGETS if wire.text(params, name)]
    if not given:
        raise Ec2Error(
            "InvalidParameterCombination",
            "No route target specified: give one of gatewayId, instanceId or networkInterfaceId.",
        )
    if len(given) > 1:
        raise Ec2Error("InvalidParameterCombination", f"More than one target specified: {', '.join(given)}.")
    name = given[0]
    value = wire.required(params, name)
    if name == "GatewayId":
        gateway: InternetGateway = region.internet_gateway(value)
        if gateway.vpc is not table.vpc:
            raise invalid_value(f"route table {table.id} and network gateway {gateway.id} belong to different networks")
        return Route(destination, "gateway", gateway.id)
    if name == "NetworkInterfaceId":
        eni = region.interface(value)
        if eni.subnet.vpc is not table.vpc:
            raise invalid_value(f"route table {table.id} and interface {eni.id} belong to different networks")
        return Route(destination, "network-interface", eni.id)
    instance = region.instance(value)
    if len(instance.interfaces) > 1:
        raise several_interfaces(instance.id)
    primary = instance.primary_interface
    if primary is None or instance.state in ("shutting-down", "terminated"):
        raise incorrect_state(instance.id)
    if primary.subnet.vpc is not table.vpc:
        raise invalid_value(f"route table {table.id} and instance {instance.id} belong to different networks")
    return Route(destination, "instance", primary.id, instance.id)


def _no_route(table: RouteTable, destination: str) -> Ec2Error:
    return Ec2Error(
        "InvalidRoute.NotFound", f"no route with destination-cidr-block {destination} in route table {table.id}"
    )


def create_route(region: Region, params: wire.Params) -> Response:
    table = region.route_table(wire.required(params, "RouteTableId"))
    destination = _destination(params)
    route = _new_route(region, table, destination, params)
    if destination in table.routes:
        raise Ec2Error("RouteAlreadyExists", f"The route identified by {destination} already exists.")
    wire.check_dry_run(params)
    table.routes[destination] = route
    return {"Return": True}


def replace_route(region: Region, params: wire.Params) -> Response:
    table = region.route_table(wire.required(params, "RouteTableId"))
    destination = _destination(params)
    old = table.routes.get(destination)
    if old is None:
        raise _no_route(table, destination)
    if old.kind == "local":
        raise invalid_value(f"cannot replace local route {destination} in route table {table.id}")
    route = _new_route(region, table, destination, params)
    wire.check_dry_run(params)
    table.routes[destination] = route
    return {}


def delete_route(region: Region, params: wire.Params) -> Response:
    table = region.route_table(wire.required(params, "RouteTableId"))
    destination = _destination(params)
    route = table.routes.get(destination)
    if route is None:
        raise _no_route(table, destination)
    if route.kind == "local":
        raise invalid_value(f"cannot remove local route {destination} in route table {table.id}")
    wire.check_dry_run(params)
    del table.routes[destination]
    return {}


# -- internet gateways ----------------------------------------------------------------------------------------------


def describe_gateway(region: Region, gateway: InternetGateway) -> Response:
    attachments: List[Response] = []
    if gateway.vpc is not None:
        attachments.append({"State": "available", "VpcId": gateway.vpc.id})
    return {
        "Attachments": attachments,
        "InternetGatewayId": gateway.id,
        "OwnerId": region.settings.account_id,
        "Tags": tag_list(gateway.tags),
    }


def create_internet_gateway(region: Region, params: wire.Params) -> Response:
    tags = tag_specifications(params, "internet-gateway")
    wire.check_dry_run(params)
    gateway = InternetGateway(region.settings)
    gateway.tags.update(tags)
    region.add(gateway)
    return {"InternetGateway": describe_gateway(region, gateway)}


def describe_internet_gateways(region: Region, params: wire.Params) -> Response:
    gateways = by_ids(
        region, region.internet_gateways, wire.strings(params, "InternetGatewayId"), region.internet_gateway
    )
    getters: Dict[str, Getter[InternetGateway]] = {
        "internet-gateway-id": lambda g: [g.id],
        "attachment.vpc-id": lambda g: [g.vpc.id] if g.vpc is not None else [],
        "attachment.state": lambda g: ["available"] if g.vpc is not None else [],
        "owner-id": lambda g: [region.settings.account_id],
    }
    chosen = select(gateways, params, getters)
    wire.check_dry_run(params)
    return paged("InternetGateways", chosen, params, lambda g: describe_gateway(region, g))


def delete_internet_gateway(region: Region, params: wire.Params) -> Response:
    gateway = region.internet_gateway(wire.required(params, "InternetGatewayId"))
    if gateway.vpc is not None:
        raise dependencies("internetGateway", gateway.id)
    wire.check_dry_run(params)
    region.remove(gateway)
    return {}


def attach_internet_gateway(region: Region, params: wire.Params) -> Response:
    gateway = region.internet_gateway(wire.required(params, "InternetGatewayId"))
    vpc = region.vpc(wire.required(params, "VpcId"))
    if gateway.vpc is not None:
        raise Ec2Error(
            "Resource.AlreadyAssociated", f"resource {gateway.id} is already attached to network {gateway.vpc.id}"
        )
    if vpc.gateway is not None:
        raise Ec2Error("InvalidParameterValue", f"Network {vpc.id} already has an internet gateway attached")
    wire.check_dry_run(params)
    gateway.vpc, vpc.gateway = vpc, gateway
    return {}


def detach_internet_gateway(region: Region, params: wire.Params) -> Response:
    gateway = region.internet_gateway(wire.required(params, "InternetGatewayId"))
    vpc = region.vpc(wire.required(params, "VpcId"))
    if gateway.vpc is not vpc:
        raise Ec2Error("Gateway.NotAttached", f"resource {gateway.id} is not attached to network {vpc.id}")
    wire.check_dry_run(params)
    gateway.vpc = vpc.gateway = None
    return {}


OPERATIONS = {
    "CreateRouteTable": create_route_table,
    "DescribeRouteTables": describe_route_tables,
    "DeleteRouteTable": delete_route_table,
    "AssociateRouteTable": associate_route_table,
    "DisassociateRouteTable": disassociate_route_table,
    "ReplaceRouteTableAssociation": replace_route_table_association,
    "CreateRoute": create_route,
    "ReplaceRoute": replace_route,
    "DeleteRoute": delete_route,
    "CreateInternetGateway": create_internet_gateway,
    "DescribeInternetGateways": describe_internet_gateways,
    "DeleteInternetGateway": delete_internet_gateway,
    "AttachInternetGateway": attach_internet_gateway,
    "DetachInternetGateway": detach_internet_gateway,
}
