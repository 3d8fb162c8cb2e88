"""Faults and time, transport-agnostic: errors the simulator answers instead of EC2's result (``sim.faults``), and
the virtual clock that retry back-offs and waiters take their delays from (``sim.clock``)."""

from __future__ import annotations

import random
import threading
from difflib import get_close_matches
from typing import AbstractSet, Any, Callable, List, Mapping, Sequence

from .ec2.errors import Ec2Error

# EC2's HTTP status for the codes a fault is most often given; any other code: 400.
STATUS = {
    "RequestLimitExceeded": 503,
    "InternalError": 500,
    "InternalFailure": 500,
    "Unavailable": 503,
    "ServiceUnavailable": 503,
    "InsufficientInstanceCapacity": 500,
}
MESSAGES = {
    "RequestLimitExceeded": "Request limit exceeded.",
    "InternalError": "An internal error has occurred",
    "Unavailable": "The service is unavailable. Please try again shortly.",
    "ServiceUnavailable": "The service is unavailable. Please try again shortly.",
}


# Eventual consistency, in virtual seconds (defaults after what users report: a few seconds): how long a new id stays
# unknown to other calls, Describe the addresses an interface had before a change, an instance "pending", a terminated
# one "shutting-down", an attachment "attaching" or "detaching".
LAGS = {"create": 2.0, "move": 2.0, "launch": 5.0, "terminate": 5.0, "attach": 1.0, "detach": 1.0}


class Fault:
    """One rule: the matching attempts of ``operation`` (or ``"*"``) after the first ``after`` fail with ``code``,
    ``times`` of them (None: every one), each with ``probability`` if given."""

    __slots__ = ("after", "code", "message", "operation", "probability", "seen", "status", "times")

    def __init__(
        self,
        operation: str,
        code: str,
        times: int | None,
        after: int,
        probability: float | None,
        message: str | None,
        status: int | None,
    ) -> None:
        if not isinstance(code, str) or not code:
            raise ValueError(f"code must be an error code (a string), not {code!r}")
        if message is not None and not isinstance(message, str):
            raise ValueError(f"message must be a string (or None for EC2's wording), not {message!r}")
        if times is not None and (not _whole(times) or times < 1):
            raise ValueError(f"times must be 1 or more (or None for always), not {times!r}")
        if not _whole(after) or after < 0:
            raise ValueError(f"after must be 0 or more, not {after!r}")
        if probability is not None and (not _number(probability) or not 0 <= probability <= 1):
            raise ValueError(f"probability must be between 0 and 1, not {probability!r}")
        if status is not None and (not _whole(status) or not 400 <= status <= 599):
            raise ValueError(f"status must be an HTTP error status, 400 to 599, not {status!r}")
        self.operation = operation
        self.code = code
        self.times = times
        self.after = after
        self.probability = probability
        self.message = message or MESSAGES.get(code, f"botohook fault: {code}")
        self.status = status or STATUS.get(code, 400)
        self.seen = 0  # matching attempts so far

    def can_fail(self, operation: str) -> bool:
        """Whether this rule still applies to attempts of ``operation`` (its ``times`` not used up)."""
        return self.operation in ("*", operation) and (self.times is None or self.times > 0)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # not NaN


class Faults:
    """The simulator's fault rules, consulted once per attempt (thread-safe). Empty by default: the simulator then
    tests only whether the list of rules is empty."""

    def __init__(self, seed: int | None, operations: AbstractSet[str]) -> None:
        self._operations = operations  # the names a rule may give besides "*"
        self._rules: List[Fault] = []
        self._rng = random.Random(None if seed is None else seed + 2)
        self._lock = threading.Lock()

    def add(
        self,
        operation: str,
        code: str,
        *,
        times: int | None = 1,
        after: int = 0,
        probability: float | None = None,
        message: str | None = None,
        status: int | None = None,
    ) -> Fault:
        """Make attempts of ``operation`` (an EC2 operation name, or ``"*"``) fail with ``code``: ``times`` of them
        (None: all), after letting ``after`` through, each with ``probability`` (drawn from the simulator's seed).
        EC2's status for known codes (``RequestLimitExceeded`` 503, ``InternalError`` 500, ...; others 400) unless
        ``status`` says otherwise. A faulted attempt changes nothing in the simulation. An operation botohook does
        not simulate (its rule could never fire) is refused with ``ValueError`` naming the nearest one."""
        if operation != "*" and operation not in self._operations:
            nearest = get_close_matches(str(operation), self._operations, n=1)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
            raise ValueError(
                f"{operation!r} is not an operation botohook simulates{hint}, so a fault for it would never fire: "
                "give an operation's name as in botohook.SIMULATED_OPERATIONS (without the service), or '*'"
            )
        fault = Fault(operation, code, times, after, probability, message, status)
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def applies_to(self, operation: str) -> bool:
        """Whether any rule could fail an attempt of ``operation`` (not yet used up)."""
        return any(rule.can_fail(operation) for rule in self._rules)

    def take(self, operation: str) -> Ec2Error | None:
        """The error for this attempt of ``operation``, if a rule fails it (counting the attempt), else None."""
        with self._lock:
            for rule in self._rules:
                if not rule.can_fail(operation):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.probability is not None and self._rng.random() >= rule.probability:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return Ec2Error(rule.code, rule.message, rule.status)
        return None

    def load(self, rules: Sequence[Mapping[str, Any]]) -> None:
        """Rules given as arguments of :meth:`add` (the ``faults`` option, the control API): every one is checked
        before any is added, so all are added or none (the error names the first refused)."""
        checked = Faults(None, self._operations)
        for rule in rules:
            checked.add(**dict(rule))
        with self._lock:
            self._rules.extend(checked._rules)


class Clock:
    """Virtual time in seconds: botocore's retry back-offs and waiters' delays advance it instead of sleeping, and
    every answered call counts for ``call_time`` (read from the call count, so answering costs nothing more)."""

    def __init__(self, lock: Any, calls: Callable[[], int], call_time: float) -> None:
        self._lock = lock
        self._calls = calls
        self._call_time = call_time
        self._advanced = 0.0

    def now(self) -> float:
        """Seconds since the simulation started, in virtual time."""
        return self._advanced + self._calls() * self._call_time

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass."""
        if seconds < 0:
            raise ValueError(f"time does not go back: {seconds}")
        with self._lock:
            self._advanced += seconds

    def reset(self) -> None:
        self._advanced = 0.0
