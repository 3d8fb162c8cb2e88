"""Everything that touches botocore: the hook on sessions and clients, the net under every client, the wire
envelope, the environment.

One handler object (:class:`Hook`) sits first at ``before-call.*.*`` on each reached emitter (sessions made while
botohook is loaded, and their clients). It answers from the simulator installed on that session or client, else from
the simulator of the caller's innermost active ``mock()`` (see ``_active``), else it returns None and botocore carries
on as if botohook were not there.

Clients no hook reaches (made before botohook was loaded or before the first ``mock()``, from any session) meet the
net: ``_make_request`` of botocore's and aiobotocore's client classes, which botocore calls only when no
``before-call`` handler answered, makes the same decision. Under it, the HTTP sessions' ``send`` refuses anything
that would leave the process while a simulation is active, unless a passthrough simulator let that call through.

A call that a fault rule may fail is not answered at ``before-call`` (botocore never retries those): the net lets
botocore's endpoint loop run and ``_answer_attempt`` answers each attempt at ``before-send`` with EC2's XML, so the
client's own retry handler decides; botocore's sleeps there and in its waiters advance the simulation's clock.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from email.utils import formatdate
from logging import DEBUG, getLogger
from random import SystemRandom
from secrets import token_hex
from typing import Any, Callable, Dict, Iterator, List, Tuple
from weakref import WeakKeyDictionary, WeakSet

import botocore
from botocore import endpoint as botocore_endpoint
from botocore import waiter as botocore_waiter
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.httpsession import URLLib3Session
from botocore.loaders import create_loader
from botocore.retries import bucket as botocore_bucket

from . import _active
from ._active import innermost
from ._query_xml import answer as query_answer
from ._query_xml import request_params
from ._shapes import validate
from .ec2.errors import Ec2Error
from .errors import (
    AmbiguousSimulationError,
    ConflictError,
    OutboundRequestError,
    UnsimulatedOperationError,
)
from .identity import FAKE_KEYS
from .simulator import Simulator

EVENT = "before-call.*.*"
HOOK_ID = "botohook"
_ENDPOINT = "https://ec2.amazonaws.com/"
_endpoint_log = getLogger("botocore.endpoint")

_hooks: WeakKeyDictionary[Any, Hook] = WeakKeyDictionary()  # botocore session or client -> its hook
_faked_credentials: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()
_saved_environ: Dict[str, str | None] = {}
_state_lock = threading.RLock()
_reaching = False  # the session initializer is registered and botocore's classes are patched
_async_patched = False
_environment_holders = 0
_outside_refused = False  # under pytest --botohook: no call may leave the simulation
_REQUEST_ID_PREFIX = "{0[0]}-{0[1]}-4{0[2]}-a{0[3]}-".format(
    [token_hex(n)[: n * 2 - m] for n, m in ((4, 0), (2, 0), (2, 1), (2, 1))]
)  # a random UUID-4 prefix per process; the last group counts calls, so ids are unique and cheap
_request_counter = itertools.count(SystemRandom().getrandbits(40))
_date: List[Any] = [0, ""]
_HTTP: Dict[int, AWSResponse] = {}  # botocore only reads the status; one response object per status serves all
_LET_THROUGH = "botohook_let_through"  # request-context key: a simulator chose to let this call through
_passing: ContextVar[bool] = ContextVar("botohook_passing", default=False)  # a let-through call is being sent
_exempt: WeakSet[Any] = WeakSet()  # clients of botohook servers (Server.client): never answered in-process
_IN_LOOP = "botohook_in_loop"  # request-context key: a fault may fail this call: answer each attempt in the loop
# (simulator, region, aiobotocore?, service) of the call whose attempts are answered inside the endpoint loop
_looping: ContextVar[Tuple[Simulator, str, bool, str] | None] = ContextVar("botohook_looping", default=None)
_waiting: ContextVar[Simulator | None] = ContextVar("botohook_waiting", default=None)  # a waiter's simulator
ATTEMPT_EVENT = "before-send.*.*"
ATTEMPT_ID = "botohook-attempt"


class Hook:
    """The ``before-call`` handler: answers from a simulator, or lets the call through when none is active."""

    __slots__ = ("simulator",)

    def __init__(self) -> None:
        self.simulator: Simulator | None = None

    def __call__(
        self, model: Any, params: Dict[str, Any], context: Dict[str, Any], request_signer: Any = None, **_: Any
    ) -> Tuple[AWSResponse, Dict[str, Any]] | None:
        simulator = self.simulator or innermost()
        if simulator is None:
            if _active.active() or _outside_refused:
                raise _refusal(model)
            return None
        return respond(simulator, model, params, context, request_signer)


def _refusal(model: Any) -> Exception:
    """Why a call that no simulator answers may not leave the process."""
    service, operation = model.service_model.service_name, model.name
    if _active.active():
        return AmbiguousSimulationError(service, operation, _active.active())
    return UnsimulatedOperationError(
        service,
        operation,
        f"{service}.{operation} was called outside any simulation while pytest --botohook runs: each test has its "
        "own simulator, so fixtures wider than function scope (module, session) cannot use it",
        "Make such fixtures function-scoped, or give them a simulation of their own (botohook.mock() around their "
        "calls, or botohook.install() on their session)",
    )


def _without_access_key(signer: Any) -> bool:
    """Whether the client signs with an empty access key (``aws_access_key_id=""``): EC2 refuses such a request, so
    botohook does too; keys are never checked further. A client with no credentials at all is answered: botocore
    would raise ``NoCredentialsError`` before sending anything, so there is no EC2 answer to give, and botohook needs
    no credentials. Read without refreshing refreshable credentials (nothing may reach for new ones here)."""
    fields = getattr(getattr(signer, "_credentials", None), "__dict__", None)
    return fields is not None and fields.get("access_key", fields.get("_access_key")) == ""


def respond(
    simulator: Simulator, model: Any, params: Dict[str, Any], context: Dict[str, Any], signer: Any = None
) -> Tuple[AWSResponse, Dict[str, Any]] | None:
    """The simulator's answer in the form botocore expects from a ``before-call`` handler; None to let the call go
    on (passthrough), or, when a fault may fail it, to have each attempt answered inside botocore's retry loop, so
    that the client's own retry policy decides. ``signer`` is the client's request signer (its credentials)."""
    service = model.service_model.service_name
    operation = model.name
    if simulator.passthrough and not simulator.simulates(service, operation):
        context[_LET_THROUGH] = True
        return None
    refused = _without_access_key(signer)  # before any fault: EC2 authenticates a request first
    if not refused and simulator._fault_rules and simulator.faults.applies_to(operation):
        context[_IN_LOOP] = simulator  # answered attempt by attempt inside botocore's retry loop (see _net)
        return None
    if _endpoint_log.isEnabledFor(DEBUG):  # botocore logs this for every request it sends; tools read it
        _endpoint_log.debug("Making request for %s with params: %s", model, params)
    request_id = f"{_REQUEST_ID_PREFIX}{next(_request_counter):012x}"
    try:
        if refused:
            raise Ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
        parsed = simulator.answer(service, operation, context.get("client_region") or "us-east-1", params["body"])
        status = 200
    except Ec2Error as error:
        parsed = {"Error": {"Code": error.code, "Message": error.message}}
        status = error.status
    else:
        if simulator.strict:
            validate(parsed, model)
    now = int(time.time())
    if now != _date[0]:
        _date[:] = [now, formatdate(now, usegmt=True)]
    parsed["ResponseMetadata"] = {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {
            "x-amzn-requestid": request_id,
            "cache-control": "no-cache, no-store",
            "content-type": "text/xml;charset=UTF-8",
            "date": _date[1],
            "server": "AmazonEC2",
        },
        "RetryAttempts": 0,
    }
    http = _HTTP.get(status)
    if http is None:
        http = _HTTP[status] = AWSResponse(_ENDPOINT, status, {"server": "AmazonEC2"}, None)
    return http, parsed


# -- reaching sessions and clients -------------------------------------------------------------------------------


def _on_new_session(session: Any) -> None:
    with _state_lock:
        _hook_on(session, session.get_component("event_emitter"))
    if type(session).__module__.startswith("aiobotocore"):
        _patch_aiobotocore()
    if _active.active() and session.get_config_variable("data_path") is None:
        # Each new session would parse the EC2 model again (about 200 ms); while simulating, share one loader.
        session.register_component("data_loader", _shared_loader())


class _SearchPaths(List[str]):
    """boto3 appends its data path to a session's loader once per session: on a shared loader, only once."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


