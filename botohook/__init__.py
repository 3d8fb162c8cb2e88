"""botohook: test code that manages EC2 network addresses against a faithful simulation, through genuine boto3 clients.

Three ways in: :func:`install` on a session or client, :func:`mock` around code under test, and the pytest
plugin (``pytest --botohook`` and the ``botohook`` fixture). Each gives a :class:`Simulator`; :func:`serve` puts
one on HTTP for other processes and languages.

Names load on first use, so that the pytest plugin, which lives in this package and loads in every pytest run,
costs nothing until a simulation starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    __version__: str
    from ._api import current, install, mock, uninstall
    from ._explore import DivergedError, Exploration, FailingSchedule, Step, explore
    from .errors import (
        AmbiguousSimulationError,
        ConflictError,
        OutboundRequestError,
        ResponseValidationError,
        UnknownRegionError,
        UnsimulatedOperationError,
    )
    from .server import Server, serve
    from .simulator import SIMULATED_OPERATIONS, Call, Simulator

_HOMES = {
    "current": "._api",
    "install": "._api",
    "mock": "._api",
    "uninstall": "._api",
    "DivergedError": "._explore",
    "Exploration": "._explore",
    "FailingSchedule": "._explore",
    "Step": "._explore",
    "explore": "._explore",
    "AmbiguousSimulationError": ".errors",
    "ConflictError": ".errors",
    "OutboundRequestError": ".errors",
    "ResponseValidationError": ".errors",
    "UnknownRegionError": ".errors",
    "UnsimulatedOperationError": ".errors",
    "SIMULATED_OPERATIONS": ".simulator",
    "Call": ".simulator",
    "Simulator": ".simulator",
    "Server": ".server",
    "serve": ".server",
}

__all__ = [
    "SIMULATED_OPERATIONS",
    "__version__",
    "AmbiguousSimulationError",
    "Call",
    "ConflictError",
    "DivergedError",
    "Exploration",
    "FailingSchedule",
    "OutboundRequestError",
    "ResponseValidationError",
    "Server",
    "Simulator",
    "Step",
    "UnknownRegionError",
    "UnsimulatedOperationError",
    "current",
    "explore",
    "install",
    "mock",
    "serve",
    "uninstall",
]


def _version() -> str:
    """The installed distribution's version; in a checkout that is not installed, ``pyproject.toml``'s."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(__name__)
    except PackageNotFoundError:
        import re
        from pathlib import Path

        project = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = (
            re.search(r'^version = "([^"]+)"', project.read_text(encoding="utf-8"), re.M) if project.is_file() else None
        )
        return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read on first use, like every other name: importing botohook stays free
        globals()[name] = value = _version()
        return value
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'botohook' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(__all__)
