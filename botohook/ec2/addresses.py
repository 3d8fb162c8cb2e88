"""IPv4 text handling and the per-subnet address allocator."""

from __future__ import annotations

import heapq
import random
from array import array
from functools import lru_cache
from socket import inet_aton
from typing import List, Tuple

BLOCK = 16  # a /28: the unit of prefix delegation, and the allocator's bookkeeping block


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


def parse_block(value: str) -> Tuple[int, int] | None:
    """``(network, prefix length)`` of an IPv4 CIDR, host bits cleared (EC2 makes ``100.68.0.18/18`` its canonical
    ``100.68.0.0/18``), else None."""
    address, slash, length = value.partition("/")
    if not slash or not (length.isascii() and length.isdigit()) or len(length) > 2:
        return None
    network, bits = parse_ipv4(address), int(length)
    if network is None or bits > 32:
        return None
    return network & ~((1 << (32 - bits)) - 1), bits


def format_cidr(network: int, bits: int) -> str:
    return f"{format_ipv4(network)}/{bits}"


def cidrs_overlap(network: int, bits: int, other: int, other_bits: int) -> bool:
    """Whether two CIDR blocks share an address (one then contains the other)."""
    shorter = min(bits, other_bits)
    return network >> (32 - shorter) == other >> (32 - shorter)


class IndexSet:
    """A set of integers in ``range(n)``: add, discard, membership and a uniform random pick in O(1), the minimum
    in amortised O(log n).

    Invariant: ``i`` is a member  <=>  ``_where[i] >= 0`` and ``_items[_where[i]] == i``. ``_items`` is dense,
    so a random member is one index, and removal swaps the last item into the hole. ``_heap`` is built by the
    first :meth:`minimum` (only lowest-first allocation asks); from then on it holds every member (and stale
    entries, each at most once, flagged in ``_in_heap`` and dropped when they reach the top).
    """

    __slots__ = ("_heap", "_in_heap", "_items", "_where")

    def __init__(self, n: int, members: range = range(0)) -> None:
        items, where = _initial_arrays(n, members.start, members.stop)
        self._items = items[:]  # copies of shared templates: a subnet costs a memory copy, not a loop
        self._where = where[:]
        self._heap: List[int] | None = None
        self._in_heap = bytearray()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, i: int) -> bool:
        return self._where[i] >= 0

    def add(self, i: int) -> None:
        where = self._where
        if where[i] >= 0:
            return
        items = self._items
        where[i] = len(items)
        items.append(i)
        heap = self._heap
        if heap is not None and not self._in_heap[i]:
            self._in_heap[i] = 1
            heapq.heappush(heap, i)

    def discard(self, i: int) -> None:
        where = self._where
        index = where[i]
        if index < 0:
            return
        items = self._items
        last = items.pop()
        if last != i:
            items[index] = last
            where[last] = index
        where[i] = -1

    def choice(self, rng: random.Random) -> int:
        return self._items[int(rng.random() * len(self._items))]

    def minimum(self) -> int:
        heap, where = self._heap, self._where
        if heap is None:
            heap = self._heap = sorted(self._items)  # a sorted list is a heap
            self._in_heap = bytearray(len(where))
            for i in heap:
                self._in_heap[i] = 1
        while where[heap[0]] < 0:
            self._in_heap[heapq.heappop(heap)] = 0
        return heap[0]


@lru_cache(maxsize=64)  # one per subnet size (and its /28 blocks): a handful
def _initial_arrays(n: int, start: int, stop: int) -> Tuple[array[int], array[int]]:
    """``_items`` and ``_where`` of an :class:`IndexSet` of ``range(n)`` holding ``start .. stop - 1``."""
    items = array("i", range(start, stop))
    where = array("i", [-1]) * n
    where[start:stop] = array("i", range(stop - start))
    return items, where


OPEN, PREFIX, EXPLICIT = 0, 1, 2  # what a subnet CIDR reservation makes of an address (or a whole block)


