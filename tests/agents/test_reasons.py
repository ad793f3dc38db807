"""Edit reasons: the edit history says what an edit changed, by name, and nothing else."""

from __future__ import annotations

from agents import services
from agents.models import StagingConfiguration
from agents.reasons import REASON_MAX_LENGTH, clip
from tests import factories
from tests.agents.conftest import checkpoints


def reason(agent):
    return checkpoints(agent)[-1].history_change_reason


def test_a_temperature_edit_names_only_the_temperature(agent, editor):
    staging = StagingConfiguration.objects.get(agent=agent)
    # What a settings form sends: every field, only one of them new.
    services.update_agent_settings(
        agent=agent,
        acting_user=editor,
        name=staging.name,
        description=staging.description,
        model_config={**staging.model_config, "temperature": 0.1},
    )
    assert reason(agent) == "Settings changed: Model configuration: temperature"


def test_an_instruction_edit_names_the_instruction_and_its_changed_fields(agent, editor):
    made = services.add_instruction(agent=agent, acting_user=editor, title="Tone", content="Calm")
    assert reason(agent) == "Instruction “Tone” added"
    services.update_instruction(
        agent=agent, acting_user=editor, instruction_id=made.pk, title="Tone", content="Warm"
    )
    assert reason(agent) == "Instruction “Tone” edited: content"
    services.add_instruction(agent=agent, acting_user=editor, title="Length", content="Short")
    services.update_instruction(agent=agent, acting_user=editor, instruction_id=made.pk, position=1)
    assert reason(agent) == "Instruction “Tone” moved"
    services.delete_instruction(agent=agent, acting_user=editor, instruction_id=made.pk)
    assert reason(agent) == "Instruction “Tone” deleted"


def test_corpora_are_named_and_counted_in_proper_plurals(agent, editor, corpus, corpus2):
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    assert reason(agent) == "Corpus “Handbook” connected"
    services.disconnect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk, corpus2.pk])
    assert reason(agent) == "2 corpora connected: “Handbook”, “FAQ”"


def test_a_corpus_turned_off_is_named(agent, editor, corpus):
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=[corpus.pk])
    services.set_corpus_connection(
        agent=agent, acting_user=editor, corpus_id=corpus.pk, enabled=False
    )
    assert reason(agent) == "Corpus “Handbook” turned off"


def test_a_guardrail_settings_edit_says_settings_not_on_or_off(agent, editor, guardrail):
    for settings in ({"mask": True}, {"mask": False}):
        services.set_guardrail(
            agent=agent,
            acting_user=editor,
            guardrail_id=guardrail.pk,
            enabled=True,
            settings=settings,
        )
    assert reason(agent) == "Guardrail “PII” settings changed: mask"


def test_a_long_reason_is_cut_at_a_word_with_an_ellipsis(agent, editor, project):
    names = [f"Corpus number {n} of the library" for n in range(6)]
    ids = [factories.CorpusFactory(project=project, name=name).pk for name in names]
    services.connect_corpora(agent=agent, acting_user=editor, corpus_ids=ids)
    stored = reason(agent)
    assert len(stored) <= REASON_MAX_LENGTH
    assert stored.startswith("6 corpora connected: “Corpus number 0")
    assert stored.endswith("…") and not stored.endswith(" …")


def test_clip_leaves_a_short_reason_alone_and_cuts_a_word_free_one_hard():
    assert clip("Tags replaced") == "Tags replaced"
    assert clip("x" * 150) == "x" * 99 + "…"
