"""Property-based tests of the address pool against a plain set of free offsets."""

from __future__ import annotations

import random
from typing import Set

from hypothesis import given, settings
from hypothesis import strategies as st

from botohook.ec2.addresses import AddressPool, format_ipv4, parse_cidr, parse_ipv4

SIZES = st.sampled_from([16, 32, 64, 256, 1024])
OPS = st.lists(st.tuples(st.sampled_from(["take", "release", "random", "lowest"]), st.integers(0, 1023)), max_size=300)


def check(pool: AddressPool, free: Set[int]) -> None:
    assert len(pool) == len(free)
    assert all(pool.is_free(o) == (o in free) for o in range(pool.size))
    assert not any(pool.is_free(o) for o in (0, 1, 2, 3, pool.size - 1))


@settings(max_examples=300)
@given(size=SIZES, ops=OPS, seed=st.integers(0, 2**32))
def test_pool_agrees_with_a_set_of_free_offsets(size: int, ops: list[tuple[str, int]], seed: int) -> None:
    pool = AddressPool(size)
    free = set(range(4, size - 1))
    rng = random.Random(seed)
    check(pool, free)
    for op, value in ops:
        offset = value % size
        if op == "take" and offset in free:
            pool.take(offset)
            free.discard(offset)
        elif op == "release" and offset not in free and 4 <= offset < size - 1:
            pool.release(offset)
            free.add(offset)
        elif op == "random" and free:
            taken = pool.take_random(rng)
            assert taken in free
            free.discard(taken)
        elif op == "lowest" and free:
            assert pool.take_lowest() == min(free)
            free.discard(min(free))
    check(pool, free)


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
