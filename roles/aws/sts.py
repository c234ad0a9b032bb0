from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from roles.aws.errors import call

if TYPE_CHECKING:
    from roles.aws.session import AccountSession


@dataclass
class Identity:
    account: str
    arn: str
    user_id: str
    request_id: str


def identity(session: AccountSession) -> Identity:
    """sts:GetCallerIdentity through an existing session: which account its calls reach."""
    answer = call(session.client("sts"), "get_caller_identity")
    return Identity(
        account=answer["Account"],
        arn=answer["Arn"],
        user_id=answer["UserId"],
        request_id=answer["ResponseMetadata"]["RequestId"],
    )
