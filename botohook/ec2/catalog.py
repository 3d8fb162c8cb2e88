"""The network limits of EC2 instance types: the table shipped with botohook, or the user's own."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import IO, Dict, NamedTuple

from .errors import invalid_value

TABLE = "instance-network-limits.csv"


class InstanceType(NamedTuple):
    """The network limits of one instance type."""

    name: str
    hypervisor: str  # "nitro", "xen", or "" for bare metal
    bare_metal: bool
    max_network_interfaces: int
    ipv4_addresses_per_interface: int  # the primary address included
    ipv6_addresses_per_interface: int
    ipv6_supported: bool
    max_network_cards: int

    @property
    def nitro(self) -> bool:
        """Whether the type runs on Nitro (bare metal does)."""
        return self.hypervisor == "nitro" or self.bare_metal


Catalog = Dict[str, InstanceType]


def check_prefix_support(kind: InstanceType | None) -> None:
    """Prefix delegation works on Nitro instances only (and on interfaces attached to none)."""
    if kind is not None and not kind.nitro:
        raise invalid_value(f"Prefix delegation is not supported for instance type '{kind.name}'.")


def read_catalog(handle: IO[str]) -> Catalog:
    """Instance types from a CSV with the columns of the shipped table."""
    catalog: Catalog = {}
    for row in csv.DictReader(handle):
        catalog[row["instance_type"]] = InstanceType(
            row["instance_type"],
            row["hypervisor"],
            row["bare_metal"] == "true",
            int(row["max_network_interfaces"]),
            int(row["ipv4_addresses_per_interface"]),
            int(row["ipv6_addresses_per_interface"]),
            row["ipv6_supported"] == "true",
            int(row["max_network_cards"]),
        )
    return catalog


@cache
def load_catalog(path: str | None = None) -> Catalog:
    """The shipped table (``path=None``) or the user's, read once per process."""
    if path is None:
        with resources.files("botohook").joinpath("data").joinpath(TABLE).open(encoding="utf-8") as handle:
            return read_catalog(handle)
    with open(path, encoding="utf-8", newline="") as handle:
        return read_catalog(handle)
