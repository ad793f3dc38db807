import os

import pytest
from rest_framework.test import APIClient

from tests import factories

os.environ.setdefault("DJANGO_TESTING", "1")


def _worker_redis_url(variable: str, default: str) -> None:
    """Give this pytest-xdist worker its own Redis database, as pytest-django gives it its own
    test database: tests that flush Redis must not flush another worker's keys."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker.removeprefix("gw") or 0)
    base, _, number = os.environ.get(variable, default).rpartition("/")
    os.environ[variable] = f"{base}/{int(number) + offset}"


# Read when the test modules are imported, so set before that: 9.. for the gunicorn runs,
# 3.. for the in-process live-read tests (room for six workers each).
_worker_redis_url("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")
_worker_redis_url("PERF_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once():
    """WhiteNoise lists every static file (through Django's finders) when its middleware is
    made. An app process makes its middleware once; Django's test client makes it again for
    every client, and the listing cost each new client about 50 ms - a third of the
    permission matrix's time, and more than a minute of the suite's. The list is the same for
    the whole run (no test adds a static file), so it is made once and handed to every later
    middleware."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    listed: dict[str, dict] = {}
    list_files = WhiteNoiseMiddleware.add_files_from_finders

    def add_files_from_finders(self) -> None:
        if self.static_prefix not in listed:
            before = dict(self.files)
            list_files(self)
            listed[self.static_prefix] = {
                url: found for url, found in self.files.items() if before.get(url) is not found
            }
        self.files.update(listed[self.static_prefix])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = list_files


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from publishing.live import cache as live

    # Bodies a process holds outlive a test; ids are reused once its transaction is undone.
    cache.clear()
    live.local_payloads.clear()
    yield
    cache.clear()
    live.local_payloads.clear()


@pytest.fixture
def shared(monkeypatch):
    """Treat the test cache as shared by every process, as Redis is (one process here)."""
    from publishing.live import cache as live

    monkeypatch.setattr(live, "shared_cache", lambda: True)


@pytest.fixture(params=["local", "shared"])
def cache_mode(request, monkeypatch):
    """Run a live-read test with a per-process cache and with a shared one (Redis)."""
    from publishing.live import cache as live

    if request.param == "shared":
        monkeypatch.setattr(live, "shared_cache", lambda: True)
    return request.param


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def organization(db):
    return factories.OrganizationFactory()


@pytest.fixture
def project(organization):
    return factories.ProjectFactory(organization=organization)


@pytest.fixture
def owner(organization):
    """A member of the organization (no admin), who owns ``agent`` by having created it."""
    user = factories.UserFactory(username="owner")
    factories.join(organization, user)
    return user


@pytest.fixture
def agent(project, owner):
    return factories.AgentFactory(project=project, user=owner, name="Support bot")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def owner_client(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client
