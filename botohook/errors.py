"""Exceptions botohook raises itself (EC2's own errors reach callers as botocore ``ClientError``)."""

from __future__ import annotations

SIMULATED_DOCS = 'the README\'s "What is simulated" table'


class UnsimulatedOperationError(Exception):
    """A call botohook does not answer: an operation (of EC2 or another service) or a parameter it does not simulate.

    Deliberately not a ``ClientError``: code under test must not mistake it for an answer from AWS.
    Pass ``passthrough=True`` to let unsimulated operations reach the next handler instead.
    """

    def __init__(self, service: str, operation: str, detail: str | None = None) -> None:
        self.service = service
        self.operation = operation
        what = detail or f"botohook does not simulate {service}.{operation}"
        super().__init__(
            f"{what}. The simulated operations are listed in botohook.SIMULATED_OPERATIONS and in "
            f"{SIMULATED_DOCS}; pass passthrough=True to let unsimulated operations through."
        )


class ResponseValidationError(AssertionError):
    """In strict mode, a simulated response that does not match botocore's output shape (a botohook bug)."""


class ConflictError(RuntimeError):
    """Another simulation (moto's ``mock_aws``) would answer the same calls: botohook refuses to start beside it."""
