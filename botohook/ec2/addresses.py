"""IPv4 text handling and the per-subnet address allocator."""

from __future__ import annotations

import heapq
import random
from array import array
from functools import lru_cache
from socket import inet_aton
from typing import List, Tuple

BLOCK = 16  # a /28: the unit of prefix delegation, and the allocator's bookkeeping block
_FULL_MASK = (1 << BLOCK) - 1


@lru_cache(maxsize=1 << 16)
def parse_ipv4(value: str) -> int | None:
    """The address as an integer, or None unless ``value`` is a dotted quad in canonical form."""
    try:
        packed = inet_aton(value)
    except (OSError, ValueError):
        return None
    address = int.from_bytes(packed, "big")
    return address if format_ipv4(address) == value else None  # refuses "10.1", "010.0.0.1", " 10.0.0.1"


@lru_cache(maxsize=1 << 16)
def format_ipv4(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def parse_cidr(value: str) -> Tuple[int, int] | None:
    """``(network, prefix length)`` of an IPv4 CIDR whose host bits are zero, else None."""
    address, slash, length = value.partition("/")
    if not slash or not (length.isascii() and length.isdigit()) or len(length) > 2:
        return None
    network, bits = parse_ipv4(address), int(length)
    if network is None or bits > 32 or network & ((1 << (32 - bits)) - 1):
        return None
    return network, bits


def format_cidr(network: int, bits: int) -> str:
    return f"{format_ipv4(network)}/{bits}"


class AddressPool:
    """The free addresses of one subnet, every operation O(1) or O(log n) whatever the subnet's size.

    Addresses are offsets from the subnet's network address. The five reserved offsets (0-3 and the
    broadcast address) are never free. Invariant kept by every method, for every offset ``o``::

        o is free  <=>  self._where[o] >= 0 and self._free[self._where[o]] == o
                   <=>  bit o % 16 of self._masks[o // 16] is set

    ``_free`` is a dense array of the free offsets: a uniform random pick is one index, and removal swaps
    the last entry into the hole. ``_masks`` holds one bit per address for each /28 block; ``_heap`` holds
    every block whose mask is non-zero (plus stale entries, dropped lazily, each block at most once,
    flagged in ``_in_heap``), so the lowest free address is the lowest set bit of the heap's first live block.
    """

    __slots__ = ("_free", "_heap", "_in_heap", "_masks", "_where", "size")

    def __init__(self, size: int) -> None:
        if size < BLOCK or size % BLOCK:
            raise ValueError("a subnet holds a whole number of /28 blocks")
        self.size = size
        first, last = 4, size - 1  # usable offsets are first .. last - 1
        self._free = array("i", range(first, last))
        self._where = array("i", [-1]) * size
        self._where[first:last] = array("i", range(last - first))
        blocks = size // BLOCK
        self._masks: List[int] = [_FULL_MASK] * blocks
        self._masks[0] &= ~0b1111
        self._masks[-1] &= ~(1 << (BLOCK - 1))
        self._heap = list(range(blocks))
        self._in_heap = bytearray(b"\x01") * blocks

    def __len__(self) -> int:
        return len(self._free)

    def is_free(self, offset: int) -> bool:
        return 0 <= offset < self.size and self._where[offset] >= 0

    @staticmethod
    def is_reserved(offset: int, size: int) -> bool:
        return offset < 4 or offset == size - 1

    def take(self, offset: int) -> None:
        """Mark a free offset used."""
        index = self._where[offset]
        if index < 0:
            raise ValueError(f"offset {offset} is not free")
        last = self._free.pop()
        if last != offset:
            self._free[index] = last
            self._where[last] = index
        self._where[offset] = -1
        self._masks[offset // BLOCK] &= ~(1 << (offset % BLOCK))

    def release(self, offset: int) -> None:
        """Mark a used, unreserved offset free again."""
        if self._where[offset] >= 0 or self.is_reserved(offset, self.size):
            raise ValueError(f"offset {offset} cannot be released")
        self._where[offset] = len(self._free)
        self._free.append(offset)
        block = offset // BLOCK
        self._masks[block] |= 1 << (offset % BLOCK)
        if not self._in_heap[block]:
            self._in_heap[block] = 1
            heapq.heappush(self._heap, block)

    def take_random(self, rng: random.Random) -> int:
        free = self._free
        index = int(rng.random() * len(free))
        offset = free[index]
        last = free.pop()
        if last != offset:
            free[index] = last
            self._where[last] = index
        self._where[offset] = -1
        self._masks[offset // BLOCK] &= ~(1 << (offset % BLOCK))
        return offset

    def take_lowest(self) -> int:
        heap, masks = self._heap, self._masks
        while not masks[heap[0]]:
            self._in_heap[heapq.heappop(heap)] = 0
        block = heap[0]
        mask = masks[block]
        offset = block * BLOCK + (mask & -mask).bit_length() - 1
        self.take(offset)
        return offset
