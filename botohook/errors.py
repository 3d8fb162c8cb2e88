"""Exceptions botohook raises itself (EC2's own errors reach callers as botocore ``ClientError``)."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Sequence

SIMULATED_DOCS = 'the README\'s "What is simulated" table'


class UnsimulatedOperationError(Exception):
    """A call botohook does not answer: an operation (of EC2 or another service) or a parameter it does not simulate.

    Deliberately not a ``ClientError``: code under test must not mistake it for an answer from AWS. The message says
    what would help: for an operation botohook does not simulate, ``passthrough=True`` lets it reach the next
    handler; a parameter or feature of an operation botohook simulates is refused even then.
    """

    def __init__(self, service: str, operation: str, detail: str | None = None, advice: str | None = None) -> None:
        self.service = service
        self.operation = operation
        self.detail = what = detail or f"botohook does not simulate {service}.{operation}"
        if advice is None and detail is None:
            advice = (
                f"The simulated operations are listed in botohook.SIMULATED_OPERATIONS and in {SIMULATED_DOCS}; pass "
                "passthrough=True to let unsimulated operations through"
            )
        elif advice is None:
            advice = (
                f"botohook answers {service}.{operation} itself, so passthrough=True does not let this through: leave "
                f"it out of the call (what is simulated and refused is in {SIMULATED_DOCS} and the sections after it)"
            )
        super().__init__(f"{what}. {advice}.")


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
    """A botocore or aiobotocore HTTP request that would have left the process while a simulation is active: refused,
    never sent (requests the code makes with other libraries are its own).

    Requests to AWS pass only where the user asked for it, with ``passthrough=True``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"botohook refused an HTTP request to {url} while a simulation is active: no botocore request leaves the "
            "process unless passthrough=True lets an operation botohook does not simulate through."
        )


class UnknownRegionError(ValueError):
    """A call to a region botohook does not simulate: one botocore does not know for EC2 (a misspelling, most often),
    and not added with the ``regions`` option. Nothing is created for it.

    In-process this is raised to the caller: a real client would not reach any endpoint for that name. ``code``,
    ``message`` and ``status`` are what an AWS endpoint answers a request signed for such a region, for transports
    that must answer on the wire.
    """

    code = "SignatureDoesNotMatch"
    status = 403

    def __init__(self, region: str, known: Sequence[str]) -> None:
        self.region = region
        self.message = f"Credential should be scoped to a valid region, not '{region}'."
        nearest = get_close_matches(region, known, n=1, cutoff=0)
        hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
        super().__init__(
            f"botohook does not simulate region {region!r}{hint}: it simulates the regions botocore knows for EC2 "
            f"({', '.join(sorted(known))}), and a real client would reach no endpoint for this name. Pass "
            f"regions=[{region!r}] to simulate a region of your own."
        )


class ResponseValidationError(AssertionError):
    """In strict mode, a simulated response that does not match botocore's output shape (a botohook bug)."""


class ConflictError(RuntimeError):
    """Another simulation (moto's ``mock_aws``) would answer the same calls: botohook refuses to start beside it."""
