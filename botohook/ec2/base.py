"""What every simulated resource shares: the simulator-wide settings, the resource base class, the id format."""

from __future__ import annotations

import base64
import copy
import hashlib
import random
from functools import lru_cache
from typing import Any, Callable, Dict

from .catalog import Catalog, load_catalog


class Settings:
    """What every region of one simulator shares: the account, the policies, the catalog and the random sources."""

    __slots__ = (
        "_catalog",
        "_detached_ipv6_limit",
        "_detached_limit",
        "_instance_types",
        "account_id",
        "allocation_rng",
        "default_vpc",
        "elastic_ip_limit",
        "id_rng",
        "ipv6_blocks",
        "lags",
        "lowest",
        "now",
    )

    def __init__(
        self,
        account_id: str,
        allocation: str,
        seed: int | None,
        default_vpc: bool,
        detached_address_limit: int | None,
        instance_types: str | None,
        elastic_ip_limit: int,
    ) -> None:
        if allocation not in ("random", "lowest"):
            raise ValueError(f"allocation must be 'random' or 'lowest', not {allocation!r}")
        self.account_id = account_id
        self.lowest = allocation == "lowest"
        self.allocation_rng = random.Random(seed)
        self.id_rng = random.Random(None if seed is None else seed + 1)
        self.default_vpc = default_vpc
        self._detached_limit = detached_address_limit
        self._detached_ipv6_limit: int | None = None
        self._instance_types = instance_types
        self._catalog: Catalog | None = None
        self.elastic_ip_limit = elastic_ip_limit
        self.lags: Dict[str, float] | None = None  # eventual consistency: virtual seconds per kind; None: strong
        self.now: Callable[[], float] = _never  # the simulation's virtual clock
        self.ipv6_blocks = 0  # Amazon-provided /56s handed out so far (each VPC's is distinct)

    def new_ipv6_block(self) -> int:
        """The next Amazon-provided /56, from the documentation range 2001:db8::/32 (2**24 of them)."""
        self.ipv6_blocks += 1
        return (0x20010DB8 << 96) | ((self.ipv6_blocks % (1 << 24)) << 72)

    def __deepcopy__(self, memo: Dict[int, Any]) -> Settings:
        """A copy with its own state that reads the same clock (the clock is the simulator's, not the state's)."""
        copied = Settings.__new__(Settings)
        memo[id(self)] = copied
        for name in self.__slots__:
            value = getattr(self, name)
            setattr(copied, name, value if name == "now" else copy.deepcopy(value, memo))
        return copied

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{self.id_rng.getrandbits(68):017x}"

    def catalog(self) -> Catalog:
        """The instance types, loaded on first use."""
        if self._catalog is None:
            self._catalog = load_catalog(self._instance_types)
        return self._catalog

    def detached_limit(self) -> int:
        """Addresses an interface attached to no instance may hold: by default the largest figure of any type."""
        if self._detached_limit is None:
            self._detached_limit = max(t.ipv4_addresses_per_interface for t in self.catalog().values())
        return self._detached_limit

    def detached_ipv6_limit(self) -> int:
        """IPv6 addresses and /80s an interface attached to no instance may hold: the largest figure of any type
        [decided]."""
        if self._detached_ipv6_limit is None:
            self._detached_ipv6_limit = max(t.ipv6_addresses_per_interface for t in self.catalog().values())
        return self._detached_ipv6_limit


CALLER = "botohook"  # [decided] the IAM user every call is made as (STS GetCallerIdentity, RequesterId)


@lru_cache(maxsize=16)
def caller_id(account_id: str) -> str:
    """The caller's IAM unique id: ``AIDA`` and 17 characters, the same for an account every run."""
    digest = base64.b32encode(hashlib.sha256(account_id.encode()).digest()).decode()
    return "AIDA" + digest[:17]


def _never() -> float:
    return 0.0


class Resource:
    """Anything with an id and tags; ``order`` is its place in its region's indexes (set by ``Region.add``), so
    resources found another way can be put back in the order a Describe lists them."""

    __slots__ = ("id", "order", "tags")
    resource_type = ""

    def __init__(self, resource_id: str) -> None:
        self.id = resource_id
        self.order = 0
        self.tags: Dict[str, str] = {}


def is_resource_id(value: str, prefix: str) -> bool:
    """Whether ``value`` is ``<prefix>-`` followed by 8 or 17 lowercase hex digits."""
    head, dash, digits = value.rpartition("-")
    return head == prefix and bool(dash) and len(digits) in (8, 17) and all(c in "0123456789abcdef" for c in digits)
