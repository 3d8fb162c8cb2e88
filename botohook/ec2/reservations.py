"""Subnet CIDR reservations: CreateSubnetCidrReservation, GetSubnetCidrReservations, DeleteSubnetCidrReservation."""

from __future__ import annotations

from typing import Any, Dict

from . import wire
from .addresses import EXPLICIT, PREFIX, cidrs_overlap, parse_block
from .describe import Getter, paged, select, tag_list, tag_specifications
from .errors import invalid_value
from .model import Region
from .network import CidrReservation

Response = Dict[str, Any]
KINDS = {"prefix": PREFIX, "explicit": EXPLICIT}


def describe_reservation(region: Region, reservation: CidrReservation) -> Response:
    out: Response = {
        "SubnetCidrReservationId": reservation.id,
        "SubnetId": reservation.subnet.id,
        "Cidr": reservation.cidr,
        "ReservationType": reservation.kind,
        "OwnerId": region.settings.account_id,
        "Tags": tag_list(reservation.tags),
    }
    if reservation.description:
        out["Description"] = reservation.description
    return out


def create_subnet_cidr_reservation(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    cidr = wire.required(params, "Cidr")
    kind = wire.required(params, "ReservationType")
    if kind not in KINDS:
        raise invalid_value(f"Value ({kind}) for parameter reservationType is invalid.")
    block = parse_block(cidr)
    if block is None:
        raise invalid_value(f"Value ({cidr}) for parameter cidr is invalid. This is not a valid CIDR block.")
    network, bits = block
    offset = subnet.offset(network)
    if offset is None or bits < subnet.bits:
        raise invalid_value(f"The CIDR {cidr} is not within the subnet CIDR {subnet.cidr}.")
    if kind == "prefix" and bits > 28:
        raise invalid_value(f"A prefix reservation must hold at least one /28: {cidr} is too small.")
    for other in subnet.reservations.values():
        if cidrs_overlap(network, bits, other.network, other.bits):
            raise invalid_value(f"Reservation CIDR {cidr} has overlap with existing reserved CIDR block")
    description = wire.text(params, "Description") or ""
    tags = tag_specifications(params, "subnet-cidr-reservation")
    wire.check_dry_run(params)
    reservation = CidrReservation(region.settings, subnet, network, bits, kind, description)
    reservation.tags.update(tags)
    region.add(reservation)
    subnet.pool.reserve(reservation.offsets.start, reservation.offsets.stop, KINDS[kind])
    return {"SubnetCidrReservation": describe_reservation(region, reservation)}


_FILTERS: Dict[str, Getter[CidrReservation]] = {
    "reservationType": lambda r: [r.kind],
    "subnet-id": lambda r: [r.subnet.id],
    "subnet-cidr-reservation-id": lambda r: [r.id],
}


def get_subnet_cidr_reservations(region: Region, params: wire.Params) -> Response:
    subnet = region.subnet(wire.required(params, "SubnetId"))
    chosen = select(list(subnet.reservations.values()), params, _FILTERS)
    wire.check_dry_run(params)
    out = paged("SubnetIpv4CidrReservations", chosen, params, lambda r: describe_reservation(region, r))
    out["SubnetIpv6CidrReservations"] = []
    return out


def delete_subnet_cidr_reservation(region: Region, params: wire.Params) -> Response:
    reservation_id = wire.required(params, "SubnetCidrReservationId")
    reservation = region.reservation(reservation_id)
    wire.check_dry_run(params)
    reservation.subnet.pool.unreserve(reservation.offsets.start, reservation.offsets.stop)
    region.remove(reservation)
    return {"DeletedSubnetCidrReservation": describe_reservation(region, reservation)}


OPERATIONS = {
    "CreateSubnetCidrReservation": create_subnet_cidr_reservation,
    "GetSubnetCidrReservations": get_subnet_cidr_reservations,
    "DeleteSubnetCidrReservation": delete_subnet_cidr_reservation,
}
