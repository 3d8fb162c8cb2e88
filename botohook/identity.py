"""The few operations botohook answers outside EC2, because tools call them to learn who they are: STS
``GetCallerIdentity`` (the account id) and IAM ``ListAccountAliases`` (none). The caller is a fixed IAM user of the
simulator's account [decided]."""

from __future__ import annotations

from typing import Any, Callable, Dict

from .ec2.base import CALLER, caller_id
from .ec2.model import Region
from .ec2.wire import Params

FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "botohook-testing", "AWS_SECRET_ACCESS_KEY": "botohook-testing"}
"""The keys botohook gives whatever needs some (a client in a ``mock()``, a served child process): never an
account's, so a client that goes around botohook signs with nothing real."""


def get_caller_identity(region: Region, params: Params) -> Dict[str, Any]:
    account = region.settings.account_id
    return {"UserId": caller_id(account), "Account": account, "Arn": f"arn:aws:iam::{account}:user/{CALLER}"}


def list_account_aliases(region: Region, params: Params) -> Dict[str, Any]:
    """[decided] the simulated account has no alias."""
    return {"AccountAliases": [], "IsTruncated": False}


OPERATIONS: Dict[str, Dict[str, Callable[[Region, Params], Dict[str, Any]]]] = {
    "sts": {"GetCallerIdentity": get_caller_identity},
    "iam": {"ListAccountAliases": list_account_aliases},
}
"""Operations by service."""
