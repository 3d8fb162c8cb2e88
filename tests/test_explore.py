"""botohook.explore: agents' EC2 calls answered one at a time in chosen orders, an invariant checked on each order.

The agents call through genuine boto3 clients (each its own, given by the explorer); the toy failover below is the
check-then-act race of issue 27: each node asks who holds the floating address and takes it if nobody does.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from itertools import permutations
from math import factorial, prod
from typing import Any, Callable, Dict, List, Set, Tuple

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

import botohook

FLOATING = "10.0.1.100"
MOVE = {"AllowReassignment": True}
Agent = Callable[[Any, Any], object]


def two_interfaces(ec2: Any) -> Dict[str, Any]:
    """The world of the failover toy: a node's interface each, the floating address on neither; and the nodes'
    beliefs (who thinks it is primary), which the agents fill in."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    enis = {
        node: ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"] for node in "ab"
    }
    return {"eni": enis, "primary": set()}


def holders(ec2: Any) -> List[Any]:
    filters = [{"Name": "addresses.private-ip-address", "Values": [FLOATING]}]
    return list(ec2.describe_network_interfaces(Filters=filters)["NetworkInterfaces"])


def check_then_act(node: str) -> Agent:
    """The classic bug: read "nobody holds it", then take it with AllowReassignment, which moves it from anyone."""

    def agent(ec2: Any, state: Dict[str, Any]) -> None:
        if not holders(ec2):
            ec2.assign_private_ip_addresses(
                NetworkInterfaceId=state["eni"][node], PrivateIpAddresses=[FLOATING], AllowReassignment=True
            )
            state["primary"].add(node)

    return agent


def claim(node: str) -> Agent:
    """The fix: the address's owner is the lock. Without AllowReassignment, EC2 refuses to move an address another
    interface holds (InvalidParameterValue "... move is not allowed."), so only one claim succeeds."""

    def agent(ec2: Any, state: Dict[str, Any]) -> None:
        if not holders(ec2):
            try:
                ec2.assign_private_ip_addresses(
                    NetworkInterfaceId=state["eni"][node], PrivateIpAddresses=[FLOATING], AllowReassignment=False
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "InvalidParameterValue":
                    raise
                return
            state["primary"].add(node)

    return agent


def one_primary(sim: botohook.Simulator, state: Dict[str, Any]) -> None:
    """The floating address is on exactly one interface, and exactly its node believes it is primary."""
    on = {node for node, eni in state["eni"].items() if FLOATING in sim.interface(eni).secondary_addresses}
    assert len(on) == 1, f"{FLOATING} is on {sorted(on)}"
    assert state["primary"] == on, f"{sorted(state['primary'])} believe they are primary; {sorted(on)} holds it"


def failover(agent: Callable[[str], Agent], **kwargs: Any) -> botohook.Exploration:
    return botohook.explore(
        {"a": agent("a"), "b": agent("b")}, one_primary, setup=two_interfaces, options={"strict": True}, **kwargs
    )


def test_systematic_exploration_finds_split_brain_with_one_preemption() -> None:
    result = failover(check_then_act)
    failure = result.failure
    assert failure is not None and failure.agent is None
    assert "['a', 'b'] believe they are primary" in str(failure.error)
    # fewest preemptions first: a reads, b preempts it and runs to the end, then a acts on its stale read
    assert [(step.agent, step.operation) for step in failure.schedule] == [
        ("a", "DescribeNetworkInterfaces"),
        ("b", "DescribeNetworkInterfaces"),
        ("b", "AssignPrivateIpAddresses"),
        ("a", "AssignPrivateIpAddresses"),
    ]
    assert dict(failure.schedule[3].params)["AllowReassignment"] == "true"
    assert dict(failure.schedule[0].params)["Filter.1.Value.1"] == FLOATING
    assert result.schedules == 3 and not result.complete  # the two without preemption hold; the third fails
    report = str(failure)
    assert failure.preemptions == 1
    assert "the invariant failed after 4 calls (1 preemption): AssertionError: ['a', 'b'] believe" in report
    assert "  4. a: AssignPrivateIpAddresses(NetworkInterfaceId=eni-" in report


def test_a_stale_read_is_found() -> None:
    """a steps down: it reads its own addresses and, seeing the floating one, gives it up; b takes over meanwhile.
    Acting on the stale read, a unassigns an address b now holds: EC2 refuses it, and the explorer reports a's error."""

    def step_down(ec2: Any, state: Dict[str, Any]) -> None:
        eni = state["eni"]["a"]
        [mine] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
        if any(entry["PrivateIpAddress"] == FLOATING for entry in mine["PrivateIpAddresses"]):
            ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING])

    def take_over(ec2: Any, state: Dict[str, Any]) -> None:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=state["eni"]["b"], PrivateIpAddresses=[FLOATING], **MOVE)

    def held_by_a(ec2: Any) -> Dict[str, Any]:
        state = two_interfaces(ec2)
        ec2.assign_private_ip_addresses(NetworkInterfaceId=state["eni"]["a"], PrivateIpAddresses=[FLOATING])
        return state

    result = botohook.explore({"a": step_down, "b": take_over}, setup=held_by_a)
    failure = result.failure
    assert failure is not None and failure.agent == "a" and isinstance(failure.error, ClientError)
    assert failure.error.response["Error"]["Code"] == "InvalidParameterValue"
    assert "Address 10.0.1.100 is not assigned to interface eni-" in failure.error.response["Error"]["Message"]
    assert [(step.agent, step.operation) for step in failure.schedule] == [
        ("a", "DescribeNetworkInterfaces"),
        ("b", "AssignPrivateIpAddresses"),
        ("a", "UnassignPrivateIpAddresses"),
    ]


