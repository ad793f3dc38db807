import pytest
from django.core.management import call_command

from agents.models import Agent, AgentPermission
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging
from reviews.selectors import open_review_request, readiness, review_state

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_realistic_catalogue_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo-pass-2026" in out and "publisher" in out
    assert Agent.objects.count() == 3
    assert ProductionConfiguration.objects.count() == 2
    assert PublishRecord.objects.count() == 3
    support = Agent.objects.get(staging__name="Support Assistant")
    assert support.instructions.count() == 4
    assert review_staging(support).diff.has_changes  # work in progress to review
    assert AgentPermission.objects.filter(role="viewer").count() == 3
    # One agent waits for its review: a policy, an editor's change, a request, a check.
    sales = Agent.objects.get(staging__name="Sales Helper")
    state = review_state(sales)
    waiting = readiness(sales, fingerprint=state.fingerprint, staging=state.staging)
    assert waiting.policy.required_approvals == 1
    assert waiting.blockers == (
        "1 approval needed, 0 given on this state.",
        "Required check 'regression-eval': pending.",
    )
    assert [a.username for a in waiting.authors] == ["editor"]
    assert open_review_request(sales).fingerprint == state.fingerprint

    call_command("seed_demo")
    assert "already present" in capsys.readouterr().out
    assert Agent.objects.count() == 3


def test_seed_demo_prints_the_default_address(capsys, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    call_command("seed_demo")
    assert "Open http://127.0.0.1:8000/ and log in" in capsys.readouterr().out


def test_seed_demo_prints_the_port_the_demo_serves_on(capsys, monkeypatch):
    # scripts/demo serves on $PORT; a newcomer who set it must be sent there, not to 8000.
    monkeypatch.setenv("PORT", "8001")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Open http://127.0.0.1:8001/ and log in" in out and ":8000" not in out
    # Printed again when the data is already there: the demo is run again and again.
    call_command("seed_demo")
    assert "Open http://127.0.0.1:8001/ and log in" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("8002", "http://127.0.0.1:8002/"),
        ("127.0.0.1:8003", "http://127.0.0.1:8003/"),
        ("0.0.0.0:8004", "http://127.0.0.1:8004/"),
        ("192.168.1.5:8005", "http://192.168.1.5:8005/"),
        ("[::1]:8006", "http://[::1]:8006/"),
    ],
)
def test_seed_demo_prints_the_address_the_script_passes(capsys, monkeypatch, addrport, url):
    monkeypatch.setenv("PORT", "9999")  # the option wins: it is what runserver is given
    call_command("seed_demo", addrport=addrport)
    assert f"Open {url} and log in" in capsys.readouterr().out
