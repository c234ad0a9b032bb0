"""Mail and link settings (dashboard/env.py email_url, base_url): strict at start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard import env
from tests.test_settings import manage_check


def test_an_email_url_becomes_djangos_settings(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://rolecall:p%40ss@mail.example.com:587")
    assert env.email_url("EMAIL_URL") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "rolecall",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_FILE_PATH": "",
    }


def test_an_email_url_may_come_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "email_url"
    path.write_text("smtp://mail.example.com:25\n")
    monkeypatch.setenv("EMAIL_URL_FILE", str(path))
    assert env.email_url("EMAIL_URL")["EMAIL_HOST"] == "mail.example.com"


@pytest.mark.parametrize(
    "url", ["mysql://mail.example.com", "mail.example.com", "smtp://:25", "smtp://host:x"]
)
def test_it_refuses_a_malformed_email_url(monkeypatch, url):
    monkeypatch.setenv("EMAIL_URL", url)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        env.email_url("EMAIL_URL")


@pytest.mark.parametrize(
    "url", ["rolecall.example.com", "ftp://x.example.com", "https://x.example.com/?a=1"]
)
def test_it_refuses_a_malformed_base_url(monkeypatch, url):
    monkeypatch.setenv("ROLECALL_BASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="ROLECALL_BASE_URL"):
        env.base_url("ROLECALL_BASE_URL", "")


def test_a_base_url_loses_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("ROLECALL_BASE_URL", "https://rolecall.example.com/")
    assert env.base_url("ROLECALL_BASE_URL", "") == "https://rolecall.example.com"


def test_start_up_refuses_an_email_url_and_email_host_together():
    result = manage_check(
        SECRET_KEY="k" * 50, EMAIL_URL="smtp://mail.example.com", EMAIL_HOST="other"
    )
    assert result.returncode != 0
    assert "Set EMAIL_URL or the EMAIL_HOST... variables, not both." in result.stderr
