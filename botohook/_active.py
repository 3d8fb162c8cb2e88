"""Which simulator answers a call that no installed simulator claims: the active ``mock()``s and their contexts.

Transport-agnostic (no botocore here). Invariants:

- Each context (thread, or asyncio task) sees its own stack of ``mock()``s: the innermost live one it entered
  answers. asyncio tasks start with a copy of their creator's context, so a task sees the mocks its creator entered;
  new threads start with an empty context.
- A context with no live ``mock()`` of its own (a thread the code under test started) falls back to the process-wide
  innermost simulation, but only when every live ``mock()`` was entered inside the previous one (one chain, as in a
  single-threaded test). When they were entered side by side (several threads or tasks each with their own), there is
  no fallback: such a call is ambiguous and must be refused, so two simulations never answer each other's calls.
- While any ``mock()`` is live (``active()``), the transports let no request leave the process unless a passthrough
  simulator lets it.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import List, Tuple

from .simulator import Simulator


class Activation:
    """One ``mock()`` entered: its simulator, the activation that was innermost where it was entered, and whether it
    is still live (an activation ended from another context stays in its own context's stack, dead)."""

    __slots__ = ("live", "parent", "simulator")

    def __init__(self, simulator: Simulator, parent: Activation | None) -> None:
        self.simulator = simulator
        self.parent = parent
        self.live = True


_context: ContextVar[Tuple[Activation, ...]] = ContextVar("botohook_mocks", default=())
_live: List[Activation] = []  # every live activation, in the order they were entered
_fallback: Simulator | None = None  # for contexts with no live mock of their own; None when none or ambiguous
_lock = threading.Lock()


def _innermost_live(stack: Tuple[Activation, ...]) -> Activation | None:
    for activation in reversed(stack):
        if activation.live:
            return activation
    return None


def innermost() -> Simulator | None:
    """The simulator that answers calls made here: this context's innermost live ``mock()``, else the process-wide
    fallback. None when no ``mock()`` is live, or when several are live side by side elsewhere (see ``active()``)."""
    stack = _context.get()
    if stack:
        top = stack[-1]
        if top.live:
            return top.simulator
        found = _innermost_live(stack)
        if found is not None:
            return found.simulator
    return _fallback


def active() -> int:
    """How many ``mock()``s are live in the whole process."""
    return len(_live)


def enter(simulator: Simulator) -> Activation:
    """Make ``simulator`` the innermost simulation of the current context."""
    global _fallback
    stack = _context.get()
    activation = Activation(simulator, _innermost_live(stack))
    with _lock:
        _live.append(activation)
        _fallback = _chain_end()
    _context.set((*stack, activation))
    return activation


def leave(activation: Activation) -> None:
    """End ``activation``, from its own context or any other."""
    global _fallback
    with _lock:
        if not activation.live:
            return
        activation.live = False
        _live.remove(activation)
        _fallback = _chain_end()
    stack = _context.get()
    if activation in stack:
        _context.set(tuple(a for a in stack if a is not activation))


def own_index(activations: List[Activation]) -> int:
    """The index of the last of ``activations`` entered in the current context (a ``mock()`` object shared between
    threads is left by each in its own), else of the last."""
    stack = _context.get()
    for index in range(len(activations) - 1, -1, -1):
        if activations[index] in stack:
            return index
    return len(activations) - 1


def _chain_end() -> Simulator | None:
    """The innermost live simulator if the live activations form one chain, each entered inside the previous."""
    if not _live:
        return None
    for outer, inner in zip(_live, _live[1:]):
        parent = inner.parent
        while parent is not None and not parent.live:  # one ended out of order: its own parent takes its place
            parent = parent.parent
        if parent is not outer:
            return None
    return _live[-1].simulator
