"""Reading configuration from environment variables.

Every setting Kopiena has comes from a ``KOPIENA_*`` variable; README.md lists them with defaults.
These helpers only parse; settings.py decides the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by this user only (0700). An existing directory is left as
    the operator made it."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask only downwards; say it explicitly
    return path


def write_private_file(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the first byte (keys must never be readable by others, not
    even for the moment between writing and a chmod)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _postgres_options(options: dict[str, str]) -> dict:
    """psycopg options from the URL's query, with server-side binding and prepared statements on.

    The engine and inbox repeat the same few statements thousands of times a minute; prepared, PostgreSQL
    plans each once per connection instead of every time (planning was most of their server time).
    Behind a transaction-pooling PgBouncer, add ``?prepare_threshold=none`` to the URL."""
    result: dict = dict(options)
    binding = result.pop("server_side_binding", "true").strip().lower()
    result["server_side_binding"] = binding in {"1", "true", "yes", "on"}
    threshold = result.pop("prepare_threshold", "5").strip().lower()
    result["prepare_threshold"] = None if threshold in {"", "none", "off"} else int(threshold)
    return result


def parse_database_url(url: str, *, base_dir: Path) -> dict:
    """Turn ``sqlite:///var/kopiena.sqlite3`` or ``postgres://user:pw@host:5432/db`` into Django's dict.

    SQLite runs in WAL mode with IMMEDIATE transactions so that the web process, the worker and the clock
    can share one file without "database is locked" errors on write upgrades.
    """
    parsed = urlparse(url)
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme == "sqlite":
        raw_path = unquote(parsed.path)
        if raw_path.startswith("//"):  # sqlite:////absolute/path
            name = raw_path[1:]
        elif raw_path in ("/:memory:", ":memory:"):
            name = ":memory:"
        else:
            name = str(base_dir / raw_path.lstrip("/"))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; "
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": os.environ.get("KOPIENA_TEST_DB_NAME") or None},
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "kopiena",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # Persistent connections: a worker that reconnects per task runs about 4x slower on PostgreSQL.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": _postgres_options(options),
            "TEST": {"NAME": os.environ.get("KOPIENA_TEST_DB_NAME") or None},
        }
    raise ValueError(
        f"KOPIENA_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite:// or postgres://)"
    )
