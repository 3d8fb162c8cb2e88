"""Controlled interleaving: run several agents against one fresh simulation per schedule, answering exactly one of
their EC2 calls at a time in an order the explorer chooses, and check an invariant.

How a call is held: each schedule's simulator is a :class:`_Scheduled`, whose ``answer`` (reached from every
transport: the in-process hook, the net, botocore's retry loop) makes an agent's call wait until the scheduler grants
it. Other simulators are plain :class:`Simulator`\\ s, so the hot path of every call outside an exploration is
untouched: nothing in ``_wiring`` knows about exploration.

The handshake that makes a schedule deterministic: every agent thread is, at any moment, ``RUNNING`` its own code,
``WAITING`` at a call, ``ANSWERING`` (granted, inside the simulator) or ``DONE``. The scheduler decides only when no
agent is running or answering, so the set of waiting agents at each decision, and so the whole run, depends only on
the choices made. An agent blocked on something else (a lock, a queue, another agent) would keep the scheduler
waiting: once no agent has started waiting or returned for ``grace`` real seconds while one waits, the agents still
running count as blocked and the choice is made among those waiting. Sleeps are virtual (``virtual_sleep``), so a
sleeping agent never blocks.

The interface, and why: ``explore(agents, invariant, setup=...)`` as issue 27 names it. Agents are a mapping
name -> callable, so a schedule reads as named calls (``a: DescribeNetworkInterfaces(...)``). Each agent gets its
own client, made once per exploration and pointed at each schedule's simulator: a client costs about 15 ms to make,
more than a whole schedule. For the same reason ``setup`` gets a client (``setup(ec2) -> state``), not only the
simulator: the world is built with the calls users know, on every fresh simulation, and ``state`` carries what the
agents need (ids) and what they believe, which ``invariant(sim, state)`` compares with the simulation's truth.

Invariants:

- At most one agent call is inside the simulator at any time, and only a granted one.
- A schedule is the sequence of granted calls; replaying its agent names grants the same calls in the same order.
- Systematic exploration runs each distinct schedule within the preemption bound exactly once, in order of
  preemptions (iterative context bounding): a failure found is one with the fewest preemptions.
"""

from __future__ import annotations

import inspect
import random
import threading
import time
from contextvars import ContextVar, copy_context
from difflib import get_close_matches
from functools import partial
from queue import SimpleQueue
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Sequence,
    Set,
    Tuple,
    TypeVar,
    Union,
)

from .ec2.wire import Params
from .simulator import Simulator, check_options

S = TypeVar("S")

_RUNNING, _WAITING, _ANSWERING, _DONE = range(4)
_STRATEGIES = ("systematic", "random")
_UNSHOWN = frozenset({"Action", "Version", "ClientToken"})  # not part of what a step shows (ClientToken: random)


class Step(NamedTuple):
    """One answered call of a schedule: which agent made it, the operation and its parameters as sent (wire names,
    such as ``PrivateIpAddress.1``)."""

    agent: str
    operation: str
    params: Tuple[Tuple[str, str], ...]

    def __str__(self) -> str:
        shown = ", ".join(f"{name}={value}" for name, value in self.params)
        return f"{self.agent}: {self.operation}({shown})"


Schedule = Tuple[Step, ...]


class FailingSchedule(NamedTuple):
    """A schedule that broke the invariant (``agent`` None) or in which an agent raised (``agent`` names it);
    ``error`` is what was raised; ``preemptions``: how many times it answered another agent while the one answered
    last waited. ``explore(..., replay=failure.schedule)`` runs the same order again."""

    schedule: Schedule
    error: BaseException
    agent: str | None
    preemptions: int = 0

    def __str__(self) -> str:
        what = f"agent {self.agent!r} raised" if self.agent is not None else "the invariant failed"
        if isinstance(self.error, _HungError):
            what = "agents hung"
        counted = f"{_count(len(self.schedule), 'call')} ({_count(self.preemptions, 'preemption')})"
        lines = [f"{what} after {counted}: {type(self.error).__name__}: {self.error}"]
        lines += [f"  {index}. {step}" for index, step in enumerate(self.schedule, 1)]
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class Exploration(NamedTuple):
    """What :func:`explore` did: ``schedules`` run, how many of them were ``distinct`` orders of calls, whether the
    search was ``complete`` (systematic: every schedule within the preemption bound ran), and the first
    ``failure`` found (None: every schedule held)."""

    schedules: int
    distinct: int
    complete: bool
    failure: FailingSchedule | None

    def __str__(self) -> str:
        scope = "complete" if self.complete else "not exhaustive"
        head = f"{self.schedules} schedules ({self.distinct} distinct, {scope})"
        return f"{head}: no failure" if self.failure is None else f"{head}; {self.failure}"


