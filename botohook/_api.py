"""The three ways in: ``install``/``uninstall``, ``mock`` (context manager and decorator), and ``current``.

botocore is imported on first use, not when botohook is imported, so the pytest plugin costs nothing
in test runs that do not simulate.
"""

from __future__ import annotations

import functools
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, ContextManager, List, Tuple, Type, TypeVar, cast

from .simulator import Simulator, check_options

if TYPE_CHECKING:
    from ._active import Activation

F = TypeVar("F", bound=Callable[..., Any])


def install(target: Any, **options: Any) -> Simulator:
    """Simulate EC2 for every client of ``target`` (a boto3 or botocore session) created from now on, or for
    ``target`` itself when it is a client. Returns the simulator; installing again returns the same one.

    ``options`` are :class:`Simulator`'s. Other sessions are not affected.
    """
    from . import _wiring

    check_options(options, "botohook.install()")
    return _wiring.install(target, options)


def uninstall(target: Any) -> None:
    """Undo :func:`install`: clients of ``target`` go back to calling AWS."""
    from . import _wiring

    _wiring.uninstall(target)


def current() -> Simulator:
    """The simulator that answers calls made here: that of the innermost :func:`mock` active in this thread or task
    (or, in a thread with none of its own, of the only chain of active mocks)."""
    from . import _active

    simulator = _active.innermost()
    if simulator is None:
        if _active.active():
            raise RuntimeError(
                f"no botohook.mock() is active in this thread or task, and {_active.active()} are active side by "
                "side elsewhere: botohook cannot tell which is meant"
            )
        raise RuntimeError("no botohook.mock() is active")
    return simulator


class mock:  # noqa: N801 - used like a function, as in ``with botohook.mock():``
    """Simulate EC2 for every client while active: those of any session, new or existing, and ``boto3.client``.

    Use as ``with botohook.mock(**options) as sim:`` (or ``async with``), or as a decorator
    ``@botohook.mock(**options)`` on a function, a coroutine function or a class (its ``test*`` methods), with a
    fresh simulator per call; :func:`current` returns it. ``options`` are :class:`Simulator`'s, and
    ``metadata_as="i-..."`` (see :meth:`Simulator.metadata_as`), checked here, where they are written (an unknown
    name or a bad value raises at once, not when the simulation starts). Nesting is safe:
    the innermost simulation answers. While active, no credentials are needed and client creation never
    looks for them on the network.
    """

    def __init__(self, **options: Any) -> None:
        check_options(options, "botohook.mock()", ("metadata_as",))
        self._options = options
        # a simulator made here, so that bad option values fail where they are written; the first enter takes it
        self._made = [self._simulator()]
        # each entry: the activation, and its metadata_as view if any
        self._entered: List[Tuple[Activation, ContextManager[str] | None]] = []

    def _simulator(self) -> Simulator:
        return Simulator(**{name: value for name, value in self._options.items() if name != "metadata_as"})

    def __enter__(self) -> Simulator:
        from . import _wiring

        metadata_as = self._options.get("metadata_as")
        try:
            simulator = self._made.pop()
        except IndexError:
            simulator = self._simulator()
        activation = _wiring.activate(simulator)
        view = None if metadata_as is None else simulator.metadata_as(metadata_as)
        if view is not None:
            view.__enter__()
        self._entered.append((activation, view))
        return simulator

    def __exit__(
        self, kind: Type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        from . import _active, _wiring

        activation, view = self._entered.pop(_active.own_index([a for a, _ in self._entered]))
        if view is not None:
            view.__exit__(kind, error, traceback)
        _wiring.deactivate(activation)

    async def __aenter__(self) -> Simulator:
        return self.__enter__()

    async def __aexit__(
        self, kind: Type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.__exit__(kind, error, traceback)

    def __call__(self, function: F) -> F:
        import inspect

        if isinstance(function, type):
            for name, member in list(vars(function).items()):
                if name.startswith("test") and callable(member):
                    setattr(function, name, self(member))
            return function
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with mock(**self._options):
                    return await function(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with mock(**self._options):
                return function(*args, **kwargs)

        return cast(F, run)
