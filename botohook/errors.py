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
        self.detail = what = detail or f"botohook does not simulate {service}.{operation}"
        super().__init__(
            f"{what}. The simulated operations are listed in botohook.SIMULATED_OPERATIONS and in "
            f"{SIMULATED_DOCS}; pass passthrough=True to let unsimulated operations through."
        )


class AmbiguousSimulationError(RuntimeError):
    """A call from a thread or task with no ``mock()`` of its own while several simulations are active elsewhere.

    botohook cannot tell which of them the call belongs to, so it answers from none and refuses it (nothing is sent).
    """

    def __init__(self, service: str, operation: str, active: int) -> None:
        self.service = service
        self.operation = operation
        super().__init__(
            f"{service}.{operation} was called from a thread or task with no botohook.mock() of its own while "
            f"{active} simulations are active in other threads or tasks: botohook cannot tell which one should "
            "answer, so it refused the call (nothing was sent). Enter the mock() in this thread or task, or start it "
            "with the context of the one that did (contextvars.copy_context().run, asyncio.to_thread)."
        )


class OutboundRequestError(RuntimeError):
    """An HTTP request that would have left the process while a simulation is active: refused, never sent.

    Requests to AWS pass only where the user asked for it, with ``passthrough=True``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"botohook refused an HTTP request to {url} while a simulation is active: nothing leaves the process "
            "unless passthrough=True lets an operation botohook does not simulate through."
        )


class ResponseValidationError(AssertionError):
    """In strict mode, a simulated response that does not match botocore's output shape (a botohook bug)."""


class ConflictError(RuntimeError):
    """Another simulation (moto's ``mock_aws``) would answer the same calls: botohook refuses to start beside it."""
