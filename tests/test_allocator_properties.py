"""Property-based tests of the address pool against a plain model: sets of free offsets and reservations."""

from __future__ import annotations

import random
from typing import Any, Dict, List, Set, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

from botohook.ec2.addresses import BLOCK, EXPLICIT, PREFIX, AddressPool, format_ipv4, parse_cidr, parse_ipv4

SIZES = st.sampled_from([16, 32, 64, 256, 1024])
OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "take",
                "release",
                "random",
                "lowest",
                "block",
                "random-block",
                "lowest-block",
                "release-block",
                "reserve-prefix",
                "reserve-explicit",
                "unreserve",
            ]
        ),
        st.integers(0, 1023),
        st.integers(0, 6),
    ),
    max_size=200,
)


class Model:
    """What the pool must agree with, kept the slow and obvious way."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free: Set[int] = set(range(4, size - 1))
        self.reserved: Dict[int, int] = {}  # offset -> PREFIX or EXPLICIT
        self.reservations: List[Tuple[int, int]] = []

    def used(self) -> Set[int]:
        return set(range(4, self.size - 1)) - self.free

    def used_blocks(self) -> List[int]:
        usable = range(1, self.size // BLOCK - 1)
        return [b for b in usable if not any(o in self.free for o in range(b * BLOCK, b * BLOCK + BLOCK))]

    def automatic(self) -> Set[int]:
        return {o for o in self.free if o not in self.reserved}

    def whole(self, block: int) -> bool:
        return all(o in self.free for o in range(block * BLOCK, block * BLOCK + BLOCK))

    def prefix_candidates(self) -> Set[int]:
        blocks = range(self.size // BLOCK)
        offsets = lambda b: range(b * BLOCK, b * BLOCK + BLOCK)  # noqa: E731
        if PREFIX in self.reserved.values():
            return {b for b in blocks if self.whole(b) and all(self.reserved.get(o) == PREFIX for o in offsets(b))}
        return {b for b in blocks if self.whole(b) and not any(o in self.reserved for o in offsets(b))}


def check(pool: AddressPool, model: Model) -> None:
    assert len(pool) == len(model.free)
    assert all(pool.is_free(o) == (o in model.free) for o in range(pool.size))
    assert not any(pool.is_free(o) for o in (0, 1, 2, 3, pool.size - 1))
    assert pool.automatic() == len(model.automatic())
    assert pool.automatic_blocks() == len(model.prefix_candidates())


@settings(max_examples=300)
@given(size=SIZES, ops=OPS, seed=st.integers(0, 2**32))
def test_pool_agrees_with_a_plain_model(size: int, ops: List[Tuple[str, int, int]], seed: int) -> None:
    pool, model, rng = AddressPool(size), Model(size), random.Random(seed)
    check(pool, model)
    for op, value, extra in ops:
        offset, block = value % size, value % (size // BLOCK)
        if op == "take" and offset in model.free:
            pool.take(offset)
            model.free.discard(offset)
        elif op == "release" and model.used():
            used = sorted(model.used())
            chosen = used[value % len(used)]
            pool.release(chosen)
            model.free.add(chosen)
        elif op in ("random", "lowest") and model.automatic():
            taken = pool.take_random(rng) if op == "random" else pool.take_lowest()
            assert taken in model.automatic()
            if op == "lowest":
                assert taken == min(model.automatic())
            model.free.discard(taken)
        elif op == "block" and model.whole(block):
            pool.take_block(block)
            model.free -= set(range(block * BLOCK, block * BLOCK + BLOCK))
        elif op in ("random-block", "lowest-block") and model.prefix_candidates():
            taken = pool.take_random_block(rng) if op == "random-block" else pool.take_lowest_block()
            assert taken in model.prefix_candidates()
            if op == "lowest-block":
                assert taken == min(model.prefix_candidates())
            model.free -= set(range(taken * BLOCK, taken * BLOCK + BLOCK))
        elif op == "release-block" and model.used_blocks():
            chosen = model.used_blocks()[value % len(model.used_blocks())]
            pool.release_block(chosen)
            model.free |= set(range(chosen * BLOCK, chosen * BLOCK + BLOCK))
        elif op.startswith("reserve-"):
            start = offset - offset % (1 << extra)
            stop = min(start + (1 << extra), size)
            if not any(o in model.reserved for o in range(start, stop)):
                kind = PREFIX if op == "reserve-prefix" else EXPLICIT
                pool.reserve(start, stop, kind)
                model.reserved.update({o: kind for o in range(start, stop)})
                model.reservations.append((start, stop))
        elif op == "unreserve" and model.reservations:
            start, stop = model.reservations.pop(value % len(model.reservations))
            pool.unreserve(start, stop)
            for o in range(start, stop):
                del model.reserved[o]
        check(pool, model)


@given(
    ops=st.lists(st.tuples(st.sampled_from(["lowest", "random", "release"]), st.integers(0, 63)), max_size=100),
    seed=st.integers(0, 2**32),
)
def test_lowest_first_takes_the_minimum_whatever_came_before(ops: List[Tuple[str, int]], seed: int) -> None:
    # the minimum's heap is built on first use, then must follow every release (including of stale entries)
    pool, free, rng = AddressPool(64), set(range(4, 63)), random.Random(seed)
    for op, value in ops:
        used = sorted(set(range(4, 63)) - free)
        if op == "release" and used:
            chosen = used[value % len(used)]
            pool.release(chosen)
            free.add(chosen)
        elif op != "release" and free:
            taken = pool.take_lowest() if op == "lowest" else pool.take_random(rng)
            assert taken in free
            assert op == "random" or taken == min(free)
            free.discard(taken)


@given(size=SIZES, seed=st.integers(0, 2**32))
def test_random_allocation_hands_out_every_usable_offset_exactly_once(size: int, seed: int) -> None:
    pool = AddressPool(size)
    rng = random.Random(seed)
    taken = [pool.take_random(rng) for _ in range(size - 5)]
    assert sorted(taken) == list(range(4, size - 1))
    assert len(pool) == 0


@given(st.integers(0, 2**32 - 1))
def test_ipv4_text_round_trips(value: int) -> None:
    assert parse_ipv4(format_ipv4(value)) == value


@given(st.text(max_size=20))
def test_parse_never_raises(text: str) -> None:
    parsed = parse_ipv4(text)
    assert parsed is None or format_ipv4(parsed) == text
    block = parse_cidr(text)
    assert block is None or 0 <= block[1] <= 32


# -- IPv6: a /64 that is never materialised -----------------------------------------------------------------------

IPV6_OPS = st.lists(
    st.tuples(
        st.sampled_from(["random", "lowest", "release", "take-near", "random-block", "lowest-block", "release-block"]),
        st.integers(0, 1 << 20),
    ),
    max_size=120,
)


def lowest_free(pool: Any) -> int:
    """The lowest free offset, found the slow obvious way (the oracle for ``take_lowest``)."""
    from botohook.ec2.ipv6_pool import PREFIX_BITS

    offset = 0
    while not pool.is_free(offset):
        block = offset >> PREFIX_BITS
        offset = (block + 1) << PREFIX_BITS if block in pool.delegated else offset + 1
    return offset


@settings(max_examples=200, deadline=None)
@given(IPV6_OPS, st.integers(0, 2**32))
def test_ipv6_pool_never_hands_out_reserved_taken_or_delegated_space(ops: List[Tuple[str, int]], seed: int) -> None:
    from botohook.ec2.ipv6_pool import BLOCKS, PREFIX_BITS, RESERVED, Ipv6Pool

    pool, rng = Ipv6Pool(), random.Random(seed)
    taken: Set[int] = set()
    blocks: Set[int] = set()
    for op, value in ops:
        if op == "random":
            offset = pool.take_random(rng)
            assert offset not in taken
            taken.add(offset)
        elif op == "lowest":
            expected = lowest_free(pool)
            assert pool.take_lowest() == expected
            taken.add(expected)
        elif op == "take-near" and pool.is_free(value):  # named addresses near the bottom, as people pick them
            pool.take(value)
            taken.add(value)
        elif op == "release" and taken:
            offset = sorted(taken)[value % len(taken)]
            pool.release(offset)
            taken.remove(offset)
        elif op in ("random-block", "lowest-block") and pool.free_blocks():
            block = pool.take_random_block(rng) if op == "random-block" else pool.take_lowest_block()
            assert block not in blocks
            blocks.add(block)
        elif op == "release-block" and blocks:
            block = sorted(blocks)[value % len(blocks)]
            pool.release_block(block)
            blocks.remove(block)
        assert pool.taken == taken and pool.delegated == blocks
        assert not taken & RESERVED
        assert not {offset >> PREFIX_BITS for offset in taken} & blocks, "an address inside a delegated /80"
        assert all(0 <= b < BLOCKS for b in blocks) and not blocks & {0, BLOCKS - 1}
        assert pool.free_blocks() == BLOCKS - len(blocks | {o >> PREFIX_BITS for o in taken} | {0, BLOCKS - 1})
