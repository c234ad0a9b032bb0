"""Strict parsing of environment variables for settings.py.

Every reader raises ImproperlyConfigured naming the variable when its value is
malformed, so a typo stops the process at start-up instead of silently falling
back to a default (``DEBUG=ture`` must not mean "off").
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DB_SCHEMES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def secret(name: str, default: str | None = None) -> str | None:
    """NAME, or the contents of the file named by NAME_FILE (for mounted secrets)."""
    value = _raw(name)
    file_name = _raw(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc}") from exc
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE: {file_name} is empty.")
    return value if value is not None else default


def string(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true or false).")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item.")
    return items


def account_ids(name: str) -> list[str]:
    """Comma-separated 12-digit AWS account ids; "1111-2222-3333" is accepted as AWS shows it."""
    ids = []
    for item in string_list(name, []):
        account_id = item.replace("-", "")
        if not (account_id.isascii() and account_id.isdigit() and len(account_id) == 12):
            raise ImproperlyConfigured(f"{name}: {item!r} is not a 12-digit account id.")
        ids.append(account_id)
    return ids


def time_zone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone.") from None
    return value


def database(name: str, default: str) -> dict:
    """A Django DATABASES entry from a URL; only SQLite and PostgreSQL are supported."""
    url = secret(name) or default
    parts = urlsplit(url)
    if parts.scheme not in _DB_SCHEMES or "://" not in url:
        raise ImproperlyConfigured(
            f"{name} must look like postgres://user:pass@host:5432/name or sqlite:///path, "
            f"got scheme {parts.scheme or '(none)'!r}."
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a malformed port.") from None
    if parts.scheme != "sqlite" and not parts.hostname:
        raise ImproperlyConfigured(f"{name} names no host.")
    config = environ.Env.db_url_config(url)
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database.")
    config["ENGINE"] = _DB_SCHEMES[parts.scheme]
    return config


def redis_url(name: str, default: str) -> str:
    url = secret(name) or default
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "sentinel"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must look like redis://host:6379/0, got {url!r}.")
    try:
        parts.port  # noqa: B018
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a malformed port.") from None
    return url


def email_url(name: str) -> dict:
    """Django's EMAIL_* settings from a URL such as smtp+tls://user:pass@host:587
    (django-environ's schemes), or {} when unset. NAME_FILE may hold it (it has a password)."""
    url = secret(name)
    if url is None:
        return {}
    parts = urlsplit(url)
    if parts.scheme not in environ.Env.EMAIL_SCHEMES or "://" not in url:
        schemes = ", ".join(sorted(environ.Env.EMAIL_SCHEMES))
        raise ImproperlyConfigured(f"{name} must use one of the schemes {schemes}.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a malformed port.") from None
    if parts.scheme.startswith("smtp") and not parts.hostname:
        raise ImproperlyConfigured(f"{name} names no host.")
    config = environ.Env.email_url_config(url)
    return {key: value for key, value in config.items() if value is not None}


def base_url(name: str, default: str) -> str:
    """An http(s) address with no query or fragment, without its trailing slash."""
    value = string(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name} must look like https://rolecall.example.com, got {value!r}."
        )
    return value.rstrip("/")


def https_url(name: str) -> str:
    """A required https:// address (an identity provider's endpoint)."""
    value = string(name, "")
    if not value.startswith("https://"):
        raise ImproperlyConfigured(f"{name} must be an https:// URL when OIDC is on.")
    return value


def mapping(name: str, keys: tuple[str, ...]) -> dict[str, str]:
    """'viewer=rc-viewers,operator=rc-ops' -> {'viewer': 'rc-viewers', 'operator': 'rc-ops'}."""
    result = {}
    for item in filter(None, (part.strip() for part in string(name).split(","))):
        key, _, value = item.partition("=")
        if key.strip() not in keys or not value.strip():
            raise ImproperlyConfigured(f"{name}: {item!r}: use <{'|'.join(keys)}>=<value>.")
        result[key.strip()] = value.strip()
    return result


def load_dotenv(path: Path) -> None:
    """Fill unset variables from a KEY=VALUE file (`make run` writes one as `.env`).

    The environment always wins: a key already set is left alone, and so is
    NAME when NAME_FILE is set (and the other way round), since both at once
    are refused by ``secret``.
    """
    try:
        text = path.read_text()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ImproperlyConfigured(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        partner = key.removesuffix("_FILE") if key.endswith("_FILE") else f"{key}_FILE"
        if _raw(key) is None and _raw(partner) is None:
            os.environ[key] = value


def private_dir(path: Path) -> Path:
    """Create a directory only its owner can enter (it holds the database and secrets)."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened
    return path


def private_file(path: Path, text: str | None = None) -> Path:
    """Create (or, given text, write) a file readable by its owner only, from the start."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if text is not None else 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)
        if text is not None:
            os.write(fd, text.encode())
    finally:
        os.close(fd)
    return path


def tighten_sqlite_file(sender, connection, **kwargs) -> None:
    """connection_created: an SQLite file (a test database too) readable by its owner only."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (Path(name), Path(f"{name}-journal"), Path(f"{name}-wal")):
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            continue