_loader: Any = None


def _shared_loader() -> Any:
    global _loader
    if _loader is None:
        _loader = create_loader()
        _loader._search_paths = _SearchPaths(_loader.search_paths)
    return _loader


def _hook_on(owner: Any, emitter: Any) -> Hook:
    hook = _hooks.get(owner)
    if hook is None:
        hook = Hook()
        emitter.unregister(EVENT, unique_id=HOOK_ID)  # a client inherits its session's hook: replace it
        emitter.register_first(EVENT, hook, unique_id=HOOK_ID)
        _hooks[owner] = hook
    return hook


def prepare(refuse_outside: bool = False) -> None:
    """Reach every client, whenever it was made (cheap: the hooks and the net stay inert until a simulation
    starts). With ``refuse_outside``, a call made while no simulation is active raises instead of reaching AWS."""
    global _outside_refused
    with _state_lock:
        _ensure_reach()
        _outside_refused = refuse_outside


def stop_refusing() -> None:
    global _outside_refused
    _outside_refused = False


def _ensure_reach() -> None:
    """Hook every botocore session made from now on; lay the net under every client, whenever it was made."""
    global _reaching
    if not _reaching:
        botocore.register_initializer(_on_new_session)
        _patch(BaseClient, "_make_request", _net(BaseClient._make_request))
        _patch(URLLib3Session, "send", _guard(URLLib3Session.send))
        botocore_endpoint.time = botocore_waiter.time = botocore_bucket.time = _BotocoreTime()
        _patch(botocore_waiter.Waiter, "wait", _waiter(botocore_waiter.Waiter.wait))
        _reaching = True
    if "aiobotocore" in sys.modules:
        _patch_aiobotocore()


