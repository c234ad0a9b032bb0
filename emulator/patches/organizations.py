"""Patches to moto's AWS Organizations: who may call, page sizes, MoveAccount, new accounts.

- Who may call (AWS Organizations API Reference, "API operations by account"): a
  member account may call only the operations any account in the organization may
  (DescribeOrganization, the handshake replies, LeaveOrganization, ...); anything else
  answers ``AccessDeniedException`` "You don't have permissions to access this
  resource.", as AWS does for a member that is not a delegated administrator (moto
  answered ListRoots with the roots and ListAccounts with an empty list). An account
  in no organization answers ``AWSOrganizationsNotInUseException`` to everything but
  CreateOrganization and the handshake operations (moto answered ListAccounts with an
  empty list).
- Page sizes: every list takes MaxResults 1-20 (the API Reference's valid range);
  above 20 answers ``InvalidInputException`` (reason MAX_VALUE_EXCEEDED in AWS's
  model), and without it a page holds at most 20 (moto's ListAccounts gave 100).
- MoveAccount answers the errors the API Reference lists for it:
  ``SourceParentNotFoundException`` (the source is not the account's parent, or does
  not exist), ``DestinationParentNotFoundException`` and ``DuplicateAccountException``
  (moto moved the account from any source and answered ``ParentNotFoundException``).
- DeleteOrganization refuses while any account but the management account is left
  (moto told the management account by its name, which scenarios set).
- CreateAccount: the new account also gets the member roles of
  ``deploy/aws/member-roles.yaml``, as the service-managed StackSet deployed to the
  organization's root with automatic deployment does for accounts that join
  (deploy/aws/README.md); moto's ``OrganizationAccountAccessRole`` is there as well.
"""

from __future__ import annotations

from functools import wraps

import botocore.session
from botocore import xform_name
from moto.organizations.exceptions import (
    AWSOrganizationsNotInUseException,
    InvalidInputException,
    OrganizationNotEmptyException,
    OrganizationsClientError,
)
from moto.organizations.models import OrganizationsBackend
from moto.organizations.responses import OrganizationsResponse
from moto.organizations.utils import PAGINATION_MODEL

from .. import member_roles, organization

# Operations any account of an organization may call (API Reference, "API operations
# by account", and each operation's page).
ANY_MEMBER = {
    "AcceptHandshake",
    "DeclineHandshake",
    "DescribeEffectivePolicy",
    "DescribeHandshake",
    "DescribeOrganization",
    "LeaveOrganization",
    "ListHandshakesForAccount",
}
WITHOUT_ORGANIZATION = {
    "AcceptHandshake",
    "CreateOrganization",
    "DeclineHandshake",
    "DescribeHandshake",
    "ListHandshakesForAccount",
}
PAGE_MAX = 20
DENIED = "You don't have permissions to access this resource."
TOO_LARGE = "You provided a numeric parameter that has a larger value than allowed."

_ORIGINALS: dict[str, object] = {}


def _error(code: str, message: str) -> OrganizationsClientError:
    return OrganizationsClientError(code, message)


def _limits() -> dict[str, int]:
    """Operation -> the most MaxResults may be, from botocore's model of the API."""
    model = botocore.session.get_session().get_service_model("organizations")
    found = {}
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        member = shape.members.get("MaxResults") if shape is not None else None
        if member is not None and "max" in member.metadata:
            found[name] = member.metadata["max"]
    return found


def _guard(original, operation: str, most: int | None):
    @wraps(original)
    def guarded(self: OrganizationsResponse):
        account = self.current_account
        if organization.of(account) is None:
            if operation not in WITHOUT_ORGANIZATION:
                raise AWSOrganizationsNotInUseException()
        elif organization.is_member(account) and operation not in ANY_MEMBER:
            raise _error("AccessDeniedException", DENIED)
        size = self._get_param("MaxResults")
        if most is not None and isinstance(size, int) and size > most:
            raise InvalidInputException(TOO_LARGE)
        return original(self)

    return guarded


def move_account(self: OrganizationsBackend, **kwargs) -> None:
    account = self.get_account_by_id(kwargs["AccountId"])
    known = {ou.id for ou in self.ou}
    source, destination = kwargs["SourceParentId"], kwargs["DestinationParentId"]
    if source not in known or account.parent_id != source:
        raise _error(
            "SourceParentNotFoundException",
            "We can't find a source root or OU with the ParentId that you specified.",
        )
    if destination not in known:
        raise _error(
            "DestinationParentNotFoundException",
            "We can't find the destination container (a root or OU) with the ParentId "
            "that you specified.",
        )
    if destination == source:
        raise _error(
            "DuplicateAccountException",
            "That account is already present in the specified destination.",
        )
    account.parent_id = destination


def delete_organization(self: OrganizationsBackend) -> None:
    """moto told the management account by its name ("master"); scenarios name it."""
    if self.org is None:
        raise AWSOrganizationsNotInUseException()
    if any(account.id != self.org.master_account_id for account in self.accounts):
        raise OrganizationNotEmptyException()
    self._reset()


def _create_account(original):
    @wraps(original)
    def create(self: OrganizationsBackend, **kwargs):
        status = original(self, **kwargs)
        account_id = status["CreateAccountStatus"]["AccountId"]
        member_roles.create(account_id, member_roles.roles(account_id))
        return status

    return create


def apply() -> None:
    if _ORIGINALS:
        return
    limits = _limits()
    for operation in (
        botocore.session.get_session().get_service_model("organizations").operation_names
    ):
        name = xform_name(operation)
        original = OrganizationsResponse.__dict__.get(name)
        if callable(original):
            _ORIGINALS[name] = original
            setattr(OrganizationsResponse, name, _guard(original, operation, limits.get(operation)))
    for config in PAGINATION_MODEL.values():
        config["limit_default"] = min(config.get("limit_default") or PAGE_MAX, PAGE_MAX)
    _ORIGINALS["move_account"] = OrganizationsBackend.move_account
    OrganizationsBackend.move_account = move_account
    _ORIGINALS["delete_organization"] = OrganizationsBackend.delete_organization
    OrganizationsBackend.delete_organization = delete_organization
    _ORIGINALS["create_account"] = OrganizationsBackend.create_account
    OrganizationsBackend.create_account = _create_account(OrganizationsBackend.create_account)
