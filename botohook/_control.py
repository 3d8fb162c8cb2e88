"""The control API: what a test in any language needs beyond the EC2 API (reset, worlds, faults, the virtual clock,
the call record, metadata views, health), as JSON over HTTP under the reserved path ``/_botohook/`` of the server.

No AWS SDK can reach it by accident: SDKs send EC2 (Query) requests to ``/``, and no Query ``Action`` names these
routes. Each route is a function of the server, the query string and the JSON body, answering ``(status, JSON)``;
a route, body or argument it does not know is refused with 400 naming it (a method a route does not answer:
405; an instance that does not exist: 404).
"""

from __future__ import annotations

import difflib
import json
import math
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Tuple

if TYPE_CHECKING:
    from .server import Server

PREFIX = "/_botohook/"
MAX_BODY = 64 << 20
"""Bytes a control request's body may hold: a world as ``GET world`` dumps it, for tens of thousands of resources."""
Answer = Tuple[int, Any]
Route = Callable[["Server", Dict[str, str], Any], Answer]


class ControlError(Exception):
    """A refused control request: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _health(server: Server, query: Dict[str, str], body: Any) -> Answer:
    from . import __version__

    return 200, {"status": "ok", "version": __version__, "endpoint_url": server.endpoint_url}


def _reset(server: Server, query: Dict[str, str], body: Any) -> Answer:
    server.simulator.reset()
    return 200, {"reset": True}


def _world_dump(server: Server, query: Dict[str, str], body: Any) -> Answer:
    return 200, server.simulator.dump()


def _world_load(server: Server, query: Dict[str, str], body: Any) -> Answer:
    if not isinstance(body, dict):
        raise ControlError(400, "a world is a JSON object (see the world format in the README)")
    try:
        server.simulator.load(body)
    except ValueError as error:
        raise ControlError(400, f"cannot load the world: {error}") from None
    return 200, {"loaded": True}


def _faults_add(server: Server, query: Dict[str, str], body: Any) -> Answer:
    rules = body if isinstance(body, list) else [body]
    if not rules or not all(isinstance(rule, dict) for rule in rules):
        raise ControlError(400, 'a fault is a JSON object {"operation": ..., "code": ...} (or a list of them)')
    checked = [_arguments(rule, ("operation", "code"), _FAULT_OPTIONS) for rule in rules]
    try:
        server.simulator.faults.load(checked)  # all or none
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"cannot add the fault: {error}") from None
    return 200, {"added": len(rules)}


_FAULT_OPTIONS = ("times", "after", "probability", "message", "status")


def _faults_clear(server: Server, query: Dict[str, str], body: Any) -> Answer:
    server.simulator.faults.clear()
    return 200, {"cleared": True}


def _clock_now(server: Server, query: Dict[str, str], body: Any) -> Answer:
    return 200, {"now": server.simulator.clock.now()}


def _clock_advance(server: Server, query: Dict[str, str], body: Any) -> Answer:
    seconds = _seconds("seconds", _arguments(body if isinstance(body, dict) else {}, ("seconds",), ())["seconds"])
    clock = server.simulator.clock
    _seconds("the clock", clock.now() + seconds)  # and where it gets to stays a number
    clock.advance(seconds)
    return 200, {"now": clock.now()}


def _seconds(name: str, value: Any) -> float:
    """``value`` if it is a finite number of virtual seconds, 0 or more (JSON's numbers, not its booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ControlError(400, f"{name} is a finite number of virtual seconds, 0 or more; not {value!r}")
    return float(value)


def _interrupt(server: Server, query: Dict[str, str], body: Any) -> Answer:
    given = _arguments(body if isinstance(body, dict) else {}, ("instance_id",), ("notice", "at", "action", "warning"))
    for name in ("at", "warning"):
        if given.get(name) is not None:
            _seconds(name, given[name])
    if not isinstance(given["instance_id"], str):
        raise ControlError(400, f"instance_id is an instance's id, not {given['instance_id']!r}")
    try:
        server.simulator.interrupt(**given)
    except KeyError:
        raise ControlError(404, f"no instance {given['instance_id']!r} in the simulation") from None
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"cannot interrupt: {error}") from None
    return 200, {"interrupted": given["instance_id"], "now": server.simulator.clock.now()}