# -- the net: clients no hook reached, and the last guard before the network ------------------------------------------


def _answer_unhooked(client: Any, model: Any, request: Dict[str, Any], context: Dict[str, Any]) -> Any:
    """For a call no ``before-call`` handler answered: the simulation's answer, or None to send it (nothing active,
    a passthrough simulator let it through, or a client of a botohook server); raises where it may not leave the
    process."""
    if _LET_THROUGH in context or _IN_LOOP in context:
        return None
    if not (_active.active() or _outside_refused) or client in _exempt:
        return None
    simulator = innermost()
    if simulator is None:
        raise _refusal(model)
    return respond(simulator, model, request, context, client._request_signer)


@contextmanager
def _sending() -> Iterator[None]:
    """Mark the request being sent in this context as let through, for the guard on ``send``."""
    token = _passing.set(True)
    try:
        yield
    finally:
        _passing.reset(token)


@contextmanager
def _passage(client: Any, context: Dict[str, Any], aio: bool) -> Iterator[None]:
    """How a call no simulator answered goes on through the endpoint: attempt by attempt, answered at ``before-send``
    by ``_answer_attempt``, when a fault may fail it; else to the network, where a passthrough simulator let it."""
    simulator = context.get(_IN_LOOP)
    if simulator is None:
        with _sending():
            yield
        return
    client.meta.events.register_first(ATTEMPT_EVENT, _answer_attempt, unique_id=ATTEMPT_ID)
    service = client.meta.service_model.service_name
    token = _looping.set((simulator, context.get("client_region") or "us-east-1", aio, service))
    try:
        yield
    finally:
        _looping.reset(token)


