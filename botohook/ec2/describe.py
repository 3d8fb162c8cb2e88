"""What every Describe operation shares: filters, paging, tags in and out."""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Sequence, Tuple, TypeVar

from . import wire
from .base import Resource
from .errors import Ec2Error, bad_parameter, invalid_value
from .model import Region

if TYPE_CHECKING:
    from .network import Vpc

R = TypeVar("R")
Res = TypeVar("Res", bound=Resource)
T = TypeVar("T")
Getter = Callable[[R], Iterable[str]]

MAX_TAGS = 50
# EC2's bounds on filters, which also bound the work of matching them: characters of one value, values in one call
# (FilterLimitExceeded, quoted in ansible/ansible#84327 and pulumi/pulumi-aws#931; convox/rack#2205, gossm#47)
MAX_FILTER_VALUE = 255
MAX_FILTER_VALUES = 200


def flag(value: bool) -> str:
    """A boolean as filter values spell it."""
    return "true" if value else "false"


def select(resources: Iterable[R], params: wire.Params, getters: Mapping[str, Getter[R]]) -> List[R]:
    """The resources that pass every filter of the request (any value of a filter may match); ``tag:<key>``,
    ``tag-key`` and ``tag-value`` work on whatever has ``tags``."""
    checks = _checks(wire.filters(params), getters)
    if not checks:
        return list(resources)
    return _passing(resources, checks)


Check = Tuple[Getter[R], Sequence[Callable[[str], bool]]]


def _checks(filters: Dict[str, List[str]], getters: Mapping[str, Getter[R]]) -> List[Check[R]]:
    """Each filter's getter and matchers, refusing an unknown filter and filters beyond EC2's bounds."""
    checks: List[Check[R]] = []
    count = 0
    for name, values in filters.items():
        getter = getters.get(name) or _tag_getter(name)
        if getter is None:
            raise invalid_value(f"The filter '{name}' is invalid")
        count += len(values)
        if count > MAX_FILTER_VALUES:
            raise Ec2Error(
                "FilterLimitExceeded",
                f"The maximum number of filter values specified on a single call is {MAX_FILTER_VALUES}",
            )
        if values and max(map(len, values)) > MAX_FILTER_VALUE:
            raise Ec2Error(
                "FilterLimitExceeded", f"The maximum length for a filter value is {MAX_FILTER_VALUE} characters"
            )
        checks.append((getter, [_matcher(v) for v in values]))
    return checks


def _passing(resources: Iterable[R], checks: List[Check[R]]) -> List[R]:
    return [r for r in resources if all(any(m(v) for v in getter(r) for m in matchers) for getter, matchers in checks)]


Narrower = Callable[[Region, str], Iterable[Res]]
"""For one filter: the resources that one of its literal values may select (a superset, in any order, repeats
allowed)."""


def named(index_of: Callable[[Region], Mapping[str, Res]]) -> Narrower[Res]:
    """The narrower of a filter by the resource's own id: the one resource ``index_of(region)`` holds under it."""

    def narrower(region: Region, resource_id: str) -> Iterable[Res]:
        found = index_of(region).get(resource_id)
        return () if found is None else (found,)

    return narrower


def of_vpc(index_of: Callable[[Vpc], Mapping[str, Res]]) -> Narrower[Res]:
    """The narrower of a ``vpc-id`` filter: the resources ``index_of(vpc)`` holds for that VPC."""

    def narrower(region: Region, vpc_id: str) -> Iterable[Res]:
        vpc = region.vpcs.get(vpc_id)
        return () if vpc is None else index_of(vpc).values()

    return narrower


