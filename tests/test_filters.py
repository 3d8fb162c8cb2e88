"""Describe filters: EC2's ``*`` and ``?`` wildcards and ``\\`` escapes, matched in time linear in the value whatever
the pattern, and EC2's bounds on filter values."""

from __future__ import annotations

import fnmatch
import time
from typing import Any, List

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import botohook
from tests.conftest import ec2_error

# Patterns that take a backtracking matcher exponential (or high polynomial) time: issue 20, item 1.
PATHOLOGICAL = ["*" * 10 + "x", "*" * 254 + "x", "*a" * 127 + "b", "?*" * 127 + "x", "*?" * 127 + "b"]


def vpcs_tagged(ec2: Any, pattern: str) -> List[str]:
    found = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [pattern]}])["Vpcs"]
    return sorted(v["VpcId"] for v in found)


def test_pathological_patterns_answer_at_once(ec2: Any, vpc_id: str) -> None:
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "a" * 256}])
    for pattern in PATHOLOGICAL:
        start = time.perf_counter()
        types = ec2.describe_instance_types(Filters=[{"Name": "instance-type", "Values": [pattern]}])
        tagged = vpcs_tagged(ec2, pattern)
        assert time.perf_counter() - start < 0.5, pattern  # a backtracking regex took 1 s for 8 stars
        assert types["InstanceTypes"] == [] and tagged == []
    for pattern in ("*a" * 127, "?*" * 127, "*?" * 127, "*" * 254 + "a"):
        assert vpcs_tagged(ec2, pattern) == [vpc_id], pattern


def test_wildcards_and_escapes(ec2: Any, vpc_id: str) -> None:
    for value, matching, other in [
        ("web-1", ["web-?", "*-1", "w*1", "*", "web**1", "web-1"], ["web-", "web-??", "?web-1", "eb*"]),
        ("a*b?c", ["a\\*b\\?c", "a*\\?c", "a\\*b?c"], ["a\\*bxc", "ax\\?c"]),
        ("back\\slash", ["back\\\\slash", "*\\\\*"], ["back\\slash", "back\\\\\\\\slash"]),  # \\\\: one
        ("", ["", "*"], ["?"]),
    ]:
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": value}])
        for pattern in matching:
            assert vpcs_tagged(ec2, pattern) == [vpc_id], (value, pattern)
        for pattern in other:
            assert vpcs_tagged(ec2, pattern) == [], (value, pattern)


def reference(pattern: str, value: str) -> bool:
    """EC2's matching spelled as an fnmatch pattern (wildcards ``*`` and ``?``; a ``\\`` makes the next character
    literal, and a trailing one is itself)."""
    out, escaped = [], False
    for char in pattern:
        if escaped or char == "[":
            out.append(f"[{char}]")
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    if escaped:
        out.append("[\\]")
    return fnmatch.fnmatchcase(value, "".join(out))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=st.text("ab*?\\[\n", max_size=8), value=st.text("ab*?\\[\n", max_size=8))
def test_matching_is_fnmatch_with_escapes(sim: botohook.Simulator, pattern: str, value: str) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    sim.reset()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[_name(value)])["Vpc"]["VpcId"]
    assert (vpcs_tagged(ec2, pattern) == [vpc]) is reference(pattern, value)


def _name(value: str) -> Any:
    return {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": value}]}


@pytest.mark.parametrize("name", ["instance-type", "tag:Name", "tag-value"])
def test_values_beyond_ec2s_bounds_are_refused(ec2: Any, vpc_id: str, name: str) -> None:
    # EC2: FilterLimitExceeded "The maximum length for a filter value is 255 characters" (ansible/ansible#84327,
    # pulumi/pulumi-aws#931) and "The maximum number of filter values specified on a single call is 200"
    # (convox/rack#2205, gjbae1212/gossm#47), both HTTP 400.
    describe = ec2.describe_instance_types if name == "instance-type" else ec2.describe_vpcs
    describe(Filters=[{"Name": name, "Values": ["*" * 255]}])
    describe(Filters=[{"Name": name, "Values": ["x"] * 100}, {"Name": "tag-key", "Values": ["k"] * 100}])
    long = "The maximum length for a filter value is 255 characters"
    with ec2_error("FilterLimitExceeded", long, unchanged=ec2):
        describe(Filters=[{"Name": name, "Values": ["x", "*" * 5000]}])
    with ec2_error("FilterLimitExceeded", long, unchanged=ec2):
        describe(Filters=[{"Name": name, "Values": ["a" * 256]}])
    many = "The maximum number of filter values specified on a single call is 200"
    with ec2_error("FilterLimitExceeded", many, unchanged=ec2):
        describe(Filters=[{"Name": name, "Values": ["x"] * 150}, {"Name": "tag-key", "Values": ["k"] * 51}])