def _net(make_request: Callable[..., Any]) -> Callable[..., Any]:
    def _make_request(client: Any, model: Any, request: Dict[str, Any], context: Dict[str, Any]) -> Any:
        answer = _answer_unhooked(client, model, request, context)
        if answer is not None:
            return answer
        with _passage(client, context, aio=False):
            return make_request(client, model, request, context)

    _make_request.botohook_original = make_request  # type: ignore[attr-defined]
    return _make_request


def _aio_net(make_request: Callable[..., Any]) -> Callable[..., Any]:
    async def _make_request(client: Any, model: Any, request: Dict[str, Any], context: Dict[str, Any]) -> Any:
        answer = _answer_unhooked(client, model, request, context)
        if answer is not None:
            return answer
        with _passage(client, context, aio=True):
            return await make_request(client, model, request, context)

    _make_request.botohook_original = make_request  # type: ignore[attr-defined]
    return _make_request


class _Body:
    """The raw body of an answer given inside botocore's endpoint loop (it reads ``raw.stream()``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class _AioResponse:
    """An answer given inside aiobotocore's endpoint loop (it awaits ``content``)."""

    def __init__(self, url: str, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.url, self.status_code, self.headers, self.raw, self._body = url, status, headers, None, body

    @property
    def content(self) -> Any:
        async def read() -> bytes:
            return self._body

        return read()


def _answer_attempt(request: Any, **kwargs: Any) -> AWSResponse | _AioResponse | None:
    """``before-send``: one attempt of a call a fault may fail, answered as EC2 would answer it on the wire, so
    that botocore parses it and its retry handler decides (RetryAttempts, MaxAttemptsReached, back-off)."""
    looping = _looping.get()
    if looping is None:
        return None
    simulator, region, aio, service = looping
    body = request.body
    params = request_params(body.decode() if isinstance(body, bytes) else str(body or ""))
    request_id = f"{_REQUEST_ID_PREFIX}{next(_request_counter):012x}"
    status, xml, _code = query_answer(simulator, params.get("Action", ""), region, params, request_id, service)
    headers = {"content-type": "text/xml;charset=UTF-8", "server": "AmazonEC2", "date": formatdate(usegmt=True)}
    if aio:
        return _AioResponse(request.url, status, headers, xml)
    return AWSResponse(request.url, status, headers, _Body(xml))


class _BotocoreTime:
    """Stands in for the ``time`` module inside ``botocore.endpoint``, ``botocore.waiter`` and
    ``botocore.retries.bucket``: a sleep there (a retry back-off, a waiter's delay, adaptive mode's rate limiter)
    while a simulation answers advances its virtual clock instead of sleeping. ``time()`` adds every second so
    skipped, so that the rate limiter's bucket refills as if the time had passed."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        simulator = _sleeper()
        if simulator is None:
            _real_sleep(seconds)
        else:
            simulator.clock.advance(seconds)
            self.skipped += seconds

    def time(self) -> float:
        return time.time() + self.skipped


def _sleeper() -> Simulator | None:
    """The simulation whose clock a sleep of botocore's here goes on: that of the call being retried, of the
    waiter waiting, else of the innermost ``mock()``; None: sleep for real."""
    looping = _looping.get()
    if looping is not None:
        return looping[0]
    return _waiting.get() or innermost()


def _client_simulator(client: Any) -> Simulator | None:
    """The simulator installed on ``client`` or its session, if any."""
    hook = _hooks.get(client)
    if hook is None:
        try:  # the Hook a client copied from its session's emitter (botocore keeps handlers by unique id)
            hook = client.meta.events._emitter._unique_id_handlers[HOOK_ID]["handler"]
        except (AttributeError, KeyError, TypeError):
            return None
    return hook.simulator if isinstance(hook, Hook) else None


def _waiter(wait: Callable[..., Any]) -> Callable[..., Any]:
    """``Waiter.wait``: the delays of a waiter on a client of an installed simulator go on that simulator's clock."""

    def waiting(waiter: Any, **kwargs: Any) -> Any:
        method = getattr(waiter._operation_method, "_client_method", None)
        simulator = _client_simulator(getattr(method, "__self__", None))
        if simulator is None:
            return wait(waiter, **kwargs)
        token = _waiting.set(simulator)
        try:
            return wait(waiter, **kwargs)
        finally:
            _waiting.reset(token)

    waiting.botohook_original = wait  # type: ignore[attr-defined]
    return waiting


def _aio_sleep(sleep: Callable[..., Any]) -> Callable[..., Any]:
    """aiobotocore's endpoint and waiter ``_sleep``: on the simulation's clock, as botocore's sleeps are."""

    async def virtual(owner: Any, seconds: float) -> None:
        simulator = _sleeper()
        if simulator is None:
            await sleep(owner, seconds)
        else:
            simulator.clock.advance(seconds)

    virtual.botohook_original = sleep  # type: ignore[attr-defined]
    return virtual


_real_sleep = time.sleep


def _virtual_sleep(seconds: float) -> None:
    """``time.sleep`` while a ``virtual_sleep`` simulation has been active: where one answers, its clock advances."""
    simulator = innermost()
    if simulator is not None and simulator.virtual_sleep:
        simulator.clock.advance(seconds)
    else:
        _real_sleep(seconds)


def _check_send(request: Any) -> None:
    if (_active.active() or _outside_refused) and not _passing.get():
        url = str(getattr(request, "url", request))
        metadata = sys.modules.get(f"{__package__}.metadata")
        if metadata is None or not metadata.redirected(url):  # a metadata_as() view on loopback may be read
            raise OutboundRequestError(url)


def _guard(send: Callable[..., Any]) -> Callable[..., Any]:
    def guarded_send(session: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        _check_send(request)
        return send(session, request, *args, **kwargs)

    guarded_send.botohook_original = send  # type: ignore[attr-defined]
    return guarded_send


def _aio_guard(send: Callable[..., Any]) -> Callable[..., Any]:
    async def guarded_send(session: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        _check_send(request)
        return await send(session, request, *args, **kwargs)

    guarded_send.botohook_original = send  # type: ignore[attr-defined]
    return guarded_send


def exempt(client: Any) -> None:
    """Let ``client`` (whose endpoint is a botohook server on loopback) send its requests even inside a ``mock()``."""
    with _state_lock:
        _ensure_reach()
        client.meta.events.unregister(EVENT, unique_id=HOOK_ID)
        _exempt.add(client)


def _patch(owner: type, name: str, replacement: Callable[..., Any]) -> None:
    if not hasattr(vars(owner).get(name), "botohook_original"):
        setattr(owner, name, replacement)


def _patch_aiobotocore() -> None:
    """The same net under aiobotocore's clients and HTTP sessions (whichever of them this version has)."""
    global _async_patched
    if _async_patched:
        return
    client = importlib.import_module("aiobotocore.client")
    _patch(client.AioBaseClient, "_make_request", _aio_net(client.AioBaseClient._make_request))
    for module_name, class_name in (
        ("aiobotocore.httpsession", "AIOHTTPSession"),
        ("aiobotocore.httpxsession", "HttpxSession"),
    ):
        try:
            session_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        _patch(session_class, "send", _aio_guard(session_class.send))
    for module_name, class_names in (
        ("aiobotocore.endpoint", ("AioEndpoint", "AnyioEndpoint")),
        ("aiobotocore.waiter", ("AIOWaiter", "AnyioWaiter")),
    ):
        module = importlib.import_module(module_name)
        for class_name in class_names:
            owner = getattr(module, class_name, None)
            if owner is not None and "_sleep" in vars(owner):  # older aiobotocore sleeps inline: real sleeps
                _patch(owner, "_sleep", _aio_sleep(owner._sleep))
    _async_patched = True


def _target(target: Any) -> Tuple[Any, Any, Any | None]:
    """``(owner, emitter, botocore session or None)`` for a boto3 session, botocore session or client."""
    if hasattr(target, "meta") and hasattr(target.meta, "events") and hasattr(target, "_make_api_call"):
        return target, target.meta.events, None
    session = getattr(target, "_session", target)  # boto3.Session wraps a botocore session
    if not hasattr(session, "get_component") or not hasattr(session, "create_client"):
        raise TypeError(f"botohook.install() takes a boto3 or botocore session or a client, not {target!r}")
    return session, session.get_component("event_emitter"), session


def install(target: Any, options: Dict[str, Any]) -> Simulator:
    with _state_lock:
        _ensure_reach()
        owner, emitter, session = _target(target)
        hook = _hook_on(owner, emitter)
        if hook.simulator is None:
            simulator = Simulator(**options)
            check_conflicts(simulator)
            hook.simulator = simulator
            if session is not None and session._credentials is None:
                session.set_credentials("botohook-testing", "botohook-testing")  # no credential chain, no IMDS
                _faked_credentials[session] = True
        return hook.simulator


def uninstall(target: Any) -> None:
    with _state_lock:
        owner, _, session = _target(target)
        hook = _hooks.get(owner)
        if hook is not None:
            hook.simulator = None
        if session is not None and _faked_credentials.pop(session, False):
            session._credentials = None


_ENVIRON = {
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
}


def moto_is_active() -> bool:
    """Whether moto's ``mock_aws`` is answering requests (it answers at ``before-send``, after botohook)."""
    moto = sys.modules.get("moto.core.models")
    return bool(getattr(getattr(moto, "botocore_stubber", None), "enabled", False))


def check_conflicts(simulator: Simulator) -> None:
    """Refuse to start where two simulations would both claim the same calls."""
    if not simulator.passthrough and moto_is_active():
        raise ConflictError(
            "moto's mock_aws is active: botohook would answer every EC2 call it simulates before moto sees it, and "
            "refuse every other call. Pass passthrough=True to layer botohook over moto (botohook answers what it "
            "simulates, moto the rest), or stop moto first."
        )


def activate(simulator: Simulator) -> _active.Activation:
    """Start answering every client from ``simulator`` in the current context (the ``mock()`` path)."""
    check_conflicts(simulator)
    with _state_lock:
        _ensure_reach()
        if simulator.virtual_sleep and time.sleep is not _virtual_sleep:
            time.sleep = _virtual_sleep  # type: ignore[assignment]  # stays: sleeps for real where none answers
        boto3 = sys.modules.get("boto3")
        default = getattr(boto3, "DEFAULT_SESSION", None)
        if default is not None:  # reached by the net anyway; hooked, its new clients are answered sooner
            _hook_on(default._session, default._session.get_component("event_emitter"))
        hold_environment()
        return _active.enter(simulator)


def deactivate(activation: _active.Activation) -> None:
    with _state_lock:
        if activation.live:
            _active.leave(activation)
            release_environment()


def hold_environment() -> None:
    """Keep credential look-ups off the network (fake keys unless real ones are set, no instance metadata)."""
    global _environment_holders
    with _state_lock:
        if not _environment_holders:
            wanted: Dict[str, str | None] = dict(_ENVIRON)
            if "AWS_ACCESS_KEY_ID" not in os.environ:
                wanted.update(FAKE_KEYS)
            for name, value in wanted.items():
                _saved_environ[name] = os.environ.get(name)
                _set_env(name, value)
        _environment_holders += 1


def release_environment() -> None:
    global _environment_holders
    with _state_lock:
        _environment_holders -= 1
        if not _environment_holders:
            for name, value in _saved_environ.items():
                _set_env(name, value)
            _saved_environ.clear()


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
