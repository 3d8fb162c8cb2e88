"""The pytest plugin: ``--botohook`` (or ini ``botohook = true``), the ``botohook`` fixture and marker.

Loaded in every pytest run of an environment where botohook is installed, so importing it imports neither
boto3 nor botocore: they load when a simulation first starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List

import pytest

if TYPE_CHECKING:
    import subprocess

    from .server import Server
    from .simulator import Simulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("botohook", "simulated EC2 networking")
    group.addoption(
        "--botohook",
        action="store_true",
        default=None,
        help="run every test inside botohook.mock(): every boto3/botocore client is simulated",
    )
    parser.addini("botohook", type="bool", default=False, help="like --botohook")


def _enabled(config: pytest.Config) -> bool:
    flag = config.getoption("botohook", None)
    return bool(flag) if flag is not None else bool(config.getini("botohook"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: List[str]) -> None:
    # Clients made when conftest files and test modules are imported must be reached too, and making them
    # must not look for credentials on the network.
    namespace = early_config.known_args_namespace
    flag = getattr(namespace, "botohook", None)
    if flag or (flag is None and early_config.getini("botohook")):
        from . import _wiring

        _wiring.prepare(refuse_outside=True)
        _wiring.hold_environment()
        early_config.add_cleanup(_wiring.release_environment)
        early_config.add_cleanup(_wiring.stop_refusing)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "botohook(**options): options for this test's simulator (see botohook.Simulator)"
    )


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    """The options of the test's ``botohook`` markers (the closest wins), checked."""
    markers = list(request.node.iter_markers("botohook"))
    options: Dict[str, Any] = {}
    for marker in reversed(markers):
        if marker.args:
            raise TypeError("@pytest.mark.botohook takes keyword options only")
        options.update(marker.kwargs)
    if markers:
        from .simulator import check_options

        check_options(options, "@pytest.mark.botohook", ("metadata_as",))
    return options


@pytest.fixture(autouse=True)
def _botohook_everywhere(request: pytest.FixtureRequest) -> Iterator[None]:
    if not _enabled(request.config):
        _options(request)  # a marker's options are checked on every test it marks, used or not
        yield
        return
    from ._api import mock

    with mock(**_options(request)):
        yield


@pytest.fixture
def botohook(request: pytest.FixtureRequest, _botohook_everywhere: None) -> Iterator[Simulator]:
    """The active simulator: the one ``--botohook`` started for this test, else a fresh ``mock()``."""
    from ._active import innermost
    from ._api import mock

    active = innermost() if _enabled(request.config) else None
    if active is not None:
        yield active
        return
    with mock(**_options(request)) as simulator:
        yield simulator


@pytest.fixture
def botohook_server(botohook: Simulator) -> Iterator[Server]:
    """The test's simulator served over HTTP (``botohook.serve``): hand ``botohook_server.environ`` to a child
    process (the AWS CLI, a shell script, another SDK) and inspect the outcome on ``botohook``."""
    from .server import serve

    with serve(botohook) as server:
        yield server


@pytest.fixture
def botohook_run(botohook_server: Server) -> Callable[..., subprocess.CompletedProcess[Any]]:
    """``botohook_run(instance_id, argv, **options)``: run a program to its end as that instance of the test's
    simulation (``Server.run``: 169.254.169.254 is its metadata, ``eth0`` its MAC, the served EC2 endpoint
    reachable, nothing else), in Linux namespaces. Skips the test, saying why, where namespaces cannot be made."""
    from ._netns import unavailable

    reason = unavailable()
    if reason is not None:
        pytest.skip(f"botohook_run: {reason}")
    return botohook_server.run
