"""Worlds: a simulated network described as plain data, with the ids and addresses it names, to build
(:meth:`Simulator.load`) or to take from a simulation (:meth:`Simulator.dump`), so a world can be saved and replayed.

A world is a mapping ``{"regions": {name: region}}``; a region holds lists, each entry a mapping (ids, tags and
everything but ``cidr``/``subnet``/``type`` optional)::

    vpcs:         {id, cidr, tags, default}            default: the region's default VPC, renamed to ``id``
    subnets:      {id, vpc, cidr, zone, tags, default}  default: the default VPC's subnet of ``zone``, renamed
    interfaces:   {id, subnet, primary, secondaries, prefixes, description, mac, tags}
    instances:    {id, type, image, interfaces: [{interface, device_index, delete_on_termination}], tags}
    elastic_ips:  {id, public_ip, interface, private_ip, tags}

Everything is built through the simulator's own operations, so every rule EC2 applies holds (addresses inside
their subnet and not reserved, limits of the instance type, ...); then the given ids replace the generated ones.
A world that breaks a rule, names a malformed id or one already used (in any region), holds a key no entry takes
(the nearest is named) or a value of the wrong type, raises ``ValueError`` naming the entry, and the simulation is
left as it was.
"""

from __future__ import annotations

import copy
import json
import re
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Tuple

from botocore.exceptions import ParamValidationError
from botocore.serialize import create_serializer

from ._shapes import service_model
from .ec2 import OPERATIONS
from .ec2.addresses import format_ipv4
from .ec2.base import Resource, is_resource_id
from .ec2.enis import NetworkInterface
from .ec2.errors import Ec2Error
from .ec2.model import Region
from .ec2.network import Subnet, Vpc

if TYPE_CHECKING:
    from .simulator import Simulator

World = Mapping[str, Any]
_KINDS = ("vpcs", "subnets", "interfaces", "instances", "elastic_ips")
_TEXT, _FLAG, _LIST, _TAGS = (str,), (bool,), (list, tuple), (Mapping,)
# The keys an entry of each kind may hold, and the types of their values (JSON's and TOML's)
_KEYS: Dict[str, Dict[str, Tuple[type, ...]]] = {
    "vpcs": {"id": _TEXT, "cidr": _TEXT, "tags": _TAGS, "default": _FLAG},
    "subnets": {"id": _TEXT, "vpc": _TEXT, "cidr": _TEXT, "zone": _TEXT, "tags": _TAGS, "default": _FLAG},
    "interfaces": {
        "id": _TEXT,
        "subnet": _TEXT,
        "primary": _TEXT,
        "secondaries": _LIST,
        "prefixes": _LIST,
        "description": _TEXT,
        "mac": _TEXT,
        "tags": _TAGS,
    },
    "instances": {"id": _TEXT, "type": _TEXT, "image": _TEXT, "interfaces": _LIST, "tags": _TAGS},
    "elastic_ips": {"id": _TEXT, "public_ip": _TEXT, "interface": _TEXT, "private_ip": _TEXT, "tags": _TAGS},
    "instances.interfaces": {"interface": _TEXT, "device_index": (int,), "delete_on_termination": _FLAG},
}
_TYPE_NAMES = {_TEXT: "a string", _FLAG: "true or false", _LIST: "a list", _TAGS: "a mapping", (int,): "an integer"}
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
_PREFIXES = {"vpcs": "vpc", "subnets": "subnet", "interfaces": "eni", "instances": "i", "elastic_ips": "eipalloc"}


def read(path: str | Path) -> Dict[str, Any]:
    """A world from a JSON file, or TOML (``.toml``, Python 3.11 and later)."""
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".toml"):
        import tomllib  # type: ignore[import-not-found,unused-ignore]

        return dict(tomllib.loads(text))
    return dict(json.loads(text))