def choose(
    region: Region,
    index: Dict[str, Res],
    wanted: List[str],
    params: wire.Params,
    getters: Mapping[str, Getter[Res]],
    narrowers: Mapping[str, Narrower[Res]],
) -> List[Res]:
    """The resources of ``index`` named in ``wanted`` (all that other calls see when none is named; the caller has
    checked that each exists) that pass every filter, in index order: what ``select`` answers. The cost is the
    answer's, not the index's, when ids are named or a filter with a narrower has only literal values: only those
    resources or the narrower's candidates are checked, by every filter still. A narrower that yields a superset of
    what its filter selects is all the answer's correctness asks. ``tag:<key>`` and ``tag-key`` have one for every
    kind: the region's indexes of tags and of tag keys."""
    filters = wire.filters(params)
    checks = _checks(filters, getters)
    found: List[Res] | None = [index[i] for i in dict.fromkeys(wanted)] if wanted else None
    if found is None:
        for name, values in filters.items():
            narrower = narrowers.get(name) or _tag_narrower(name)
            if narrower is not None and not any(map(_wild, values)):
                found = [r for value in values for r in narrower(region, value)]
                break
    if found is None:
        resources = region.listed(index)
    else:
        unique = {r.id: r for r in found if index.get(r.id) is r}  # still indexed: a stale candidate is dropped
        resources = sorted(unique.values(), key=_order)
        if region.hidden and not wanted:
            resources = [r for r in resources if region.visible(r.id)]
    return _passing(resources, checks) if checks else resources


def _tag_narrower(name: str) -> Narrower[Any] | None:
    """``tag:<key>``'s narrower, the region's index of tags, and ``tag-key``'s, its index of keys."""
    if name.startswith("tag:"):
        key = name[4:]
        return lambda region, value: region.tagged.get((key, value), {}).values()
    if name == "tag-key":
        return lambda region, value: region.keyed.get(value, {}).values()
    return None


def _wild(value: str) -> bool:
    """Whether a filter value is a pattern rather than the one value it matches (see ``_matcher``)."""
    return "*" in value or "?" in value or "\\" in value


def _order(resource: Resource) -> int:
    return resource.order


def _tag_getter(name: str) -> Getter[Any] | None:
    if name.startswith("tag:"):
        key = name[4:]
        return lambda r: [_tags(r)[key]] if key in _tags(r) else []
    if name == "tag-key":
        return lambda r: _tags(r).keys()
    if name == "tag-value":
        return lambda r: _tags(r).values()
    return None


def _tags(item: Any) -> Dict[str, str]:
    tags: Dict[str, str] = getattr(item, "tags", {})
    return tags


@lru_cache(maxsize=1024)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """EC2 filter values match whole values, with ``*`` (any run) and ``?`` (any one character) as wildcards and
    ``\\`` making the next character literal (a trailing ``\\`` is itself). In time linear in the value for each
    piece of the pattern, whatever the pattern: no backtracking (the pattern's length is bounded by the caller)."""
    if "*" not in pattern and "?" not in pattern and "\\" not in pattern:
        return pattern.__eq__
    pieces = _pieces(pattern)
    if len(pieces) == 1:  # no star: one fixed-length piece matching the whole value
        whole = pieces[0]
        return lambda value: len(value) == whole.size and whole.at(value, 0)
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    least = sum(piece.size for piece in pieces)
    head, tail = first.literal, last.literal
    if not middle and head is not None and tail is not None:  # the usual "prefix*" or "*suffix": two string tests
        return lambda value: len(value) >= least and value.startswith(head) and value.endswith(tail)

    def match(value: str) -> bool:
        end = len(value) - last.size
        if len(value) < least or not first.at(value, 0) or not last.at(value, end):
            return False
        start = first.size
        for piece in middle:  # the leftmost place of each piece leaves the most room for the next
            start = piece.find(value, start, end)
            if start < 0:
                return False
        return True

    return match


class _Piece:
    """A run of a pattern between stars: literal characters and ``?``, so of fixed ``size``."""

    __slots__ = ("literal", "regex", "size")

    def __init__(self, chars: List[str | None]) -> None:  # None: ``?``
        self.size = len(chars)
        self.literal = None if None in chars else "".join(c for c in chars if c is not None)
        self.regex = re.compile("".join("." if c is None else re.escape(c) for c in chars), re.DOTALL)

    def at(self, value: str, start: int) -> bool:
        """Whether the piece matches ``value`` at ``start``."""
        if self.literal is not None:
            return value.startswith(self.literal, start)
        return self.regex.match(value, start) is not None

    def find(self, value: str, start: int, end: int) -> int:
        """Where the piece's leftmost match within ``value[start:end]`` ends, or -1."""
        if self.literal is not None:
            found = value.find(self.literal, start, end)
            return -1 if found < 0 else found + self.size
        matched = self.regex.search(value, start, end)
        return -1 if matched is None else matched.end()