def test_a_lost_update_is_found() -> None:
    """Two agents count their takeovers in a tag: read, add one, write. Interleaved, one update is lost."""

    def count(ec2: Any, eni: str) -> None:
        tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [eni]}])["Tags"]
        seen = int(next((tag["Value"] for tag in tags if tag["Key"] == "takeovers"), "0"))
        ec2.create_tags(Resources=[eni], Tags=[{"Key": "takeovers", "Value": str(seen + 1)}])

    def counted_twice(sim: botohook.Simulator, eni: str) -> None:
        assert sim.interface(eni).tags.get("takeovers") == "2", sim.interface(eni).tags

    result = botohook.explore(
        {"a": count, "b": count}, counted_twice, setup=lambda ec2: two_interfaces(ec2)["eni"]["a"]
    )
    failure = result.failure
    assert failure is not None and failure.agent is None
    assert [step.operation for step in failure.schedule] == ["DescribeTags", "DescribeTags", "CreateTags", "CreateTags"]
    assert result.schedules == 3  # aabb and bbaa hold


def test_no_preemption_hides_the_race() -> None:
    result = failover(check_then_act, preemptions=0)
    assert result.failure is None
    assert (result.schedules, result.distinct, result.complete) == (2, 2, True)


def test_random_exploration_finds_split_brain() -> None:
    result = failover(check_then_act, strategy="random", seed=1, schedules=50)
    assert result.failure is not None
    assert "believe they are primary" in str(result.failure.error)


def test_the_fixed_agent_holds_in_every_schedule() -> None:
    result = failover(claim)
    assert result.failure is None, result.failure
    # 2 schedules in which one node claims before the other reads (3 calls), 4 in which both read nobody and both
    # claim, one of them refused (4 calls): every one, each once
    assert (result.schedules, result.distinct, result.complete) == (6, 6, True)


def test_replay_reproduces_the_failing_schedule() -> None:
    found = failover(check_then_act).failure
    assert found is not None
    again = failover(check_then_act, replay=found.schedule)
    assert (again.schedules, again.complete) == (1, True)
    assert again.failure is not None
    assert again.failure.schedule == found.schedule  # the same calls, same ids and parameters, in the same order
    assert str(again.failure.error) == str(found.error)
    by_name = failover(check_then_act, replay=["a", "b", "b", "a"]).failure
    assert by_name is not None and by_name.schedule == found.schedule
    assert failover(check_then_act, replay=["a", "a", "b"]).failure is None  # no preemption: a prefix, then in turn


def test_replay_refuses_a_schedule_the_agents_do_not_follow() -> None:
    found = failover(check_then_act).failure
    assert found is not None
    with pytest.raises(botohook.DivergedError, match=r"at call 2 the schedule says b: AssignPrivateIp.*, but the wait"):
        failover(check_then_act, replay=["a", found.schedule[2]])  # b's claim, but b has not read yet
    with pytest.raises(botohook.DivergedError, match="at call 1 the schedule says c"):
        failover(claim, replay=["c"])


