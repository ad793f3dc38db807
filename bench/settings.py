"""Settings for ``bench/run.py``: the project's own, plus the bench-only URLs.

Never used by the application itself; the bare baseline view exists only here.
"""

from ejento_staging.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The bench talks plain HTTP on loopback.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "bench"  # noqa: F405
