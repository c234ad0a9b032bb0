"""IAM Access Analyzer, served by the emulator itself (moto has no backend for it):
CreateAnalyzer, ListAnalyzers (pagination, type filter), GetAnalyzer, DeleteAnalyzer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

HUB = "123456789012"
STAGING = "222222222222"
EAST, WEST = "us-east-1", "eu-west-1"


def analyzer(aws, region: str = EAST, account: str = STAGING):
    return aws.client("accessanalyzer", region=region, account=account)


def error(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_list_and_delete(aws):
    east = analyzer(aws)
    arn = east.create_analyzer(analyzerName="account", type="ACCOUNT", tags={"team": "sec"})["arn"]
    assert arn == f"arn:aws:access-analyzer:{EAST}:{STAGING}:analyzer/account"
    got = east.get_analyzer(analyzerName="account")["analyzer"]
    assert {k: got[k] for k in ("arn", "name", "type", "status", "tags")} == {
        "arn": arn,
        "name": "account",
        "type": "ACCOUNT",
        "status": "ACTIVE",
        "tags": {"team": "sec"},
    }
    assert datetime.now(UTC) - got["createdAt"] < timedelta(minutes=1)
    assert [a["arn"] for a in east.list_analyzers()["analyzers"]] == [arn]
    # Analyzers are per Region and per account.
    assert analyzer(aws, WEST).list_analyzers()["analyzers"] == []
    assert analyzer(aws, EAST, HUB).list_analyzers()["analyzers"] == []

    east.delete_analyzer(analyzerName="account")
    assert east.list_analyzers()["analyzers"] == []
    with pytest.raises(ClientError) as excinfo:
        east.delete_analyzer(analyzerName="account")
    assert error(excinfo) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        east.get_analyzer(analyzerName="account")
    assert error(excinfo) == ("ResourceNotFoundException", 404)


def test_list_pages_and_filters_by_type(aws):
    east = analyzer(aws)
    created = [
        ("a-account", "ACCOUNT"),
        ("b-unused", "ACCOUNT_UNUSED_ACCESS"),
        ("c-account", "ACCOUNT"),
        ("d-internal", "ACCOUNT_INTERNAL_ACCESS"),
        ("e-account", "ACCOUNT"),
    ]
    for name, kind in created:
        east.create_analyzer(analyzerName=name, type=kind)

    first = east.list_analyzers(maxResults=2)
    assert [a["name"] for a in first["analyzers"]] == ["a-account", "b-unused"]
    second = east.list_analyzers(maxResults=2, nextToken=first["nextToken"])
    assert [a["name"] for a in second["analyzers"]] == ["c-account", "d-internal"]
    last = east.list_analyzers(maxResults=2, nextToken=second["nextToken"])
    assert [a["name"] for a in last["analyzers"]] == ["e-account"]
    assert "nextToken" not in last
    # Without maxResults every analyzer comes in one page.
    assert len(east.list_analyzers()["analyzers"]) == 5

    pages = east.get_paginator("list_analyzers").paginate(
        type="ACCOUNT", PaginationConfig={"PageSize": 1}
    )
    assert [[a["name"] for a in p["analyzers"]] for p in pages] == [
        ["a-account"],
        ["c-account"],
        ["e-account"],
    ]
    unused = east.list_analyzers(type="ACCOUNT_UNUSED_ACCESS")["analyzers"]
    assert [(a["name"], a["type"]) for a in unused] == [("b-unused", "ACCOUNT_UNUSED_ACCESS")]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create_analyzer(analyzerName="x", type="EVERYTHING"),
        lambda c: c.create_analyzer(analyzerName="9-starts-with-a-digit", type="ACCOUNT"),
        lambda c: c.list_analyzers(type="EVERYTHING"),
        lambda c: c.list_analyzers(maxResults=0),
        lambda c: c.list_analyzers(nextToken="not-a-token"),
    ],
    ids=["bad type", "bad name", "bad filter", "bad page size", "bad token"],
)
def test_invalid_requests_are_validation_errors(aws, call):
    with pytest.raises(ClientError) as excinfo:
        call(analyzer(aws))
    assert error(excinfo) == ("ValidationException", 400)


def test_a_name_is_taken_once_per_region(aws):
    east = analyzer(aws)
    east.create_analyzer(analyzerName="account", type="ACCOUNT")
    with pytest.raises(ClientError) as excinfo:
        east.create_analyzer(analyzerName="account", type="ACCOUNT_UNUSED_ACCESS")
    assert error(excinfo) == ("ConflictException", 409)
    assert excinfo.value.response["resourceId"] == "account"
    analyzer(aws, WEST).create_analyzer(analyzerName="account", type="ACCOUNT")


def test_unimplemented_operations_say_so(aws):
    with pytest.raises(ClientError) as excinfo:
        analyzer(aws).list_archive_rules(analyzerName="account")
    assert error(excinfo) == ("NotImplemented", 501)


def test_a_reset_forgets_analyzers(aws, control):
    analyzer(aws).create_analyzer(analyzerName="account", type="ACCOUNT")
    control.reset("demo")
    aws.forget()
    assert analyzer(aws).list_analyzers()["analyzers"] == []
    # The demo's own analyzer is back.
    hub = analyzer(aws, WEST, HUB).list_analyzers()["analyzers"]
    assert [a["arn"] for a in hub] == [
        f"arn:aws:access-analyzer:{WEST}:{HUB}:analyzer/account-analyzer"
    ]