def test_agents_that_change_between_schedules_are_refused() -> None:
    """a depends on something outside the simulation (here: how often it ran): three calls the first time, none
    after. The systematic search cannot follow the orders it derived from the first run, and says so."""
    runs: List[int] = []

    def fickle(ec2: Any, state: Any) -> None:
        runs.append(1)
        for _ in range(3 if len(runs) == 1 else 0):
            ec2.describe_vpcs()

    with pytest.raises(botohook.DivergedError, match=r"at call 1 the schedule says a, but the waiting calls are: b: "):
        botohook.explore({"a": fickle, "b": calls(1)}, setup=lambda ec2: [])


def test_each_call_check_sees_transient_states() -> None:
    """An agent that takes the address and gives it back: it holds at the end, but not after the first call."""

    def flicker(ec2: Any, state: Dict[str, Any]) -> None:
        eni = state["eni"]["a"]
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING])
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING])

    def nobody_holds(sim: botohook.Simulator, state: Dict[str, Any]) -> bool:
        return all(FLOATING not in sim.interface(eni).secondary_addresses for eni in state["eni"].values())

    at_end = botohook.explore({"a": flicker}, nobody_holds, setup=two_interfaces)
    assert at_end.failure is None and at_end.schedules == 1
    each = botohook.explore({"a": flicker}, nobody_holds, setup=two_interfaces, check_each_call=True).failure
    assert each is not None and each.agent is None
    assert [step.operation for step in each.schedule] == ["AssignPrivateIpAddresses"]
    assert "nobody_holds returned False" in str(each.error)


def test_each_call_check_runs_once_after_each_call() -> None:
    checked: List[int] = []

    def count(sim: botohook.Simulator, state: Any) -> None:
        checked.append(len(sim.calls))

    result = botohook.explore(agents({"a": 2, "b": 1}), count, setup=lambda ec2: [], check_each_call=True)
    assert result.failure is None and result.schedules == 3
    assert checked == [1, 2, 3] * 3


@pytest.mark.parametrize(("preemptions", "expected"), [(0, 2), (1, 4), (2, 6), (None, 6)])
def test_two_agents_of_two_calls(preemptions: int | None, expected: int) -> None:
    """C(4,2) = 6 interleavings; without preemption aabb and bbaa; with one, abba and baab too."""
    orders: List[Tuple[str, ...]] = []
    counts = {"a": 2, "b": 2}
    result = botohook.explore(agents(counts), record(orders), setup=lambda ec2: [], preemptions=preemptions)
    assert (result.schedules, result.distinct, result.complete, result.failure) == (expected, expected, True, None)
    assert len(set(orders)) == expected
    assert set(orders) == {o for o in interleavings(counts) if preempts(o, counts) <= bound(preemptions)}


def calls(count: int, name: str = "?") -> Agent:
    """An agent making ``count`` calls, noting ``name`` in the schedule's state after each."""

    def agent(ec2: Any, order: List[str]) -> None:
        for _ in range(count):
            ec2.describe_vpcs()
            order.append(name)

    return agent


def agents(counts: Dict[str, int]) -> Dict[str, Agent]:
    return {name: calls(count, name) for name, count in counts.items()}


def record(orders: List[Tuple[str, ...]]) -> Callable[[botohook.Simulator, List[str]], None]:
    """An invariant that holds, noting each schedule's order of calls as the agents saw it."""

    def invariant(sim: botohook.Simulator, order: List[str]) -> None:
        orders.append(tuple(order))

    return invariant


def bound(preemptions: int | None) -> int:
    return 10**9 if preemptions is None else preemptions


def interleavings(counts: Dict[str, int]) -> Set[Tuple[str, ...]]:
    return set(permutations([name for name, count in counts.items() for _ in range(count)]))


def preempts(order: Tuple[str, ...], counts: Dict[str, int]) -> int:
    """Switches away from an agent that still had calls to make."""
    left = Counter(counts)
    switches = 0
    for previous, current in zip(order, order[1:]):
        left[previous] -= 1
        switches += current != previous and left[previous] > 0
    return switches


@settings(max_examples=15, deadline=None)
@given(
    counts=st.lists(st.integers(0, 3), min_size=1, max_size=3).filter(lambda c: sum(c) <= 6),
    preemptions=st.one_of(st.none(), st.integers(0, 3)),
)
def test_systematic_runs_each_schedule_within_the_bound_once(counts: List[int], preemptions: int | None) -> None:
    named = {name: count for name, count in zip("abc", counts)}
    orders: List[Tuple[str, ...]] = []
    result = botohook.explore(agents(named), record(orders), setup=lambda ec2: [], preemptions=preemptions)
    expected = {o for o in interleavings(named) if preempts(o, named) <= bound(preemptions)}
    assert sorted(orders) == sorted(expected)  # every one, each once
    assert (result.schedules, result.distinct, result.complete) == (len(expected), len(expected), True)
    if preemptions is None:
        assert result.schedules == factorial(sum(counts)) // prod(factorial(c) for c in counts)
    # fewest preemptions first (iterative context bounding)
    assert [preempts(o, named) for o in orders] == sorted(preempts(o, named) for o in orders)


