"""The parts of roles/aws/blockers.py that no emulator answer exercises: how a resource's
role is matched, an API that repeats a page token, an answer the reader cannot read."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from roles.aws.blockers import _pages, uses
from roles.aws.errors import AwsError
from roles.aws.service_reads import read_region

SLR = "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def test_a_resource_uses_the_role_it_names_with_or_without_the_path_in_any_case():
    assert uses(SLR, SLR)
    assert uses("arn:aws:iam::111111111111:role/awsservicerolefORCONFIG", SLR)
    assert not uses("arn:aws:iam::222222222222:role/AWSServiceRoleForConfig", SLR)
    assert not uses("arn:aws:iam::111111111111:role/config-recorder", SLR)
    assert not uses("", SLR)


class Repeating:
    """An API that hands back the same token forever (AWS never should)."""

    def describe_things(self, **kwargs):
        return {"Things": [1], "Next": "same"}


def test_a_token_handed_back_twice_stops_the_read_with_an_error():
    with pytest.raises(AwsError) as raised:
        list(_pages(Repeating(), "describe_things", "Things", "Next", "Next"))
    assert raised.value.code == "RepeatedToken"


def test_an_answer_the_reader_cannot_read_fails_that_read_only():
    class Odd:
        def describe_load_balancers(self, **kwargs):
            return {"LoadBalancers": [{"no": "arn"}]}

    aws = SimpleNamespace(
        client=lambda service, region: Odd(), target=SimpleNamespace(account_id="111111111111")
    )
    read = read_region(aws, "elasticloadbalancing.amazonaws.com", "us-east-1")
    assert read.resources is None
    assert read.error["code"] == "KeyError"


def test_a_service_offered_in_some_regions_is_not_asked_where_it_is_not():
    from roles.aws.listing import Listing, offered

    asked = []

    def client_for(service, region):
        asked.append((service, region))
        return SimpleNamespace(list_bots=lambda **kwargs: {"bots": [{"id": "b1"}]})

    bots = Listing(
        "lexv2-models", "list_bots", "lex:ListBots", "bots", "bot", "id", "id", some_regions=True
    )
    assert not offered("lexv2-models", "us-west-1") and offered("lexv2-models", "eu-west-1")
    assert bots.read(client_for, "us-west-1", "111111111111") == []
    assert asked == []
    assert [r.arn for r in bots.read(client_for, "eu-west-1", "111111111111")] == ["b1"]
