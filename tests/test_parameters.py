"""No parameter is silently ignored: every input member of every simulated EC2 operation, walked from botocore's
own model, is simulated, accepted (README), or refused with UnsimulatedOperationError naming it; and every name the
tables list exists in the model (a typo there would refuse a parameter botohook means to honour)."""

from __future__ import annotations

import datetime
import re
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.serialize import EC2Serializer

import botohook
from botohook.ec2 import parameters

from .conftest import REGION

MODEL = botocore.session.get_session().get_service_model("ec2")
OPERATIONS = sorted(name.split(".", 1)[1] for name in botohook.SIMULATED_OPERATIONS if name.startswith("ec2."))
_SERIALIZER = EC2Serializer()
_SAMPLES: Dict[str, Any] = {
    "string": "x",
    "integer": 1,
    "long": 1,
    "boolean": True,
    "timestamp": datetime.datetime(2026, 1, 1),
    "double": 1.0,
    "float": 1.0,
    "blob": b"x",
}


def leaves(shape: Any, prefix: str = "") -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Every leaf member: its wire path without list indexes, and the keyword arguments that set it alone."""
    for name, member in shape.members.items():
        wire_name = prefix + _SERIALIZER._get_serialized_name(member, name)
        inner = member.member if member.type_name == "list" else member
        if inner.type_name == "structure":
            for path, value in leaves(inner, wire_name + "."):
                yield path, {name: [value] if member.type_name == "list" else value}
        else:
            sample = _SAMPLES[inner.type_name]
            yield wire_name, {name: [sample] if member.type_name == "list" else sample}


def all_paths(operation: str) -> List[str]:
    return [path for path, _ in leaves(MODEL.operation_model(operation).input_shape)]


@pytest.fixture
def raw(sim: botohook.Simulator) -> Any:
    return boto3.client("ec2", region_name=REGION, config=Config(parameter_validation=False))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_member_is_honoured_or_refused_by_name(operation: str, raw: Any) -> None:
    refused = 0
    for path, kwargs in leaves(MODEL.operation_model(operation).input_shape):
        if parameters.honoured(operation, path):
            continue
        with pytest.raises(botohook.UnsimulatedOperationError, match=re.escape(f"parameter {path} of ec2.{operation}")):
            getattr(raw, botocore.xform_name(operation))(**kwargs)
        refused += 1
    assert refused or all(parameters.honoured(operation, p) for p in all_paths(operation))


@pytest.mark.parametrize("table", ["SIMULATED", "ACCEPTED"])
def test_every_listed_name_exists_in_the_model(table: str) -> None:
    common = {"Action", "Version"}
    for operation, names in getattr(parameters, table).items():
        paths = all_paths(operation)
        for name in names.split():
            if name in common:
                continue
            assert any(p == name or p.startswith(name + ".") for p in paths), f"{operation}: no member {name}"


def test_refused_parameters_change_nothing_and_are_not_recorded(sim: botohook.Simulator, raw: Any) -> None:
    with pytest.raises(botohook.UnsimulatedOperationError, match="Ipv6Pool"):
        raw.create_vpc(CidrBlock="10.0.0.0/16", Ipv6Pool="ipv6pool-ec2-0123456789abcdef0")
    assert len(raw.describe_vpcs()["Vpcs"]) == 1  # the default VPC only
    with pytest.raises(botohook.UnsimulatedOperationError, match=r"NetworkInterface\.PrimaryIpv6"):
        raw.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "PrimaryIpv6": True}],
        )
    assert [c.operation for c in sim.calls] == ["DescribeVpcs"]
