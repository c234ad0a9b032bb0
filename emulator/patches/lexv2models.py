"""Patch to moto's Lex V2: a bot's id is a UUID in moto, where AWS's is ten letters and
digits (the Lex V2 API's model: botId, min and max 10, ``^[0-9a-zA-Z]+$``), so botocore
refuses moto's id before DescribeBot or DeleteBot is even sent. Each bot gets an id in
AWS's form, and its ARN (``arn:aws:lex:<region>:<account>:bot/<botId>``) follows."""

from __future__ import annotations

from moto.lexv2models.models import FakeBot
from moto.moto_api._internal import mock_random

_ORIGINALS: dict[str, object] = {}


def _init(self: FakeBot, *args, **kwargs) -> None:
    _ORIGINALS["__init__"](self, *args, **kwargs)
    self.id = mock_random.get_random_string(10).upper()
    self.arn = self._generate_arn()


def apply() -> None:
    if "__init__" in _ORIGINALS:
        return
    _ORIGINALS["__init__"] = FakeBot.__init__
    FakeBot.__init__ = _init
