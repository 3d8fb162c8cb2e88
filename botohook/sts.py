"""The one operation botohook answers outside EC2: STS ``GetCallerIdentity``, which tools call to learn the account
id. The caller is a fixed IAM user of the simulator's account [decided]."""

from __future__ import annotations

from typing import Any, Dict

from .ec2.base import CALLER, caller_id
from .ec2.model import Region
from .ec2.wire import Params


def get_caller_identity(region: Region, params: Params) -> Dict[str, Any]:
    account = region.settings.account_id
    return {"UserId": caller_id(account), "Account": account, "Arn": f"arn:aws:iam::{account}:user/{CALLER}"}


OPERATIONS = {"GetCallerIdentity": get_caller_identity}