class _Abandoned(BaseException):
    """Raised in an agent whose schedule has ended (a failure stopped it): not an ``Exception``, so an agent's own
    ``except Exception`` retry loop cannot keep it alive."""


class _HungError(TimeoutError):
    """Agents neither called nor returned within ``timeout`` while none waited: the schedule's failure."""


class DivergedError(RuntimeError):
    """The agents did not repeat their calls under the same choices (they depend on something outside the
    simulation: real time, randomness, ...), so a schedule cannot be replayed or explored systematically."""


Decision = Tuple[List[str], Union[str, None]]


def _preemptions(decisions: Sequence[Decision], steps: Schedule) -> int:
    """How many calls of ``steps`` answered another agent while the one answered before waited."""
    return sum(last in names and step.agent != last for (names, last), step in zip(decisions, steps))


_agent: ContextVar[Tuple[_Run, str] | None] = ContextVar("botohook_agent", default=None)


class _Run:
    """One schedule in progress: the agents' states and the calls granted so far, under one lock."""

    def __init__(self, names: Sequence[str]) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # an agent started waiting or finished
        self.turns = {name: threading.Condition(self.lock) for name in names}
        self.state = dict.fromkeys(names, _RUNNING)
        self.pending: Dict[str, Step] = {}
        self.steps: List[Step] = []
        self.decisions: List[Decision] = []  # per granted call: the agents waiting (the last first), the last
        self.errors: List[Tuple[str, BaseException]] = []
        self.closed = False
        self.moved = time.monotonic()  # when an agent last started waiting or finished
        self.owner = threading.get_ident()  # the explorer's thread: its calls (setup, invariant) are not held

    def wait_turn(self, name: str, operation: str, params: Params) -> None:
        shown = tuple((key, str(value)) for key, value in params.items() if key not in _UNSHOWN)
        with self.lock:
            if self.closed:
                raise _Abandoned
            self.pending[name] = Step(name, operation, shown)
            self.state[name] = _WAITING
            self.moved = time.monotonic()
            self.changed.notify()
            turn = self.turns[name]
            while self.state[name] == _WAITING and not self.closed:
                turn.wait()
            if self.closed:
                raise _Abandoned

    def answered(self, name: str) -> None:
        with self.lock:
            self.state[name] = _RUNNING

    def finish(self, name: str, error: BaseException | None) -> None:
        with self.lock:
            self.state[name] = _DONE
            if error is not None:
                self.errors.append((name, error))
            self.moved = time.monotonic()
            self.changed.notify()

    def settle(self, grace: float, timeout: float) -> List[Step]:
        """Wait until no agent runs its own code (or, when none has started waiting or finished for ``grace``
        seconds, until those still running count as blocked); the calls waiting then, in the agents' order. Raises
        ``_HungError`` when none is waiting and none has moved for ``timeout`` seconds."""
        start = time.monotonic()
        with self.lock:
            while True:
                states = self.state.values()
                if _RUNNING not in states and _ANSWERING not in states:
                    break
                waiting = _WAITING in states
                elapsed = time.monotonic() - max(start, self.moved)
                limit = grace if waiting else timeout
                if elapsed >= limit and _ANSWERING not in states:
                    if waiting:
                        break
                    running = [name for name, state in self.state.items() if state == _RUNNING]
                    raise _HungError(
                        f"agents {', '.join(running)} neither called EC2 nor returned within {timeout} s, and no "
                        "other agent was waiting at a call"
                    )
                self.changed.wait(max(limit - elapsed, 0.001))
            return [self.pending[name] for name, state in self.state.items() if state == _WAITING]

    def grant(self, name: str) -> None:
        with self.lock:
            self.steps.append(self.pending.pop(name))
            self.state[name] = _ANSWERING
            self.turns[name].notify()

    def unfinished(self, grace: float) -> List[str]:
        """The agents still not done after ``grace`` real seconds."""
        deadline = time.monotonic() + grace
        with self.lock:
            while any(state != _DONE for state in self.state.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
            return [name for name, state in self.state.items() if state != _DONE]

    def close(self) -> None:
        """End the schedule: agents waiting, and any that call later, raise ``_Abandoned``."""
        with self.lock:
            self.closed = True
            for turn in self.turns.values():
                turn.notify()


class _Scheduled(Simulator):
    """A simulator whose agents' calls wait for the explorer's grant (see the module's docstring)."""

    run: _Run | None = None

    def answer(self, service: str, operation: str, region: str, params: Params) -> Dict[str, Any]:
        run = self.run
        if run is not None:
            agent = _agent.get()
            if agent is None:
                if threading.get_ident() != run.owner:
                    raise RuntimeError(
                        f"{service}.{operation} was called from a thread that is not an agent of botohook.explore() "
                        "while a schedule runs: the explorer orders only its agents' calls. Make the call from the "
                        "agent's own thread."
                    )
            elif agent[0] is not run:
                raise _Abandoned
            else:
                run.wait_turn(agent[1], operation, params)
                try:
                    return super().answer(service, operation, region, params)
                finally:
                    run.answered(agent[1])
        return super().answer(service, operation, region, params)


Chooser = Callable[[int, List[Step], Union[str, None]], str]
"""Picks the next agent: (step index, the waiting calls, the agent granted last) -> agent name."""


class _Worker:
    """A thread that runs one agent's job per schedule, reused from schedule to schedule: starting a thread costs
    more than the calls of a small schedule. ``None`` ends it."""

    def __init__(self, name: str) -> None:
        self.jobs: SimpleQueue[Callable[[], object] | None] = SimpleQueue()
        threading.Thread(target=self._serve, name=f"botohook-agent-{name}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            job()


class _Explorer(Generic[S]):
    def __init__(
        self,
        agents: Mapping[str, Callable[[Any, S], object]],
        invariant: Callable[[Simulator, S], object] | None,
        setup: Callable[[Any], S] | None,
        world: Any,
        options: Mapping[str, Any],
        region: str,
        check_each_call: bool,
        grace: float,
        timeout: float,
    ) -> None:
        self.agents = dict(agents)
        self.names = list(agents)
        self.invariant = invariant
        self.setup = setup
        self.world = world
        self.options = dict(options)
        self.region = region
        self.check_each_call = check_each_call
        self.grace = grace
        self.timeout = timeout
        self.clients: Dict[str, Any] = {}
        self.hooks: Dict[str, Any] = {}  # each client's botohook hook
        self.workers: Dict[str, _Worker] = {}

    def _client(self, name: str, simulator: Simulator) -> Any:
        """Each agent's own client (and the setup's), made once per exploration (a client costs about 15 ms to make,
        far more than a schedule), answered by ``simulator`` whatever else is active: an agent thread abandoned
        past ``timeout`` that calls after the exploration ended meets its closed schedule, never the network."""
        from . import _wiring

        client = self.clients.get(name)
        if client is None:
            import boto3

            if not self.clients:
                self.session = boto3.Session(region_name=self.region)
            client = self.clients[name] = self.session.client("ec2")
            with _wiring._state_lock:
                self.hooks[name] = _wiring._hook_on(client, client.meta.events)
        self.hooks[name].simulator = simulator
        return client

    def _worker(self, name: str) -> _Worker:
        worker = self.workers.get(name)
        if worker is None:
            worker = self.workers[name] = _Worker(name)
        return worker

    def close(self) -> None:
        """Let every worker thread end."""
        for worker in self.workers.values():
            worker.jobs.put(None)
        self.workers.clear()

    def run(self, choose: Chooser) -> Tuple[Schedule, FailingSchedule | None, List[Decision]]:
        """One schedule on a fresh simulation: its calls, its failure if any, and the decisions made."""
        from . import _wiring

        simulator = _Scheduled(**self.options)
        activation = _wiring.activate(simulator)
        try:
            if self.world is not None:
                simulator.load(self.world)
            setup_client = self._client("", simulator) if self.setup is not None else None
            clients = [self._client(f"agent {name}", simulator) for name in self.names]
            state: Any = None if self.setup is None else self.setup(setup_client)
            run = simulator.run = _Run(self.names)
            for name, client in zip(self.names, clients):
                job = partial(copy_context().run, self._agent_main, run, name, self.agents[name], client, state)
                self._worker(name).jobs.put(job)
            try:
                failure = self._drive(run, choose, simulator, state)
            finally:
                run.close()
                for name in run.unfinished(self.grace):  # abandoned while blocked elsewhere: not reused
                    self.workers.pop(name).jobs.put(None)
            steps = tuple(run.steps)
            if failure is None and run.errors:
                agent, error = run.errors[0]
                failure = FailingSchedule(steps, error, agent)
            if failure is None and self.invariant is not None:
                failure = self._check(steps, simulator, state)
            if failure is not None:
                failure = failure._replace(preemptions=_preemptions(run.decisions, failure.schedule))
            return steps, failure, run.decisions
        finally:
            _wiring.deactivate(activation)

    def _drive(self, run: _Run, choose: Chooser, simulator: Simulator, state: Any) -> FailingSchedule | None:
        last: str | None = None
        while True:
            try:
                waiting = run.settle(self.grace, self.timeout)
            except _HungError as hung:
                return FailingSchedule(tuple(run.steps), hung, None)
            if not waiting:  # every agent is done (or blocked): the end's check follows
                return None
            if self.check_each_call and run.steps and self.invariant is not None:
                failure = self._check(tuple(run.steps), simulator, state)
                if failure is not None:
                    return failure
            if last is not None:  # the agent granted last first: choosing it is not a preemption
                waiting.sort(key=lambda step: step.agent != last)
            run.decisions.append(([step.agent for step in waiting], last))
            last = choose(len(run.steps), waiting, last)
            run.grant(last)

    def _check(self, steps: Schedule, simulator: Simulator, state: Any) -> FailingSchedule | None:
        assert self.invariant is not None
        try:
            held = self.invariant(simulator, state)
        except Exception as error:
            return FailingSchedule(steps, error, None)
        if held is False:
            name = getattr(self.invariant, "__name__", "the invariant")
            return FailingSchedule(steps, AssertionError(f"{name} returned False"), None)
        return None

    @staticmethod
    def _agent_main(run: _Run, name: str, agent: Callable[[Any, S], object], client: Any, state: S) -> None:
        _agent.set((run, name))
        error: BaseException | None = None
        try:
            returned = agent(client, state)
            if inspect.isawaitable(returned):
                close = getattr(returned, "close", None)
                if close is not None:
                    close()  # never awaited: no "coroutine was never awaited" warning on top of the error
                raise TypeError(
                    f"agent {name!r} returned an awaitable: agents run in threads; run async code with asyncio.run()"
                )
        except _Abandoned:
            pass
        except BaseException as raised:  # reported as the schedule's failure, never swallowed
            error = raised
        run.finish(name, error)


Seen = Set[Tuple[Tuple[str, str], ...]]


def _systematic(
    explorer: _Explorer[Any], preemptions: int | None, schedules: int
) -> Tuple[int, Seen, bool, FailingSchedule | None]:
    """Iterative context bounding: every schedule with 0 preemptions, then 1, ... up to ``preemptions``, each run
    once. A run follows a prefix of agent names, then never preempts: it grants the agent granted last while that
    one waits (else the first waiting); each other choice on the way becomes a prefix to run, at this bound or,
    when it preempts, at the next."""
    level = 0
    stack: List[Tuple[str, ...]] = [()]
    deferred: List[Tuple[str, ...]] = []  # prefixes with one preemption more than ``level``
    ran = 0
    seen: Seen = set()
    while True:
        if not stack:
            if not deferred or (preemptions is not None and level >= preemptions):
                return ran, seen, True, None
            level += 1
            stack, deferred = deferred[::-1], []
        if ran >= schedules:
            return ran, seen, False, None
        prefix = stack.pop()
        steps, failure, decisions = explorer.run(_following(prefix))
        ran += 1
        seen.add(tuple((step.agent, step.operation) for step in steps))
        if failure is not None:
            return ran, seen, False, failure
        chosen = [step.agent for step in steps]
        spent = 0  # preemptions before the call at ``index``
        for index, (names, last) in enumerate(decisions):
            preempting = last in names  # choosing any but names[0] (the last) preempts it
            if index >= len(prefix):
                pushed = stack if spent + preempting == level else deferred
                pushed.extend((*chosen[:index], alternative) for alternative in reversed(names[1:]))
            spent += preempting and chosen[index] != last


def _following(prefix: Sequence[Step | str]) -> Chooser:
    """Grant the calls ``prefix`` names (agent names, or steps whose operations must match too), then never
    preempt: the agent granted last while it waits, else the first waiting. :class:`DivergedError` where the
    named call is not waiting."""

    def choose(index: int, waiting: List[Step], last: str | None) -> str:
        if index >= len(prefix):
            return waiting[0].agent
        wanted = prefix[index]
        agent, operation = (wanted, None) if isinstance(wanted, str) else (wanted.agent, wanted.operation)
        for step in waiting:
            if step.agent == agent and operation in (None, step.operation):
                return agent
        raise DivergedError(
            f"at call {index + 1} the schedule says {wanted}, but the waiting calls are: {'; '.join(map(str, waiting))}"
            " (the agents must make the same calls under the same choices)"
        )

    return choose


def _random(explorer: _Explorer[Any], seed: int, schedules: int) -> Tuple[int, Seen, bool, FailingSchedule | None]:
    """``schedules`` runs, each call chosen uniformly among those waiting, from one generator seeded ``seed``; a
    failure found is shrunk (``_shrink``)."""
    rng = random.Random(seed)
    seen: Seen = set()

    def choose(index: int, waiting: List[Step], last: str | None) -> str:
        return waiting[rng.randrange(len(waiting))].agent

    for ran in range(1, schedules + 1):
        steps, failure, decisions = explorer.run(choose)
        seen.add(tuple((step.agent, step.operation) for step in steps))
        if failure is not None:
            failure, shrinking = _shrink(explorer, failure, decisions, seen)
            return ran + shrinking, seen, False, failure
    return schedules, seen, False, None


def _shrink(
    explorer: _Explorer[Any], failure: FailingSchedule, decisions: List[Decision], seen: Seen
) -> Tuple[FailingSchedule, int]:
    """A failing schedule with fewer preemptions, greedily. At each preemption (the agent answered last was waiting
    but another was answered), try letting the agent answered last go on instead, its next run of calls moved up
    there, the others in their order. Keep the first that still fails (this failure or another) with fewer
    preemptions, and start again. Returns it and the number of runs it took."""
    ran = 0
    shrunk = True
    while shrunk and failure.preemptions:
        shrunk = False
        names = [step.agent for step in failure.schedule]
        for candidate in _candidates(names, decisions):
            try:
                steps, found, trace = explorer.run(_following(candidate))
            except DivergedError:  # the agents went another way: this preemption stays
                continue
            finally:
                ran += 1
            seen.add(tuple((step.agent, step.operation) for step in steps))
            if found is not None and found.preemptions < failure.preemptions:
                failure, decisions, shrunk = found, trace, True
                break
    return failure, ran


def _candidates(names: List[str], decisions: List[Decision]) -> Iterator[List[str]]:
    """Orders of ``names`` with one preemption undone: at each, the agent answered last goes on with its next run
    of calls, moved up to the preemption."""
    for index, ((waiting, last), name) in enumerate(zip(decisions, names)):
        if last is None or last not in waiting or name == last or last not in names[index:]:
            continue
        start = names.index(last, index)
        end = start
        while end < len(names) and names[end] == last:
            end += 1
        yield [*names[:index], *names[start:end], *names[index:start], *names[end:]]


def explore(
    agents: Mapping[str, Callable[[Any, S], object]],
    invariant: Callable[[Simulator, S], object] | None = None,
    *,
    setup: Callable[[Any], S] | None = None,
    world: Any = None,
    strategy: str | None = None,
    schedules: int = 1000,
    preemptions: int | None = None,
    seed: int | None = None,
    replay: Sequence[Step | str] | None = None,
    check_each_call: bool = False,
    region: str = "us-east-1",
    options: Mapping[str, Any] | None = None,
    grace: float = 0.5,
    timeout: float = 30.0,
) -> Exploration:
    """Run ``agents`` concurrently against a fresh simulation per schedule, answering one EC2 call at a time in an
    order of the explorer's choosing, and check ``invariant`` on each; stop at the first failing schedule.

    agents: name -> ``agent(ec2, state)``, each run in its own thread with its own EC2 client (``region``); it may
        also make its own clients: every client in its thread is answered by the schedule's simulation.
    invariant: ``invariant(sim, state)``, checked once every agent has returned (and after each call with
        ``check_each_call``); it fails by raising or returning False. An agent that raises fails the schedule too.
    setup: ``setup(ec2) -> state``, run on each fresh simulation before the agents (after ``world`` is loaded), with
        a client of its own; ``state`` goes to every agent and to the invariant (agents may record beliefs in it).
    world: a world (:meth:`Simulator.load`) to load into each fresh simulation.
    strategy: ``"systematic"`` (default): every distinct order of calls, fewest preemptions first, up to
        ``preemptions`` (None: unbounded) and at most ``schedules`` runs; ``"random"``: ``schedules`` runs, each call
        chosen at random among the waiting ones from ``seed`` (default 0), and a failure found shrunk to fewer
        preemptions (the runs that takes count in the result's ``schedules``).
    replay: a schedule (``failure.schedule``, or agent names in order) to run exactly once instead of exploring;
        :class:`DivergedError` if the agents do not make the same calls again.
    options: :class:`Simulator` options of each fresh simulation; ``seed`` defaults to 0 and ``virtual_sleep`` to
        True, so that every schedule starts from the same ids and an agent's ``time.sleep`` never blocks.
    grace: real seconds in which no agent started waiting or returned, while one waits at a call, after which the
        agents still running their own code count as blocked (on a lock, a queue, ...) and the explorer chooses among
        the waiting calls; only agents blocked outside EC2 calls make it matter.
    timeout: real seconds in which no agent called or returned, while none waits, after which the schedule fails.
    """
    _check_arguments(agents, strategy, schedules, preemptions, seed, replay, grace, timeout)
    options = {"seed": 0, "virtual_sleep": True, **(options or {})}
    check_options(options, "botohook.explore(options=...)")
    explorer = _Explorer(agents, invariant, setup, world, options, region, check_each_call, grace, timeout)
    try:
        if replay is not None:
            return Exploration(1, 1, True, explorer.run(_following(replay))[1])
        if strategy == "random":
            ran, seen, complete, failure = _random(explorer, seed or 0, schedules)
        else:
            ran, seen, complete, failure = _systematic(explorer, preemptions, schedules)
        return Exploration(ran, len(seen), complete, failure)
    finally:
        explorer.close()


def _check_arguments(
    agents: Mapping[str, Any],
    strategy: str | None,
    schedules: int,
    preemptions: int | None,
    seed: int | None,
    replay: Sequence[Step | str] | None,
    grace: float,
    timeout: float,
) -> None:
    """Refuse arguments :func:`explore` cannot honour, naming them."""
    if not isinstance(agents, Mapping) or not agents:
        raise TypeError(f"agents is a non-empty mapping of name -> agent(ec2, state), not {agents!r}")
    for name, agent in agents.items():
        if not isinstance(name, str) or not name or not callable(agent):
            raise TypeError(f"agents maps names (non-empty strings) to callables; not {name!r}: {agent!r}")
        if inspect.iscoroutinefunction(agent):
            raise TypeError(f"agent {name!r} is a coroutine function: agents run in threads; wrap it in asyncio.run()")
    if strategy is not None and strategy not in _STRATEGIES:
        nearest = get_close_matches(str(strategy), _STRATEGIES, n=1)
        hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
        raise ValueError(f"strategy must be one of {', '.join(map(repr, _STRATEGIES))}, not {strategy!r}{hint}")
    if replay is not None and (strategy is not None or preemptions is not None):
        raise TypeError("replay runs the one schedule given: it takes no strategy or preemptions")
    if strategy == "random" and preemptions is not None:
        raise TypeError("preemptions bounds the systematic strategy; the random one takes none")
    if strategy != "random" and seed is not None:
        raise TypeError(
            "seed draws the random strategy's choices: pass strategy='random' (the Simulator's seed goes in options)"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, not {seed!r}")
    if isinstance(replay, str):
        raise TypeError(f"replay is a sequence of steps or agent names, not the string {replay!r}")
    if isinstance(schedules, bool) or not isinstance(schedules, int) or schedules < 1:
        raise ValueError(f"schedules must be an int of at least 1, not {schedules!r}")
    if preemptions is not None and (
        isinstance(preemptions, bool) or not isinstance(preemptions, int) or preemptions < 0
    ):
        raise ValueError(f"preemptions must be None or an int of at least 0, not {preemptions!r}")
    for value, name in ((grace, "grace"), (timeout, "timeout")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