def busy_counter(noise: int) -> Agent:
    """``noise`` calls of its own, then read a tag, add one, write it: the lost update, after a while."""

    def agent(ec2: Any, eni: str) -> None:
        for _ in range(noise):
            ec2.describe_vpcs()
        tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [eni]}])["Tags"]
        seen = int(next((tag["Value"] for tag in tags if tag["Key"] == "n"), "0"))
        ec2.create_tags(Resources=[eni], Tags=[{"Key": "n", "Value": str(seen + 1)}])

    return agent


def counted(sim: botohook.Simulator, eni: str) -> None:
    assert sim.interface(eni).tags.get("n") == "3", sim.interface(eni).tags


@pytest.mark.parametrize("seed", range(4))
def test_a_random_failure_is_shrunk_to_the_fewest_preemptions(seed: int) -> None:
    """Random orders of three agents preempt often; the failure reported has one preemption, the least the lost
    update needs (one agent reads, another runs to the end, the first writes), and still replays."""
    three = {name: busy_counter(2) for name in "abc"}
    result = botohook.explore(three, counted, setup=lambda ec2: new_eni(ec2), strategy="random", seed=seed)
    failure = result.failure
    assert failure is not None and failure.agent is None
    assert failure.preemptions == 1, failure
    again = botohook.explore(three, counted, setup=lambda ec2: new_eni(ec2), replay=failure.schedule).failure
    assert again is not None and again.schedule == failure.schedule and again.preemptions == 1


def new_eni(ec2: Any) -> str:
    return str(two_interfaces(ec2)["eni"]["a"])


def test_random_schedules_repeat_with_their_seed() -> None:
    def run(seed: int) -> List[Tuple[str, ...]]:
        orders: List[Tuple[str, ...]] = []
        three = agents({"a": 2, "b": 2, "c": 2})
        result = botohook.explore(
            three, record(orders), setup=lambda ec2: [], strategy="random", seed=seed, schedules=20
        )
        assert result.schedules == 20 and result.distinct == len(set(orders)) and not result.complete
        return orders

    first = run(5)
    assert run(5) == first
    assert run(6) != first
    assert len(set(first)) > 5  # not one order over and over


def test_schedules_caps_the_systematic_search() -> None:
    result = botohook.explore({"a": calls(2), "b": calls(2)}, setup=lambda ec2: [], schedules=4)
    assert (result.schedules, result.complete, result.failure) == (4, False, None)


def test_an_agents_exception_is_the_failure() -> None:
    def wrong_id(ec2: Any, state: Any) -> None:
        ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0123456789abcdef0"])

    def boom(ec2: Any, state: Any) -> None:
        ec2.describe_vpcs()
        raise ValueError("agent b's own bug")

    result = botohook.explore({"a": calls(1), "b": wrong_id}, setup=lambda ec2: [])
    failure = result.failure
    assert failure is not None and failure.agent == "b" and result.schedules == 1
    assert isinstance(failure.error, ClientError)
    assert failure.error.response["Error"]["Code"] == "InvalidNetworkInterfaceID.NotFound"
    assert [step.agent for step in failure.schedule] == ["a", "b"]
    assert "agent 'b' raised after 2 calls (0 preemptions): ClientError" in str(failure)
    failure = botohook.explore({"a": calls(1), "b": boom}, setup=lambda ec2: []).failure
    assert failure is not None and failure.agent == "b" and str(failure.error) == "agent b's own bug"


def test_an_agent_blocked_on_another_does_not_deadlock() -> None:
    """a waits (outside EC2) for b's first answer: the explorer chooses among the waiting calls after ``grace``."""

    def waiter(ec2: Any, state: Dict[str, threading.Event]) -> None:
        state["b answered"].wait(10)
        ec2.describe_vpcs()

    def setter(ec2: Any, state: Dict[str, threading.Event]) -> None:
        ec2.describe_vpcs()
        state["b answered"].set()
        ec2.describe_subnets()

    result = botohook.explore(
        {"a": waiter, "b": setter}, setup=lambda ec2: {"b answered": threading.Event()}, grace=0.25
    )
    assert result.failure is None, result.failure
    assert result.complete and result.schedules == 2  # b's second call before a's, or after


