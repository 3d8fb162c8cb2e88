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