def _calls(server: Server, query: Dict[str, str], body: Any) -> Answer:
    since = query.get("since", "0")
    if not since.isascii() or not since.isdigit():
        raise ControlError(400, f"since is the index of the first call wanted (0 or more), not {since!r}")
    first, kept = server.simulator.call_record()  # one moment: next is exactly past what is listed
    end = first + len(kept)
    if int(since) > end:
        raise ControlError(409, f"since {since} is past the record's end ({end}): the simulation was reset since")
    listed = [
        {"service": c.service, "operation": c.operation, "region": c.region, "params": c.params, "error": c.error}
        for c in kept[max(int(since) - first, 0) :]
    ]
    return 200, {"first": max(int(since), first), "next": end, "calls": listed}


def _metadata(server: Server, query: Dict[str, str], body: Any, instance_id: str) -> Answer:
    try:
        server.simulator.instance(instance_id)
    except KeyError:
        raise ControlError(404, f"no instance {instance_id!r} in the simulation") from None
    return 200, {"instance_id": instance_id, "url": server.metadata(instance_id)}


ROUTES: Dict[Tuple[str, str], Route] = {
    ("GET", "health"): _health,
    ("POST", "reset"): _reset,
    ("GET", "world"): _world_dump,
    ("POST", "world"): _world_load,
    ("POST", "faults"): _faults_add,
    ("DELETE", "faults"): _faults_clear,
    ("GET", "clock"): _clock_now,
    ("POST", "clock/advance"): _clock_advance,
    ("GET", "calls"): _calls,
    ("POST", "interrupt"): _interrupt,
}
"""``(method, route)`` -> handler; ``metadata/<instance-id>`` (GET) is the one route with an argument."""

QUERIES: Dict[Tuple[str, str], Tuple[str, ...]] = {("GET", "calls"): ("since",)}
"""The query parameters a route takes (no other route takes any)."""


def handle(server: Server, method: str, route: str, query: Dict[str, str], raw: bytes) -> Answer:
    """The answer to one control request: ``route`` is the path after :data:`PREFIX`."""
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError) as error:  # RecursionError: nested deeper than Python parses
        return 400, {"error": f"the body is not JSON: {error or 'nested too deep'}"}
    try:
        if route.startswith("metadata/") and route.count("/") == 1:
            if method != "GET":
                raise ControlError(405, f"metadata/<instance-id> answers GET, not {method}")
            return _metadata(server, query, body, route.split("/", 1)[1])
        unknown = sorted(set(query) - set(QUERIES.get((method, route), ())))
        if unknown:
            raise ControlError(400, f"{PREFIX}{route} takes no query parameter {', '.join(map(repr, unknown))}")
        found = ROUTES.get((method, route))
        if found is None:
            methods = sorted(m for m, r in ROUTES if r == route)
            if methods:
                raise ControlError(405, f"{PREFIX}{route} answers {' and '.join(methods)}, not {method}")
            names = sorted({r for _, r in ROUTES} | {"metadata/<instance-id>"})
            near = difflib.get_close_matches(route, names, n=1)
            hint = f" (did you mean {PREFIX}{near[0]}?)" if near else ""
            raise ControlError(400, f"no control route {PREFIX}{route}{hint}; the routes are: {', '.join(names)}")
        return found(server, query, body)
    except ControlError as error:
        return error.status, {"error": error.message}


def _arguments(given: Mapping[str, Any], required: Tuple[str, ...], optional: Tuple[str, ...]) -> Dict[str, Any]:
    """``given`` checked against the names a route takes: ControlError naming a missing or unknown one."""
    known = required + optional
    for name in given:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ControlError(400, f"unknown argument {name!r}{hint}; this route takes {', '.join(known)}")
    missing = [name for name in required if name not in given]
    if missing:
        raise ControlError(400, f"missing argument {', '.join(map(repr, missing))}")
    return dict(given)
