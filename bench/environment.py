"""Where the bench runs: the database, Redis, port and process environment it uses.

Every value can be pointed elsewhere through a ``BENCH_*`` variable, so the bench can share a
machine with another PostgreSQL or Redis without touching their data.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = 2
PAGE_SIZE = 25

# Both this process (for the in-process measurements) and gunicorn run with these, so the
# two see the same database and settings. The Redis cache is off unless a run turns it on.
ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "ERROR",
    "REDIS_URL": "",
}


def app_environment(db_name: str, **extra: str) -> dict[str, str]:
    """The environment of a bench that runs the project's own settings on its own database
    (``bench/webhooks.py``, ``bench/reviews.py``)."""
    return {
        "DATABASE_URL": f"{PG}/{db_name}",
        "DJANGO_SETTINGS_MODULE": "ejento_staging.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
        "REDIS_URL": "",
        **extra,
    }


def last_page(records: int) -> int:
    """The number of the last page of a history of ``records`` publishes."""
    return -(-records // PAGE_SIZE)
