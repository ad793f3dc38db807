import pytest
from django.core.management import call_command

from agents.models import Agent, AgentPermission
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.selectors import review_staging

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

    call_command("seed_demo")
    assert "already present" in capsys.readouterr().out
    assert Agent.objects.count() == 3
