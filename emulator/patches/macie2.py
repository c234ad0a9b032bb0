"""Amazon Macie: moto starts every account and Region with Macie enabled, and answers
GetMacieSession where it is not with ResourceNotFoundException. AWS starts with Macie
off until EnableMacie, and answers GetMacieSession there with AccessDeniedException
"Macie is not enabled." (as public reports of the API show), the answer rolecall's
reader takes for "off"."""

from __future__ import annotations

from functools import wraps

from moto.macie2.exceptions import AccessDeniedException
from moto.macie2.models import MacieBackend

NOT_ENABLED = "Macie is not enabled."


def apply() -> None:
    original_init = MacieBackend.__init__
    original_get = MacieBackend.get_macie_session

    @wraps(original_init)
    def __init__(self, region_name: str, account_id: str) -> None:
        original_init(self, region_name, account_id)
        self.macie_session = None

    @wraps(original_get)
    def get_macie_session(self):
        if not self.macie_session:
            raise AccessDeniedException(NOT_ENABLED)
        return original_get(self)

    MacieBackend.__init__ = __init__
    MacieBackend.get_macie_session = get_macie_session