def load(simulator: Simulator, world: World) -> None:
    """Build ``world`` into ``simulator``: all of it, or nothing and ``ValueError``."""
    regions = world.get("regions") if isinstance(world, Mapping) else None
    if not isinstance(regions, Mapping):
        raise ValueError('a world is a mapping {"regions": {"<region name>": {...}}}')
    _check_keys("the world", world, ("regions",))
    with simulator.paused():
        trial_settings, trial_regions = copy.deepcopy((simulator._settings, simulator._regions))
        lags, trial_settings.lags = trial_settings.lags, None  # a world is in place at once, whatever the consistency
        for name, description in regions.items():
            region = trial_regions.get(name)
            if region is None:
                simulator.check_region(name)
                region = trial_regions[name] = Region(name, trial_settings)
            _Builder(region, name, trial_regions).build(description)
        trial_settings.lags = lags
        simulator._settings, simulator._regions = trial_settings, trial_regions


class _Builder:
    def __init__(self, region: Region, name: str, regions: Mapping[str, Region]) -> None:
        self.region = region
        self.name = name
        self.regions = regions  # every region of the simulation being built: an id names one resource in all
        self.given: Dict[str, Resource] = {}  # id named by the world -> the resource built for it
        self.serializer = create_serializer("ec2")

    def build(self, description: Any) -> None:
        if not isinstance(description, Mapping):
            raise ValueError(f"region {self.name}: a region is a mapping of {', '.join(_KINDS)}, not {description!r}")
        _check_keys(f"region {self.name}", description, _KINDS)
        for kind in _KINDS:
            entries = description.get(kind, [])
            if not isinstance(entries, _LIST):
                raise ValueError(f"region {self.name}, {kind}: a list of entries, not {entries!r}")
            for index, entry in enumerate(entries):
                where = f"region {self.name}, {kind}[{index}]"
                if not isinstance(entry, Mapping):
                    raise ValueError(f"{where}: an entry is a mapping, not {entry!r}")
                try:
                    _check_entry(kind, entry)
                    getattr(self, "_" + kind)(entry)
                except Ec2Error as error:
                    raise ValueError(f"{where} {_label(entry)}: {error.code}: {error.message}") from None
                except KeyError as error:
                    raise ValueError(f"{where} {_label(entry)}: missing {error}") from None
                except (TypeError, ValueError, ParamValidationError) as error:
                    raise ValueError(f"{where} {_label(entry)}: {error}") from None

    def _call(self, operation: str, **params: Any) -> Dict[str, Any]:
        """Run ``operation`` on the region with API-style parameters, serialized as botocore sends them."""
        model = service_model().operation_model(operation)
        body = self.serializer.serialize_to_request(params, model)["body"]
        return OPERATIONS[operation](self.region, body)

    def _name(self, kind: str, entry: Mapping[str, Any], resource: Resource) -> None:
        """Give ``resource`` the id the world names for it, if any, and tag it."""
        given = entry.get("id")
        if given is not None:
            if not isinstance(given, str) or not is_resource_id(given, _PREFIXES[kind]):
                raise ValueError(f"malformed id {given!r} (expecting {_PREFIXES[kind]}- and 8 or 17 hex digits)")
            if given in self.region.resources and self.region.resources[given] is not resource:
                raise ValueError(f"duplicate id {given}")
            elsewhere = next(
                (n for n, r in self.regions.items() if r is not self.region and given in r.resources), None
            )
            if elsewhere is not None:
                raise ValueError(f"duplicate id {given}: region {elsewhere} holds it (an id names one resource)")
            self.region.remove(resource)
            resource.id = given
            self.region.add(resource)
        tags = entry.get("tags", {})
        if tags:  # as the API checks them
            self._call("CreateTags", Resources=[resource.id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        self.given[resource.id] = resource

    def _ref(self, resource_id: str, kind: type) -> Any:
        found = self.region.resources.get(resource_id)
        if not isinstance(found, kind):
            raise ValueError(f"no {kind.__name__} {resource_id!r} in this world")
        return found

    def _vpcs(self, entry: Mapping[str, Any]) -> None:
        if entry.get("default"):  # made as AWS makes it where the simulator has none (default_vpc=False)
            vpc = self.region.default_vpc() or self.region.create_default_vpc()
        else:
            made = self._call("CreateVpc", CidrBlock=entry["cidr"])
            vpc = self.region.vpc(made["Vpc"]["VpcId"])
        self._name("vpcs", entry, vpc)

    def _subnets(self, entry: Mapping[str, Any]) -> None:
        if entry.get("default"):
            subnet = next(
                (s for s in self.region.subnets.values() if s.default_for_az and s.zone.name == entry["zone"]), None
            )
            if subnet is None:
                raise ValueError(f"no default subnet in zone {entry['zone']!r}")
        else:
            vpc: Vpc = self._ref(entry["vpc"], Vpc)
            zone = {"AvailabilityZone": entry["zone"]} if "zone" in entry else {}
            made = self._call("CreateSubnet", VpcId=vpc.id, CidrBlock=entry["cidr"], **zone)
            subnet = self.region.subnet(made["Subnet"]["SubnetId"])
        self._name("subnets", entry, subnet)

    def _interfaces(self, entry: Mapping[str, Any]) -> None:
        subnet: Subnet = self._ref(entry["subnet"], Subnet)
        params: Dict[str, Any] = {"SubnetId": subnet.id, "Description": entry.get("description", "")}
        addresses = [{"PrivateIpAddress": entry["primary"], "Primary": True}] if "primary" in entry else []
        addresses += [{"PrivateIpAddress": a, "Primary": False} for a in entry.get("secondaries", [])]
        if addresses:
            params["PrivateIpAddresses"] = addresses
        made = self._call("CreateNetworkInterface", **params)
        interface = self.region.interface(made["NetworkInterface"]["NetworkInterfaceId"])
        if entry.get("prefixes"):  # EC2 takes prefixes and secondary addresses in separate calls
            self._call(
                "AssignPrivateIpAddresses", NetworkInterfaceId=interface.id, Ipv4Prefixes=list(entry["prefixes"])
            )
        if "mac" in entry:
            if not _MAC.fullmatch(entry["mac"]):
                raise ValueError(f"mac {entry['mac']!r} is not a MAC address as EC2 writes them (0e:12:34:56:78:9a)")
            interface.mac = entry["mac"]
        self._name("interfaces", entry, interface)

    def _instances(self, entry: Mapping[str, Any]) -> None:
        slots = sorted(entry.get("interfaces", []), key=lambda slot: int(slot.get("device_index", 0)))
        if not slots or int(slots[0].get("device_index", 0)) != 0:
            raise ValueError("an instance needs an interface at device_index 0")
        first = slots[0]
        made = self._call(
            "RunInstances",
            ImageId=entry.get("image", "ami-0123456789abcdef0"),
            InstanceType=entry["type"],
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[
                {
                    "DeviceIndex": 0,
                    "NetworkInterfaceId": self._ref(first["interface"], NetworkInterface).id,
                    "DeleteOnTermination": bool(first.get("delete_on_termination", False)),
                }
            ],
        )
        instance = self.region.instance(made["Instances"][0]["InstanceId"])
        for slot in slots[1:]:
            attached = self._call(
                "AttachNetworkInterface",
                NetworkInterfaceId=self._ref(slot["interface"], NetworkInterface).id,
                InstanceId=instance.id,
                DeviceIndex=int(slot["device_index"]),
            )
            if slot.get("delete_on_termination"):
                self.region.attached(attached["AttachmentId"]).attachment.delete_on_termination = True  # type: ignore[union-attr]
        self._name("instances", entry, instance)

    def _elastic_ips(self, entry: Mapping[str, Any]) -> None:
        wanted = {"Address": entry["public_ip"]} if "public_ip" in entry else {}  # refused as AllocateAddress refuses
        made = self._call("AllocateAddress", Domain="vpc", **wanted)
        eip = self.region.elastic_ip(made["AllocationId"])
        self._name("elastic_ips", entry, eip)
        if "interface" in entry:
            target = self._ref(entry["interface"], NetworkInterface)
            vpc = target.subnet.vpc
            if vpc.gateway is None:  # worlds hold no gateways, and EC2 associates Elastic IPs only behind one
                gateway = self._call("CreateInternetGateway")["InternetGateway"]["InternetGatewayId"]
                self._call("AttachInternetGateway", InternetGatewayId=gateway, VpcId=vpc.id)
            private = {"PrivateIpAddress": entry["private_ip"]} if "private_ip" in entry else {}
            self._call("AssociateAddress", AllocationId=eip.id, NetworkInterfaceId=target.id, **private)


def _check_keys(where: str, mapping: Mapping[str, Any], valid: Tuple[str, ...]) -> None:
    """Refuse a key ``where`` does not take, naming it and the nearest valid one."""
    for key in mapping:
        if key not in valid:
            nearest = get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
            raise ValueError(f"{where}: unknown key {key!r}{hint}; the keys are {', '.join(valid)}")


def _check_entry(kind: str, entry: Mapping[str, Any]) -> None:
    """An entry's keys and the types of their values, as :data:`_KEYS` has them (the API checks the values)."""
    keys = _KEYS[kind]
    _check_keys("entry", entry, tuple(keys))
    for key, value in entry.items():
        if not _is(value, keys[key]):
            raise ValueError(f"{key} must be {_TYPE_NAMES[keys[key]]}, not {value!r}")
        if keys[key] is _TAGS and not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError(f"tags map strings to strings, not {dict(value)!r}")
        if kind == "instances" and key == "interfaces":
            for slot in value:
                if not isinstance(slot, Mapping):
                    raise ValueError(f"interfaces holds mappings {{interface, device_index, ...}}, not {slot!r}")
                _check_entry("instances.interfaces", slot)
        elif keys[key] is _LIST and not all(isinstance(item, str) for item in value):
            raise ValueError(f"{key} is a list of strings, not {value!r}")


def _is(value: object, types: Tuple[type, ...]) -> bool:
    """Whether ``value`` is of one of ``types`` (a bool is no integer)."""
    return isinstance(value, types) and not (types == (int,) and isinstance(value, bool))


def _label(entry: Any) -> str:
    return repr(entry.get("id")) if isinstance(entry, Mapping) and entry.get("id") else "(no id)"


def dump(simulator: Simulator) -> Dict[str, Any]:
    """The world of ``simulator`` now: what :func:`load` builds again, ids and addresses included. Terminated
    instances are left out."""
    with simulator.paused():
        return {"regions": {name: _dump_region(region) for name, region in sorted(simulator._regions.items())}}


def _dump_region(region: Region) -> Dict[str, List[Dict[str, Any]]]:
    out: Dict[str, List[Dict[str, Any]]] = {kind: [] for kind in _KINDS}
    for vpc in region.vpcs.values():
        out["vpcs"].append(
            _tagged(vpc, {"id": vpc.id, "default": True} if vpc.is_default else {"id": vpc.id, "cidr": vpc.cidr})
        )
        for subnet in vpc.subnets.values():
            described: Dict[str, Any] = {"id": subnet.id, "zone": subnet.zone.name}
            if not subnet.default_for_az:
                described.update(vpc=vpc.id, cidr=subnet.cidr)
            else:
                described["default"] = True
            out["subnets"].append(_tagged(subnet, described))
    for interface in region.interfaces.values():
        entry: Dict[str, Any] = {
            "id": interface.id,
            "subnet": interface.subnet.id,
            "primary": interface.primary_address,
            "mac": interface.mac,
        }
        if interface.secondaries:
            entry["secondaries"] = interface.secondary_addresses
        if interface.prefixes:
            entry["prefixes"] = interface.ipv4_prefixes
        if interface.description:
            entry["description"] = interface.description
        out["interfaces"].append(_tagged(interface, entry))
    for instance in region.instances.values():
        if instance.state == "terminated":
            continue
        slots = [
            {"interface": i.id, "device_index": index, "delete_on_termination": i.attachment.delete_on_termination}
            for index, i in sorted(instance.interfaces.items())
            if i.attachment is not None
        ]
        described = {"id": instance.id, "type": instance.kind.name, "image": instance.image_id, "interfaces": slots}
        out["instances"].append(_tagged(instance, described))
    for eip in region.elastic_ips.values():
        described = {"id": eip.id, "public_ip": eip.address}
        if eip.interface is not None and eip.private_address is not None:
            described.update(interface=eip.interface.id, private_ip=format_ipv4(eip.private_address))
        out["elastic_ips"].append(_tagged(eip, described))
    return {kind: entries for kind, entries in out.items() if entries}


def _tagged(resource: Resource, entry: Dict[str, Any]) -> Dict[str, Any]:
    if resource.tags:
        entry["tags"] = dict(resource.tags)
    return entry