def test_an_agent_that_never_calls_nor_returns_fails_the_schedule() -> None:
    release = threading.Event()

    def stuck(ec2: Any, state: Any) -> None:
        release.wait(30)

    try:
        failure = botohook.explore({"a": calls(1), "b": stuck}, setup=lambda ec2: [], timeout=0.2, grace=0.05).failure
    finally:
        release.set()
    assert failure is not None and isinstance(failure.error, TimeoutError)
    assert "agents b neither called EC2 nor returned within 0.2 s" in str(failure.error)
    assert str(failure).startswith("agents hung after 1 call (0 preemptions): ")
    assert [step.agent for step in failure.schedule] == ["a"]


def test_an_abandoned_agent_that_calls_later_never_reaches_the_network() -> None:
    """An agent given up past ``timeout`` that wakes after the exploration ended meets its closed schedule (an
    exception ``except Exception`` does not catch), not AWS (the test's network guard would refuse it)."""
    release = threading.Event()
    outcome: List[BaseException] = []

    def stuck(ec2: Any, state: Any) -> None:
        release.wait(30)
        try:
            ec2.describe_vpcs()
        except BaseException as error:
            outcome.append(error)
            raise

    failure = botohook.explore({"a": stuck}, timeout=0.1, grace=0.05).failure
    assert failure is not None and isinstance(failure.error, TimeoutError)
    release.set()
    deadline = time.monotonic() + 10
    while not outcome and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [type(error).__name__ for error in outcome] == ["_Abandoned"]
    assert not isinstance(outcome[0], Exception)


def test_sleeps_are_virtual() -> None:
    clock: List[float] = []

    def patient(ec2: Any, state: Any) -> None:
        ec2.describe_vpcs()
        time.sleep(300)
        ec2.describe_vpcs()

    def elapsed(sim: botohook.Simulator, state: Any) -> None:
        clock.append(sim.clock.now())

    started = time.monotonic()
    result = botohook.explore({"a": patient, "b": patient}, elapsed)
    assert result.failure is None and result.schedules == 6
    assert time.monotonic() - started < 30
    assert min(clock) >= 600


def test_calls_from_threads_an_agent_starts_are_refused() -> None:
    def spawner(ec2: Any, state: Any) -> None:
        errors: List[BaseException] = []

        def call() -> None:
            try:
                ec2.describe_vpcs()
            except BaseException as error:
                errors.append(error)

        helper = threading.Thread(target=call)
        helper.start()
        helper.join()
        raise errors[0]

    failure = botohook.explore({"a": spawner}).failure
    assert failure is not None and isinstance(failure.error, RuntimeError)
    assert "ec2.DescribeVpcs was called from a thread that is not an agent of botohook.explore()" in str(failure.error)


def test_each_failing_attempt_of_a_retried_call_is_a_step() -> None:
    """A throttled call is retried by botocore: each attempt waits for its turn like any call, so another agent's
    call can come between an attempt and its retry."""
    throttled = {"faults": [{"operation": "DescribeVpcs", "code": "RequestLimitExceeded", "times": 1}]}
    seen: List[Tuple[Tuple[str | None, ...], Tuple[str, ...]]] = []

    def attempts(sim: botohook.Simulator, order: List[str]) -> None:
        seen.append((tuple(call.error for call in sim.calls), tuple(order)))

    both = agents({"a": 1, "b": 1})
    result = botohook.explore(both, attempts, setup=lambda ec2: [], options=throttled)
    assert result.failure is None and result.schedules == 4  # a, a's retry and b in every order where a starts...
    assert seen[0] == (("RequestLimitExceeded", None, None), ("a", "b"))
    seen.clear()
    assert (
        botohook.explore(both, attempts, setup=lambda ec2: [], options=throttled, replay=["a", "b", "a"]).failure
        is None
    )
    assert seen == [(("RequestLimitExceeded", None, None), ("b", "a"))]  # b answered between a's attempts
    seen.clear()
    second = {"faults": [{"operation": "DescribeVpcs", "code": "RequestLimitExceeded", "after": 1}]}
    replayed = botohook.explore(both, attempts, setup=lambda ec2: [], options=second, replay=["a", "b", "b"])
    assert replayed.failure is None
    assert seen == [((None, "RequestLimitExceeded", None), ("a", "b"))]  # the order decides whose call the rule fails


