"""The IPv6 allocator of one /64 subnet: 2**64 addresses that are never materialised.

Offsets are positions in the /64. Invariants: an offset is free when it is not reserved (the first four and the
last, as in IPv4 subnets), not taken, and not inside a delegated /80; a /80 (2**48 offsets) can be delegated only
when it holds no reserved or taken address and is not delegated already. Automatic picks are uniform among the free
offsets (rejection sampling: O(1) expected while the /64 is less than half used, which it always is in practice)
and reproducible from the simulator's seed; ``lowest`` picks the lowest free one.
"""

from __future__ import annotations

import heapq
import random
from typing import Dict, List, Set

SIZE = 1 << 64
PREFIX_BITS = 48  # a /80 delegated from a /64
BLOCKS = 1 << 16  # /80s in a /64
RESERVED = frozenset({0, 1, 2, 3, SIZE - 1})
RESERVED_BLOCKS = frozenset(offset >> PREFIX_BITS for offset in RESERVED)


class Ipv6Pool:
    """Taken offsets, delegated /80s and how many taken offsets each /80 holds."""

    __slots__ = ("_low", "_released", "delegated", "in_block", "taken")

    def __init__(self) -> None:
        self.taken: Set[int] = set()
        self.delegated: Set[int] = set()  # /80 block numbers
        self.in_block: Dict[int, int] = {}  # block number -> taken offsets inside it
        self._low = 4  # every offset below is reserved or was taken once (then, if freed, it is in _released)
        self._released: List[int] = []  # a heap of freed offsets below _low

    def is_free(self, offset: int) -> bool:
        return offset not in self.taken and offset not in RESERVED and offset >> PREFIX_BITS not in self.delegated

    def take(self, offset: int) -> None:
        self.taken.add(offset)
        block = offset >> PREFIX_BITS
        self.in_block[block] = self.in_block.get(block, 0) + 1

    def release(self, offset: int) -> None:
        self.taken.remove(offset)
        block = offset >> PREFIX_BITS
        left = self.in_block[block] - 1
        if left:
            self.in_block[block] = left
        else:
            del self.in_block[block]
        if offset < self._low:
            heapq.heappush(self._released, offset)

    def take_random(self, rng: random.Random) -> int:
        while True:
            offset = rng.getrandbits(64)
            if self.is_free(offset):
                self.take(offset)
                return offset

    def take_lowest(self) -> int:
        released = self._released
        while released:
            offset = heapq.heappop(released)
            if self.is_free(offset):
                self.take(offset)
                return offset
        offset = self._low
        while not self.is_free(offset):
            block = offset >> PREFIX_BITS
            offset = (block + 1) << PREFIX_BITS if block in self.delegated else offset + 1
        self._low = offset + 1
        self.take(offset)
        return offset

    def block_is_free(self, block: int) -> bool:
        return block not in self.delegated and block not in self.in_block and block not in RESERVED_BLOCKS

    def free_blocks(self) -> int:
        blocked = self.delegated | set(self.in_block) | RESERVED_BLOCKS
        return BLOCKS - len(blocked)

    def take_block(self, block: int) -> None:
        self.delegated.add(block)

    def release_block(self, block: int) -> None:
        self.delegated.remove(block)
        self._low = min(self._low, max(4, block << PREFIX_BITS))  # its offsets are found walking up from there

    def take_random_block(self, rng: random.Random) -> int:
        while True:
            block = rng.randrange(BLOCKS)
            if self.block_is_free(block):
                self.delegated.add(block)
                return block

    def take_lowest_block(self) -> int:
        block = next(b for b in range(BLOCKS) if self.block_is_free(b))
        self.delegated.add(block)
        return block
