"""The simulator: the state of one simulated AWS account, the operations it answers, and its inspection API."""

from __future__ import annotations

import inspect
import re
import threading
from collections import deque
from contextlib import contextmanager
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import (
    Any,
    Deque,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

from .ec2 import OPERATIONS
from .ec2.base import Resource, Settings
from .ec2.compute import Instance
from .ec2.enis import ElasticIp, NetworkInterface
from .ec2.errors import Ec2Error
from .ec2.model import Region
from .ec2.network import Subnet, Vpc
from .ec2.parameters import check as check_parameters
from .ec2.wire import Params
from .errors import UnknownRegionError, UnsimulatedOperationError
from .faults import LAGS, Clock, Faults
from .identity import OPERATIONS as IDENTITY_OPERATIONS
from .interruptions import Interruption, carry_out, interruption, notices

R = TypeVar("R", bound=Resource)

_MOVES = frozenset({"AssignPrivateIpAddresses", "UnassignPrivateIpAddresses"})  # what moves addresses
SIMULATED_OPERATIONS = frozenset(
    [f"ec2.{name}" for name in OPERATIONS]
    + [f"{service}.{name}" for service, names in IDENTITY_OPERATIONS.items() for name in names]
)
"""Every operation botohook answers, as ``service.Operation``."""
_OPERATION_NAMES = frozenset(name.partition(".")[2] for name in SIMULATED_OPERATIONS)


@cache
def _partition_regions(regional: bool) -> FrozenSet[str]:
    """The regions of every partition in botocore's data (EC2 is offered in each of them), or, not ``regional``, the
    partitions' global names (``aws-global``: where IAM and STS may sign)."""
    from botocore.loaders import create_loader

    names = [
        name for partition in create_loader().load_data("partitions")["partitions"] for name in partition["regions"]
    ]
    return frozenset(name for name in names if name.endswith("-global") != regional)


class Call(NamedTuple):
    """One call the simulator answered: the request as sent and the error code if it failed."""

    service: str
    operation: str
    region: str
    params: Params
    error: str | None


class Simulator:
    """A simulated EC2 network for one AWS account, across regions.

    Options:
        seed: makes automatic addresses and resource ids reproducible (None: different every run).
        allocation: ``"random"`` (like EC2) or ``"lowest"`` free address first.
        account_id: the 12-digit account that owns everything.
        default_vpc: whether each region starts with a default VPC and one default subnet per zone.
        passthrough: let operations botohook does not simulate go on to botocore instead of raising
            :class:`~botohook.UnsimulatedOperationError`.
        strict: check every response against botocore's output shape (slower; on in botohook's own tests).
        detached_address_limit: private addresses an interface attached to no instance may hold (default: the
            largest per-interface figure of any instance type, 64 today).
        instance_types: path of a CSV replacing the shipped instance-type table (same columns).
        elastic_ip_limit: Elastic IPs per region (EC2's default quota is 5).
        record_calls: how many of the latest calls ``calls`` keeps (older ones are dropped and counted in
            ``dropped_calls``, so memory stays flat however long the simulation runs); None keeps every call, 0 none.
        imds_v1: let instance-metadata views answer requests without an IMDSv2 token (EC2's "optional" setting).
        faults: fault rules to start with, as keyword arguments of :meth:`Faults.add` (``sim.faults`` adds more).
        call_time: virtual seconds each answered call takes on ``sim.clock``.
        consistency: ``"strong"`` (every call sees every change at once) or ``"eventual"``: new ids stay unknown to
            other calls, and instances and attachments pass through their intermediate states, for ``lags``.
        lags: virtual seconds per kind under eventual consistency (``botohook.faults.LAGS`` has the defaults).
        virtual_sleep: while this simulation answers (``mock()``), ``time.sleep`` of the code under test advances
            ``sim.clock`` instead of sleeping, so its own retry loops run at once and the same every time.
        regions: names of regions to simulate beyond those botocore knows for EC2 (every region of its partition
            data); a call to any other region raises :class:`~botohook.errors.UnknownRegionError`.

    A value of the wrong type or out of range raises ``TypeError`` or ``ValueError`` here, naming the option.

    Thread-safe: operations on one simulator run one at a time.
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        allocation: str = "random",
        account_id: str = "123456789012",
        default_vpc: bool = True,
        passthrough: bool = False,
        strict: bool = False,
        detached_address_limit: int | None = None,
        instance_types: str | None = None,
        elastic_ip_limit: int = 5,
        record_calls: int | None = 10_000,
        imds_v1: bool = False,
        faults: List[Mapping[str, Any]] | None = None,
        call_time: float = 0.001,
        consistency: str = "strong",
        lags: Mapping[str, float] | None = None,
        virtual_sleep: bool = False,
        regions: Iterable[str] = (),
    ) -> None:
        if not (
            isinstance(account_id, str) and len(account_id) == 12 and account_id.isascii() and account_id.isdigit()
        ):
            raise ValueError(f"account_id must be 12 digits, not {account_id!r}")
        _whole("seed", seed, None, optional=True)
        _whole("record_calls", record_calls, 0, optional=True)
        _whole("detached_address_limit", detached_address_limit, 0, optional=True)
        _whole("elastic_ip_limit", elastic_ip_limit, 0, optional=False)
        flags = (default_vpc, passthrough, strict, imds_v1, virtual_sleep)
        for name, flag in zip(("default_vpc", "passthrough", "strict", "imds_v1", "virtual_sleep"), flags):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, not {flag!r}")
        if isinstance(call_time, bool) or not isinstance(call_time, (int, float)) or call_time < 0:
            raise ValueError(f"call_time must be 0 or more virtual seconds, not {call_time!r}")
        if consistency not in ("strong", "eventual"):
            raise ValueError(f"consistency must be 'strong' or 'eventual', not {consistency!r}")
        unknown = set(lags or {}) - set(LAGS)
        if unknown or any(value < 0 for value in (lags or {}).values()):
            raise ValueError(f"lags are 0 or more virtual seconds for {', '.join(LAGS)}; not {dict(lags or {})!r}")
        self._lags = {**LAGS, **(lags or {})} if consistency == "eventual" else None
        self._custom_regions = frozenset(_region_names(regions))
        self._settings_args = (
            account_id,
            allocation,
            seed,
            default_vpc,
            detached_address_limit,
            None if instance_types is None else str(instance_types),
            elastic_ip_limit,
        )
        self.passthrough = passthrough
        self.imds_v1 = imds_v1
        self.virtual_sleep = virtual_sleep
        self.strict = strict
        self._regions: Dict[str, Region] = {}
        self._lock = threading.Lock()
        # Call's fields, made into Calls on demand; the latest record_calls of them
        self._calls: Deque[Tuple[str, str, str, Params, str | None]] = deque(maxlen=record_calls)
        self._answered = 0  # every call ever recorded, so dropped_calls = _answered - len(_calls)
        self.faults = Faults(seed, _OPERATION_NAMES)
        """Fault rules: ``sim.faults.add("AssignPrivateIpAddresses", "RequestLimitExceeded", times=2)``."""
        self._fault_rules = self.faults._rules  # the same list: one cheap truth test per call while there are none
        self._initial_faults = list(faults or [])
        self.faults.load(self._initial_faults)
        self.clock = Clock(self._lock, lambda: self._answered, call_time)
        """Virtual time: ``sim.clock.now()``, ``sim.clock.advance(seconds)``."""
        self._settings = self._new_settings()
        self._interruptions: List[Interruption] = []  # every one given, for instance metadata
        self._due: List[Interruption] = []  # those with an action to come: one truth test per call while none

    def _new_settings(self) -> Settings:
        settings = Settings(*self._settings_args)
        settings.now = self.clock.now
        settings.lags = self._lags
        return settings

    @property
    def calls(self) -> List[Call]:
        """The calls answered (or refused with an EC2 error), oldest first: the latest ``record_calls`` of them."""
        with self._lock:
            return [Call(*call) for call in self._calls]

    def call_record(self) -> Tuple[int, List[Call]]:
        """``(index of the oldest call kept, the calls kept)`` read at one moment, so that polling from an index
        (the control API's ``calls?since=``) never skips a call: the next poll starts at index + len(calls)."""
        with self._lock:
            return self._answered - len(self._calls), [Call(*call) for call in self._calls]

    @property
    def dropped_calls(self) -> int:
        """How many of the oldest calls ``calls`` no longer holds (beyond ``record_calls``)."""
        with self._lock:
            return self._answered - len(self._calls)

    @property
    def account_id(self) -> str:
        return self._settings.account_id

    def simulates(self, service: str, operation: str) -> bool:
        """Whether botohook answers ``operation`` of ``service`` (e.g. ``"ec2"``, ``"AssignPrivateIpAddresses"``)."""
        return f"{service}.{operation}" in SIMULATED_OPERATIONS

    def answer(self, service: str, operation: str, region: str, params: Params) -> Dict[str, Any]:
        """Answer one request as botocore serialized it; raises ``Ec2Error`` or ``UnsimulatedOperationError``."""
        handler = OPERATIONS.get(operation) if service == "ec2" else None
        if handler is None:
            handler = IDENTITY_OPERATIONS.get(service, {}).get(operation)
            if handler is None:
                raise UnsimulatedOperationError(service, operation)
        else:
            check_parameters(operation, params)
        state = self._regions.get(region)
        if state is None:
            self.check_region(region, service)
            state = self._region(region)
        with self._lock:
            try:
                if self._due:
                    self._carry_out_due()
                if self._fault_rules:
                    fault = self.faults.take(operation)
                    if fault is not None:  # this attempt fails before it changes anything; recorded below
                        raise fault
                if self._lags is not None and operation in _MOVES:
                    before = state.placements()
                    response = handler(state, params)
                    state.placements_changed(before)
                else:
                    response = handler(state, params)
            except Ec2Error as error:
                self._calls.append((service, operation, region, params, error.code))
                self._answered += 1
                raise
            self._calls.append((service, operation, region, params, None))
            self._answered += 1
            return response

    def region(self, name: str = "us-east-1") -> Region:
        """The state of one region, created on first use; :class:`~botohook.errors.UnknownRegionError` (a
        ``ValueError``) for a region botohook does not simulate."""
        if name not in self._regions:
            self.check_region(name)
        return self._region(name)

    def check_region(self, name: str, service: str = "ec2") -> None:
        """Raise :class:`~botohook.errors.UnknownRegionError` unless calls to ``service`` in region ``name`` are
        simulated: a region botocore knows for EC2, one of the ``regions`` option, or, for IAM and STS, a partition's
        global name. Transports answer the error's ``code``, ``message`` and ``status``; nothing is created."""
        if name in self._custom_regions or name in _partition_regions(True):
            return
        if service != "ec2" and name in _partition_regions(False):
            return
        raise UnknownRegionError(name, sorted(_partition_regions(True) | self._custom_regions))

    def _region(self, name: str) -> Region:
        region = self._regions.get(name)
        if region is None:
            with self._lock:
                region = self._regions.get(name) or self._regions.setdefault(name, Region(name, self._settings))
        return region

    def reset(self) -> None:
        """Forget every resource and call, as a fresh simulator with the same options would start."""
        with self._lock:
            self._settings = self._new_settings()
            self._regions.clear()
            self._calls.clear()
            self._answered = 0
            self.clock.reset()
            self._interruptions.clear()
            self._due.clear()
        self.faults.clear()
        self.faults.load(self._initial_faults)

    def interface(self, interface_id: str) -> NetworkInterface:
        """The network interface with this id, in whichever region holds it."""
        return self._find(interface_id, NetworkInterface)

    def subnet(self, subnet_id: str) -> Subnet:
        """The subnet with this id, in whichever region holds it."""
        return self._find(subnet_id, Subnet)

    def vpc(self, vpc_id: str) -> Vpc:
        """The VPC with this id, in whichever region holds it."""
        return self._find(vpc_id, Vpc)

    def instance(self, instance_id: str) -> Instance:
        """The instance with this id, in whichever region holds it."""
        return self._find(instance_id, Instance)

    def elastic_ip(self, allocation_id: str) -> ElasticIp:
        """The Elastic IP with this allocation id, in whichever region holds it."""
        return self._find(allocation_id, ElasticIp)

    def locate(self, resource_id: str) -> Tuple[Region, Resource]:
        """The region holding the resource with this id, and the resource; KeyError if none does."""
        for region in list(self._regions.values()):
            resource = region.resources.get(resource_id)
            if resource is not None:
                return region, resource
        raise KeyError(f"no resource {resource_id!r} in the simulation")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Operations wait while the block runs: inspection inside it sees one consistent network."""
        with self._lock:
            yield

    def load(self, world: Mapping[str, Any] | str | Path) -> None:
        """Build a world described as plain data (or read from a JSON or TOML file) into this simulation, with the
        ids and addresses it names: all of it, or nothing and ``ValueError`` naming the entry. See
        :mod:`botohook.world` for the format; :meth:`dump` gives it back."""
        from . import world as worlds

        worlds.load(self, world if isinstance(world, Mapping) else worlds.read(world))

    def dump(self) -> Dict[str, Any]:
        """This simulation's network as a world :meth:`load` builds again (ids, addresses, tags and all)."""
        from . import world as worlds

        return worlds.dump(self)

    @contextmanager
    def metadata_as(self, instance_id: str) -> Iterator[str]:
        """Requests this process makes to the instance-metadata address ``169.254.169.254`` (with ``requests``,
        ``urllib``, ``urllib3``, the ``ec2-metadata`` package, ...) reach ``instance_id``'s metadata, computed from
        this simulation at each request, until the block ends; yields the view's base URL. Nothing else changes."""
        from .metadata import metadata_as

        with metadata_as(self, instance_id) as url:
            yield url

    def interrupt(
        self,
        instance_id: str,
        notice: str = "spot",
        *,
        at: float | None = None,
        action: str | None = None,
        warning: float | None = None,
    ) -> None:
        """Give ``instance_id`` a notice that its metadata shows from virtual time ``at`` (default: now), then, unless
        it is a rebalance recommendation, stop or terminate it ``warning`` virtual seconds later as EC2 does by
        itself (addresses released, Elastic IPs on deleted interfaces freed, routes through them blackholed).

        ``notice``: ``"spot"`` (``spot/instance-action``; ``action`` ``"terminate"`` or ``"stop"``, after 120 s),
        ``"rebalance"`` (``events/recommendations/rebalance``; nothing follows) or ``"maintenance"``
        (``events/maintenance/scheduled``; ``"stop"`` or ``"terminate"``, after two weeks). Carried out before the
        first call answered, or metadata read, once its time has come (``sim.clock.advance`` gets there at once).
        """
        region, _ = self.locate(self.instance(instance_id).id)
        with self._lock:
            now = self.clock.now()
            event = region.settings.new_id("instance-event")
            given = interruption(instance_id, notice, action, now if at is None else at, warning, now, event)
            self._interruptions.append(given)
            if given.action is not None:
                self._due.append(given)

    def _carry_out_due(self) -> None:
        """Carry out the interruptions whose time has come; the caller holds the lock."""
        now = self.clock.now()
        for due in [d for d in self._due if now >= d.action_at]:
            self._due.remove(due)
            region, _ = self.locate(due.instance_id)
            carry_out(region, due)

    def _notices(self, instance_id: str) -> Dict[str, str]:
        """What ``instance_id``'s metadata shows of its interruptions now, by path under ``meta-data/``, once those
        due are carried out; the caller holds the lock (``paused()``)."""
        if self._due:
            self._carry_out_due()
        return notices([i for i in self._interruptions if i.instance_id == instance_id], self.clock.now())

    def _find(self, resource_id: str, kind: Type[R]) -> R:
        try:
            _, resource = self.locate(resource_id)
        except KeyError:
            resource = None
        if isinstance(resource, kind):
            return resource
        raise KeyError(f"no {kind.__name__} {resource_id!r} in the simulation")


def _region_names(regions: Iterable[str]) -> List[str]:
    """The ``regions`` option, checked: a list of non-empty names."""
    if isinstance(regions, str):
        raise TypeError(f"regions is a list of region names, not the string {regions!r}")
    names = list(regions)
    for name in names:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise TypeError(
                f"regions is a list of region names (lower-case letters, digits, dashes); {name!r} is not one"
            )
    return names


def _whole(name: str, value: object, least: int | None, optional: bool) -> None:
    """Refuse anything but an int (not a bool) of at least ``least``, or None where ``optional``."""
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int{' or None' if optional else ''}, not {value!r}")
    if least is not None and value < least:
        raise ValueError(f"{name} must be {least} or more, not {value}")


OPTIONS = tuple(inspect.signature(Simulator).parameters)
"""The names of :class:`Simulator`'s options."""


def check_options(options: Mapping[str, Any], where: str, extra: Sequence[str] = ()) -> None:
    """Refuse, where they are written, options that ``where`` does not take (``Simulator``'s and ``extra``):
    ``TypeError`` naming the first unknown one, the nearest valid name and every valid one."""
    valid = (*OPTIONS, *extra)
    for name in options:
        if name not in valid:
            nearest = get_close_matches(name, valid, n=1)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
            raise TypeError(f"{where} has no option {name!r}{hint}; its options are: {', '.join(valid)}")
