"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

import botohook

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS: List[str] = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(block: str) -> None:
    namespace: Dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    for name, value in namespace.items():
        if name.startswith("test_") and callable(value):
            if "botohook" in value.__code__.co_varnames[: value.__code__.co_argcount]:
                with botohook.mock(**marker_options(value)) as sim:
                    value(sim)
            else:
                value()


def marker_options(function: Any) -> Dict[str, Any]:
    marks = getattr(function, "pytestmark", [])
    return {k: v for mark in marks if mark.name == "botohook" for k, v in mark.kwargs.items()}


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 3


def test_every_simulated_operation_is_in_the_readme_table() -> None:
    table = README.split("## What is simulated", 1)[1].split("\n\n", 2)[1]
    for name in botohook.SIMULATED_OPERATIONS:
        operation = name.split(".")[1]
        assert re.search(rf"\b{operation}\b", table), f"{name} is missing from the README's table"


def test_every_accepted_parameter_is_listed_in_the_readme() -> None:
    from botohook.ec2.parameters import ACCEPTED

    listed = README.split("#### Parameters accepted without effect", 1)[1].split("\n\n", 2)[1]
    for operation, names in ACCEPTED.items():
        row = next((line for line in listed.splitlines() if operation in line.split("|")[1]), None)
        assert row is not None, f"{operation} is missing from the README's accepted parameters"
        for name in names.split():
            shown = {"BlockDeviceMapping": "BlockDeviceMappings"}.get(name, name)
            assert shown in row, f"{operation}.{name} is missing from the README's accepted parameters"