def test_an_agent_may_make_its_own_client() -> None:
    import boto3

    def own(ec2: Any, state: Any) -> None:
        boto3.client("ec2", region_name="eu-west-1").describe_vpcs()

    orders: List[str] = []
    result = botohook.explore(
        {"a": own, "b": own}, lambda sim, state: orders.append(sim.calls[0].region) is None, preemptions=0
    )
    assert result.failure is None and result.schedules == 2 and orders == ["eu-west-1"] * 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"strategy": "randon"}, ValueError, "did you mean 'random'"),
        ({"strategy": "random", "preemptions": 1}, TypeError, "preemptions bounds the systematic strategy"),
        ({"replay": ["a"], "strategy": "random"}, TypeError, "replay runs the one schedule given"),
        ({"replay": "ab"}, TypeError, "not the string 'ab'"),
        ({"seed": 3}, TypeError, "seed draws the random strategy's choices: pass strategy='random'"),
        ({"strategy": "random", "seed": "3"}, TypeError, "seed must be an int"),
        ({"schedules": 0}, ValueError, "schedules must be an int of at least 1"),
        ({"preemptions": -1}, ValueError, "preemptions must be None or an int of at least 0"),
        ({"grace": 0}, ValueError, "grace must be a positive number"),
        ({"options": {"sead": 1}}, TypeError, "has no option 'sead' \\(did you mean 'seed'\\?\\)"),
    ],
)
def test_arguments_are_checked_where_written(kwargs: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        botohook.explore({"a": calls(1)}, **kwargs)


async def coroutine_agent(ec2: Any, state: Any) -> None:
    ec2.describe_vpcs()


@pytest.mark.parametrize(
    "agents",
    [{}, [calls(1)], {"a": "not callable"}, {"": calls(1)}, {"a": coroutine_agent}],
    ids=["none", "a-list", "not-callable", "no-name", "coroutine"],  # stable ids: xdist's workers must agree
)
def test_agents_are_named_callables(agents: Any) -> None:
    with pytest.raises(TypeError, match="agent"):
        botohook.explore(agents)


def test_an_agent_returning_an_awaitable_fails_the_schedule() -> None:
    failure = botohook.explore({"a": lambda ec2, state: coroutine_agent(ec2, state)}).failure
    assert failure is not None and failure.agent == "a" and failure.schedule == ()
    assert "returned an awaitable: agents run in threads" in str(failure.error)


def test_a_world_is_loaded_into_every_schedule() -> None:
    world = {
        "regions": {
            "us-east-1": {
                "vpcs": [{"id": "vpc-0123456789abcdef0", "cidr": "10.0.0.0/16"}],
                "subnets": [{"id": "subnet-0123456789abcdef0", "vpc": "vpc-0123456789abcdef0", "cidr": "10.0.1.0/24"}],
                "interfaces": [
                    {"id": f"eni-0123456789abcdef{n}", "subnet": "subnet-0123456789abcdef0"} for n in range(2)
                ],
            }
        }
    }

    def take(index: int) -> Agent:
        def agent(ec2: Any, state: Any) -> None:
            eni = f"eni-0123456789abcdef{index}"
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=[FLOATING], **MOVE)

        return agent

    def last_wins(sim: botohook.Simulator, state: Any) -> None:
        last = sim.calls[-1].params["NetworkInterfaceId"]
        assert FLOATING in sim.interface(last).secondary_addresses
        assert len(sim.calls) == 2  # nothing of an earlier schedule

    result = botohook.explore({"a": take(0), "b": take(1)}, last_wins, world=world)
    assert result.failure is None and (result.schedules, result.complete) == (2, True)


def test_an_exploration_inside_a_mock_leaves_it_alone(sim: botohook.Simulator) -> None:
    import boto3

    outer = boto3.client("ec2", region_name="us-east-1")
    outer.create_vpc(CidrBlock="10.9.0.0/16")
    before = len(sim.calls)
    result = botohook.explore(agents({"a": 1, "b": 1}), setup=lambda ec2: [])
    assert result.failure is None and result.schedules == 2
    assert len(sim.calls) == before  # the agents' calls went to each schedule's own simulation
    assert botohook.current() is sim
    assert [v["CidrBlock"] for v in outer.describe_vpcs()["Vpcs"] if not v["IsDefault"]] == ["10.9.0.0/16"]
