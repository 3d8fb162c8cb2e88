"""botohook: test code that manages EC2 network addresses against a faithful simulation, through genuine boto3 clients.

Three ways in: :func:`install` on a session or client, :func:`mock` around code under test, and the pytest
plugin (``pytest --botohook`` and the ``botohook`` fixture). Each gives a :class:`Simulator`.
"""

from ._api import current, install, mock, uninstall
from .errors import ResponseValidationError, UnsimulatedOperationError
from .simulator import SIMULATED_OPERATIONS, Call, Simulator

__all__ = [
    "SIMULATED_OPERATIONS",
    "Call",
    "ResponseValidationError",
    "Simulator",
    "UnsimulatedOperationError",
    "current",
    "install",
    "mock",
    "uninstall",
]
