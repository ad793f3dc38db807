"""An import that fails part-way, or is refused, leaves Staging and the catalogue as they were:
the components it created for itself go with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agents import services
from agents.models import Guardrail, Tool
from tests.agents.transfer_world import exported
from tests.reliability.helpers import stored_state


class InjectedFault(Exception):
    pass


@pytest.mark.parametrize("point", ["history write", "checkpoint row"])
def test_a_fault_inside_the_import_leaves_staging_and_the_catalogue_as_before(
    rich, owner, elsewhere, other_organization, monkeypatch, point
):
    """Components were created for the import before its edit failed: they go with it."""
    from agents import staging

    document = exported(rich)
    state = stored_state(elsewhere)
    target, name = (
        (staging, "record_history")
        if point == "history write"
        else (staging.StagingConfiguration, "save")
    )

    def fail(*args, **kwargs):
        raise InjectedFault

    monkeypatch.setattr(target, name, fail)
    with pytest.raises(InjectedFault):
        services.import_document(
            agent=elsewhere, acting_user=owner, document=document, create_missing_components=True
        )
    monkeypatch.undo()
    assert stored_state(elsewhere) == state
    assert not Tool.objects.filter(organization=other_organization).exists()
    assert not Guardrail.objects.filter(organization=other_organization).exists()


def test_an_import_refused_by_the_size_bound_creates_no_component(
    rich, owner, elsewhere, other_organization, settings
):
    document = exported(rich)
    document["instructions"] = [{"title": f"T{n}", "content": "x" * 900} for n in range(10)]
    settings.MAX_CONFIGURATION_BYTES = 6000
    with pytest.raises(ValidationError) as error:
        services.import_document(
            agent=elsewhere, acting_user=owner, document=document, create_missing_components=True
        )
    assert list(error.value.message_dict) == ["configuration"]
    assert not Tool.objects.filter(organization=other_organization).exists()