class AddressPool:
    """The addresses of one subnet and who may take them, every operation independent of the subnet's size.

    Addresses are offsets from the subnet's network address. The five reserved offsets (0-3 and the
    broadcast address) are never free. For every offset ``o`` and /28 block ``b`` (offsets 16b .. 16b+15):

    - ``_free[o]`` is 1 when ``o`` is free; ``available`` counts them (AvailableIpAddressCount);
    - ``o`` is in ``_automatic`` when it is free and in no CIDR reservation (``_reserved[o] == OPEN``):
      automatic single addresses come only from there;
    - ``_block_free[b]`` counts the free offsets of ``b``; when it is 16, ``b`` is in ``_blocks[_block_kind[b]]``:
      wholly free blocks outside every reservation (``OPEN``), wholly inside a prefix reservation (``PREFIX``),
      or touched by another reservation (``EXPLICIT``: never an automatic prefix). Blocks holding a reserved
      offset never reach 16.
    """

    __slots__ = (
        "_automatic",
        "_block_free",
        "_block_kind",
        "_blocks",
        "_free",
        "_prefix_reserved",
        "_reserved",
        "available",
        "size",
    )

    def __init__(self, size: int) -> None:
        if size < BLOCK or size % BLOCK:
            raise ValueError("a subnet holds a whole number of /28 blocks")
        self.size = size
        first, last = 4, size - 1  # usable offsets are first .. last - 1
        self.available = last - first
        self._free = bytearray(size)
        self._free[first:last] = b"\x01" * (last - first)
        self._reserved = bytearray(size)
        self._prefix_reserved = 0  # offsets inside prefix reservations
        self._automatic = IndexSet(size, range(first, last))
        blocks = size // BLOCK
        self._block_free = bytearray([BLOCK]) * blocks
        self._block_free[0] -= 4
        self._block_free[-1] -= 1
        self._block_kind = bytearray(blocks)
        whole = range(1, blocks - 1) if blocks > 1 else range(0)
        self._blocks = (IndexSet(blocks, whole), IndexSet(blocks), IndexSet(blocks))

    def __len__(self) -> int:
        return self.available

    def is_free(self, offset: int) -> bool:
        return 0 <= offset < self.size and self._free[offset] == 1

    @staticmethod
    def is_reserved(offset: int, size: int) -> bool:
        return offset < 4 or offset == size - 1

    def block_is_free(self, block: int) -> bool:
        return self._block_free[block] == BLOCK

    def is_automatic(self, offset: int) -> bool:
        """Whether an automatic single address may take this offset (free and in no reservation)."""
        return offset in self._automatic

    def prefixes_come_from_open_blocks(self) -> bool:
        """Whether automatic prefixes take blocks that automatic single addresses could also take."""
        return not self._prefix_reserved

    def automatic(self) -> int:
        """How many free addresses an automatic single address may take."""
        return len(self._automatic)

    def automatic_blocks(self) -> int:
        """How many wholly free /28 blocks an automatic prefix may take."""
        return len(self._prefix_source())

    def _prefix_source(self) -> IndexSet:
        # automatic prefixes come from prefix reservations when the subnet has any, else from open blocks
        return self._blocks[OPEN] if self.prefixes_come_from_open_blocks() else self._blocks[PREFIX]

    def take(self, offset: int) -> None:
        """Mark a free offset used."""
        if not self._free[offset]:
            raise ValueError(f"offset {offset} is not free")
        self._free[offset] = 0
        self.available -= 1
        self._automatic.discard(offset)
        block = offset // BLOCK
        left = self._block_free[block]
        if left == BLOCK:
            self._blocks[self._block_kind[block]].discard(block)
        self._block_free[block] = left - 1

    def release(self, offset: int) -> None:
        """Mark a used, unreserved offset free again."""
        if self._free[offset] or self.is_reserved(offset, self.size):
            raise ValueError(f"offset {offset} cannot be released")
        self._free[offset] = 1
        self.available += 1
        if self._reserved[offset] == OPEN:
            self._automatic.add(offset)
        block = offset // BLOCK
        left = self._block_free[block] + 1
        self._block_free[block] = left
        if left == BLOCK:
            self._blocks[self._block_kind[block]].add(block)

    def take_random(self, rng: random.Random) -> int:
        offset = self._automatic.choice(rng)
        self.take(offset)
        return offset

    def take_lowest(self) -> int:
        offset = self._automatic.minimum()
        self.take(offset)
        return offset

    def take_block(self, block: int) -> None:
        """Take a wholly free /28 block."""
        for offset in range(block * BLOCK, block * BLOCK + BLOCK):
            self.take(offset)

    def release_block(self, block: int) -> None:
        for offset in range(block * BLOCK, block * BLOCK + BLOCK):
            self.release(offset)

    def take_random_block(self, rng: random.Random) -> int:
        block = self._prefix_source().choice(rng)
        self.take_block(block)
        return block

    def take_lowest_block(self) -> int:
        block = self._prefix_source().minimum()
        self.take_block(block)
        return block

    def reserve(self, start: int, stop: int, kind: int) -> None:
        """Mark offsets ``start`` .. ``stop - 1`` as a subnet CIDR reservation (``PREFIX`` or ``EXPLICIT``)."""
        for offset in range(start, stop):
            self._reserved[offset] = kind
            self._automatic.discard(offset)
        if kind == PREFIX:
            self._prefix_reserved += stop - start
        self._reclassify(start, stop)

    def unreserve(self, start: int, stop: int) -> None:
        for offset in range(start, stop):
            if self._reserved[offset] == PREFIX:
                self._prefix_reserved -= 1
            self._reserved[offset] = OPEN
            if self._free[offset]:
                self._automatic.add(offset)
        self._reclassify(start, stop)

    def _reclassify(self, start: int, stop: int) -> None:
        for block in range(start // BLOCK, (stop - 1) // BLOCK + 1):
            kinds = set(self._reserved[block * BLOCK : block * BLOCK + BLOCK])
            kind = kinds.pop() if len(kinds) == 1 else EXPLICIT
            if kind != self._block_kind[block]:
                if self._block_free[block] == BLOCK:
                    self._blocks[self._block_kind[block]].discard(block)
                    self._blocks[kind].add(block)
                self._block_kind[block] = kind
