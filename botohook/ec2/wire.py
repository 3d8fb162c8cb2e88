"""Reading an EC2 query request as botocore serialized it.

The simulator answers the request that would go on the wire: a flat mapping of names such as
``PrivateIpAddress.1`` or ``Filter.2.Value.1`` to values. With ``parameter_validation=False`` the values
may be of any type; EC2 would receive their text, so every reader works on ``str(value)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Dict, List

from .errors import Ec2Error, bad_parameter, dry_run, missing

Params = Mapping[str, object]
_ABSENT = object()
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # EC2 integers are 32-bit


def _as_text(value: object) -> str:
    """What EC2 receives for a serialized value (botocore passes integers through, and anything unvalidated)."""
    return value if type(value) is str else str(value)


def text(params: Params, name: str) -> str | None:
    """The value of a scalar parameter, or None when absent."""
    value = params.get(name, _ABSENT)
    return None if value is _ABSENT else _as_text(value)


def required(params: Params, name: str) -> str:
    value = text(params, name)
    if value is None or value == "":
        raise missing(name)
    return value


def strings(params: Params, name: str) -> List[str]:
    """The values of a flattened list parameter ``name.1``, ``name.2``, ... in order."""
    value = params.get(name + ".1", _ABSENT)
    out: List[str] = []
    index = 1
    while value is not _ABSENT:
        out.append(_as_text(value))
        index += 1
        value = params.get(f"{name}.{index}", _ABSENT)
    return out


def structs(params: Params, name: str) -> List[Dict[str, str]]:
    """The members of a flattened list of structures: ``name.N.Member[.M...]`` grouped by N, in order."""
    prefix = name + "."
    groups: Dict[int, Dict[str, str]] = {}
    for key, value in params.items():
        if not key.startswith(prefix):
            continue
        index, _, member = key[len(prefix) :].partition(".")
        if not index.isdigit() or not member:
            continue
        groups.setdefault(int(index), {})[member] = _as_text(value)
    return [groups[i] for i in sorted(groups)]


def integer(params: Params, name: str, wire_name: str) -> int | None:
    """An integer parameter; text that is not an integer is EC2's ``InvalidParameterValue``."""
    raw = params.get(name, _ABSENT)
    if type(raw) is int and _INT_MIN <= raw <= _INT_MAX:  # botocore serializes integer members as int
        return raw
    if raw is _ABSENT:
        return None
    value = _as_text(raw)
    stripped = value.strip()
    digits = stripped[1:] if stripped[:1] in "+-" else stripped
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10 and _INT_MIN <= int(stripped) <= _INT_MAX):
        raise bad_parameter(value, wire_name)
    return int(stripped)


def boolean(params: Params, name: str) -> bool:
    """A boolean parameter; botocore sends ``true`` for any truthy value."""
    return text(params, name) == "true"


def check_dry_run(params: Params) -> None:
    """Call after validating a request and before changing anything: ``DryRun`` stops here."""
    if boolean(params, "DryRun"):
        raise dry_run()


def filters(params: Params) -> Dict[str, List[str]]:
    """The ``Filters`` parameter as a mapping of filter name to accepted values."""
    out: Dict[str, List[str]] = {}
    for entry in structs(params, "Filter"):
        name = entry.get("Name")
        if name is None:
            raise Ec2Error("InvalidParameterValue", "The filter 'null' is invalid")
        values = [entry[k] for k in sorted((k for k in entry if k.startswith("Value.")), key=_index)]
        out.setdefault(name, []).extend(values)
    return out


def _index(key: str) -> int:
    tail = key.rpartition(".")[2]
    return int(tail) if tail.isdigit() else 0