def _pieces(pattern: str) -> List[_Piece]:
    """The pattern split at its unescaped stars (a run of stars is one), in order."""
    pieces: List[_Piece] = []
    chars: List[str | None] = []
    escaped = False
    for char in pattern:
        if escaped:
            chars.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            pieces.append(_Piece(chars))
            chars = []
        else:
            chars.append(None if char == "?" else char)
    if escaped:
        chars.append("\\")
    pieces.append(_Piece(chars))
    if len(pieces) > 2:  # the empty pieces between stars of a run match anywhere: drop them
        pieces[1:-1] = [piece for piece in pieces[1:-1] if piece.size]
    return pieces


def by_ids(region: Region, index: Dict[str, Res], wanted: List[str], lookup: Callable[[str], Res]) -> List[Res]:
    """The resources named in the request, in index order, or the not-found error of the first unknown id; all that
    other calls see when none is named."""
    if not wanted:
        return region.listed(index)
    for resource_id in wanted:
        lookup(resource_id)
    return sorted({i: index[i] for i in wanted}.values(), key=_order)


def page(items: List[T], params: wire.Params, low: int = 5, high: int = 1000) -> Tuple[List[T], str | None]:
    """One page of ``items`` per ``MaxResults``/``NextToken``, and the token of the next page if any."""
    limit = wire.integer(params, "MaxResults", "maxResults")
    token = wire.text(params, "NextToken")
    start = 0
    if token:
        start = _decode_token(token)
    if limit is None:
        return items[start:], None
    if not low <= limit <= high:
        raise bad_parameter(limit, "maxResults")
    end = start + limit
    return items[start:end], (_encode_token(end) if end < len(items) else None)


def paged(
    key: str,
    chosen: List[R],
    params: wire.Params,
    render: Callable[[R], Dict[str, Any]],
    low: int = 5,
    high: int = 1000,
) -> Dict[str, Any]:
    """The response of a Describe operation: one page of rendered resources under ``key``, and ``NextToken``."""
    items, token = page(chosen, params, low, high)
    out: Dict[str, Any] = {key: [render(r) for r in items]}
    if token:
        out["NextToken"] = token
    return out


def _encode_token(index: int) -> str:
    return base64.urlsafe_b64encode(f"botohook:{index}".encode()).decode()


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    head, _, index = text.partition(":")
    if head != "botohook" or not index.isdigit():
        raise invalid_value(f"Invalid value '{token}' for nextToken")
    return int(index)


def tag_list(tags: Dict[str, str]) -> List[Dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def check_tags(tags: Mapping[str, str], existing: int = 0) -> None:
    """EC2's rules for tag keys and values, and the per-resource tag limit."""
    for key, value in tags.items():
        if not key or len(key) > 128:
            raise bad_parameter(key, "tag key")
        if key.lower().startswith("aws:"):
            raise invalid_value("Tag keys starting with 'aws:' are reserved for internal use")
        if len(value) > 256:
            raise bad_parameter(value, "tag value")
    if existing + len(tags) > MAX_TAGS:
        raise Ec2Error("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")


def tags_from(entries: List[Dict[str, str]]) -> Dict[str, str]:
    """Tags from a flattened ``Tag.N.Key``/``Tag.N.Value`` list (members already grouped by N)."""
    out: Dict[str, str] = {}
    for entry in entries:
        key = entry.get("Key")
        if key is None:
            raise invalid_value("Tag key must be specified")
        out[key] = entry.get("Value", "")
    return out


def tags_by_type(params: wire.Params, allowed: Sequence[str]) -> Dict[str, Dict[str, str]]:
    """The tags ``TagSpecifications`` asks for, by resource type, checked; a type not in ``allowed`` is refused."""
    out: Dict[str, Dict[str, str]] = {}
    for spec in wire.structs(params, "TagSpecification"):
        kind = spec.get("ResourceType")
        if kind is None or kind not in allowed:
            raise invalid_value(f"'{kind}' is not a valid taggable resource type for this operation.")
        out.setdefault(kind, {}).update(tags_from(wire.structs(spec, "Tag")))
    for tags in out.values():
        check_tags(tags)
    return out


def tag_specifications(params: wire.Params, resource_type: str) -> Dict[str, str]:
    """The tags ``TagSpecifications`` asks for on the one resource type an operation creates."""
    return tags_by_type(params, (resource_type,)).get(resource_type, {})
