"""A refusal is one log line; a server error keeps its traceback."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse


def _request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_one_403_gives_exactly_one_log_line_without_traceback(viewer_client, caplog):
    with caplog.at_level(logging.INFO):
        response = viewer_client.get(reverse("account-add"))
    assert response.status_code == 403
    records = _request_records(caplog)
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and not record.exc_text
    line = logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("WARNING django.request: Forbidden (Permission denied): /accounts/add/")


def test_a_400_is_one_line_naming_the_parameter(viewer_client, caplog):
    with caplog.at_level(logging.INFO):
        assert viewer_client.get(reverse("sync-status"), {"ids": "abc"}).status_code == 400
    (record,) = _request_records(caplog)
    line = logging.Formatter("%(message)s").format(record)
    assert record.exc_info is None and "\n" not in line and "ids" in line


@override_settings(DEBUG=False)
def test_a_500_still_logs_its_traceback(viewer_client, caplog, monkeypatch):
    from roles.ui import views as pages

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(pages.HealthPing.objects, "first", broken)
    viewer_client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        assert viewer_client.get("/").status_code == 500
    (record,) = _request_records(caplog)
    assert record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record)


@pytest.mark.parametrize("attempt", ["GET", "POST"])
def test_a_refused_state_change_is_one_line_too(viewer_client, demo_accounts, caplog, attempt):
    url = reverse("account-refresh", args=[demo_accounts["acme-prod"].pk])
    with caplog.at_level(logging.INFO):
        response = viewer_client.post(url) if attempt == "POST" else viewer_client.get(url)
    records = _request_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None
    assert response.status_code == (403 if attempt == "POST" else 405)
