"""EC2's client tokens: a repeated request with the same ``ClientToken`` gets the first answer again."""

from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict

from . import wire
from .errors import Ec2Error
from .model import Region

Response = Dict[str, Any]
Operation = Callable[[Region, wire.Params], Response]
_NOT_COMPARED = ("ClientToken", "DryRun")


def idempotent(operation: Operation) -> Operation:
    """Wrap an operation that takes ``ClientToken``: the same token with the same parameters returns a copy of the
    first response and changes nothing; with other parameters it is ``IdempotentParameterMismatch``. botocore
    fills in a fresh token when the caller gives none, so only deliberate retries meet a known token."""

    @functools.wraps(operation)
    def run(region: Region, params: wire.Params) -> Response:
        token = wire.text(params, "ClientToken")
        if not token:
            return operation(region, params)
        signature = tuple(sorted((k, str(v)) for k, v in params.items() if k not in _NOT_COMPARED))
        key = (operation.__name__, token)
        seen = region.client_tokens.get(key)
        if seen is not None:
            if seen[0] != signature:
                raise Ec2Error(
                    "IdempotentParameterMismatch",
                    f"The client token '{token}' was already used with different parameters.",
                )
            return copy.deepcopy(seen[1])
        response = operation(region, params)
        region.client_tokens[key] = (signature, copy.deepcopy(response))
        return response

    return run
