"""The publish history is tamper-evident: ``manage.py verify_publish_history`` names the
first record that was changed or deleted behind the application's back (raw SQL, not the
ORM), and exits non-zero."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agents import services
from publishing.management.commands.verify_publish_history import Command
from publishing.models import ProductionConfiguration, PublishRecord
from publishing.services import publish_agent
from tests import factories
from tests.reliability import helpers

TABLE = PublishRecord._meta.db_table


def publish_n(agent, user, n: int) -> list[PublishRecord]:
    records = []
    for i in range(n):
        services.update_agent_settings(agent=agent, acting_user=user, description=f"Version {i}")
        records.append(publish_agent(agent=agent, acting_user=user, notes=f"publish {i}"))
    return records


def run_verify(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_publish_history", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_verify_broken(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_publish_history", *args, stdout=io.StringIO(), stderr=err)
    return caught.value, err.getvalue()


def broken_line(agent, sequence: int, record: PublishRecord, reason: str) -> str:
    """What ``verify_publish_history`` writes for the first broken record of an agent."""
    return (
        f"BROKEN agent={agent.pk} sequence={sequence} "
        f"change_track_id={record.change_track_id}: {reason}"
    )


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def cut_out(before: PublishRecord, doomed: PublishRecord, after: PublishRecord) -> None:
    """Delete one record the way a tamperer must: the next record points at it (and the
    pointer is unique), so it is unhooked first and re-linked to the one before."""
    raw(f"UPDATE {TABLE} SET previous_id = NULL WHERE id = %s", [after.pk])
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [doomed.pk])
    raw(f"UPDATE {TABLE} SET previous_id = %s WHERE id = %s", [before.pk, after.pk])


def json_param() -> str:
    # PostgreSQL stores the JSONField as jsonb and needs the cast; SQLite stores text.
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


@pytest.fixture
def history(publisher, rich_agent):
    return rich_agent, publish_n(rich_agent, publisher, 4)


@pytest.fixture
def other_agent(publisher):
    """A second agent, in an organization of its own, beside ``history``'s: what is done to
    one agent's history must neither touch nor read the other's."""
    return helpers.make_rich_agent(publisher, name="Other organization's agent")


def test_intact_history_passes_with_a_summary(history, publisher, other_agent):
    publish_n(other_agent, publisher, 2)

    out, err = run_verify()

    assert err == ""
    assert "OK: 2 agent(s) checked, 6 record(s) checked, 0 broken" in out


def test_no_history_at_all_passes(db):
    out, _ = run_verify()
    assert "0 agent(s) checked, 0 record(s) checked" in out


def test_changed_notes_are_reported_at_exactly_that_record(history):
    agent, records = history
    target = records[2]
    raw(f"UPDATE {TABLE} SET notes = %s WHERE id = %s", ["nothing to see here", target.pk])

    error, err = run_verify_broken()

    assert error.returncode == 1
    assert broken_line(agent, 3, target, "content does not match its hash") in err
    assert "1 broken chain(s)" in str(error)


def test_changed_snapshot_is_reported_at_exactly_that_record(history):
    _agent, records = history
    target = records[1]
    snapshot = dict(target.snapshot)
    snapshot["settings"] = {**snapshot["settings"], "description": "Quietly rewritten"}
    raw(
        f"UPDATE {TABLE} SET snapshot = {json_param()} WHERE id = %s",
        [json.dumps(snapshot), target.pk],
    )

    _, err = run_verify_broken()

    assert f"sequence=2 change_track_id={target.change_track_id}" in err
    assert "content does not match its hash" in err


def test_rewritten_record_with_recomputed_hash_breaks_the_next_link(history):
    """Recomputing the tampered record's own hash does not help: the next record points at
    the old hash."""
    from publishing.integrity import compute_record_hash

    _agent, records = history
    target = PublishRecord.objects.get(pk=records[1].pk)
    target.notes = "rewritten"
    new_hash = compute_record_hash(target)
    raw(
        f"UPDATE {TABLE} SET notes = %s, record_hash = %s WHERE id = %s",
        ["rewritten", new_hash, target.pk],
    )

    _, err = run_verify_broken()

    assert f"sequence=3 change_track_id={records[2].change_track_id}" in err
    assert "previous_hash does not match the record before it" in err


def test_deleted_middle_record_is_reported(history):
    agent, records = history
    doomed, after = records[1], records[2]
    cut_out(records[0], doomed, after)

    _, err = run_verify_broken()

    assert broken_line(agent, 3, after, "sequence 2 is missing") in err


def test_deleted_middle_record_with_renumbering_is_reported(history):
    _agent, records = history
    doomed = records[1]
    cut_out(records[0], doomed, records[2])
    for record in records[2:]:
        raw(f"UPDATE {TABLE} SET sequence = sequence - 1 WHERE id = %s", [record.pk])

    _, err = run_verify_broken()

    assert f"sequence=2 change_track_id={records[2].change_track_id}" in err
    assert "previous_hash does not match" in err


def test_deleted_newest_record_is_caught_by_production(history):
    """The chain alone cannot see its tail cut off; Production still names the lost publish."""
    _agent, records = history
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [records[-1].pk])

    _, err = run_verify_broken()

    assert f"sequence=3 change_track_id={records[2].change_track_id}" in err
    assert "not from the newest record" in err


def test_production_rewritten_behind_publish_is_reported(history):
    agent, records = history
    snapshot = dict(records[-1].snapshot)
    snapshot["settings"] = {**snapshot["settings"], "name": "Hijacked"}
    raw(
        f"UPDATE {ProductionConfiguration._meta.db_table} SET snapshot = {json_param()} "
        "WHERE agent_id = %s",
        [json.dumps(snapshot), agent.pk],
    )

    _, err = run_verify_broken()

    assert f"sequence=4 change_track_id={records[-1].change_track_id}" in err
    assert "Production differs from the newest record's snapshot" in err


def test_production_without_any_record_is_reported(history):
    agent, records = history
    ids = [r.pk for r in reversed(records)]
    # Newest first, so no record is ever left pointing at a deleted one.
    for pk in ids:
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [pk])

    _, err = run_verify_broken()

    assert f"agent={agent.pk} sequence=0" in err
    assert "Production exists but the agent has no publish record" in err


def test_agent_option_checks_only_that_agent(history, publisher, other_agent):
    agent, records = history
    publish_n(other_agent, publisher, 1)
    raw(f"UPDATE {TABLE} SET notes = %s WHERE id = %s", ["x", records[0].pk])

    out, _ = run_verify("--agent", str(other_agent.pk))
    assert "OK: 1 agent(s) checked, 1 record(s) checked" in out

    _, err = run_verify_broken("--agent", str(agent.pk))
    assert f"agent={agent.pk} sequence=1" in err


def test_only_the_first_broken_link_per_agent_is_reported(history):
    _agent, records = history
    for record in records[1:]:
        raw(f"UPDATE {TABLE} SET notes = %s WHERE id = %s", ["x", record.pk])

    _, err = run_verify_broken()

    assert err.count("BROKEN") == 1
    assert "sequence=2" in err


@pytest.mark.django_db(transaction=True)
def test_exit_status_is_non_zero_when_broken(publisher):
    """What a cron job sees: the process exit status, not an exception."""
    agent = helpers.make_rich_agent(publisher)
    records = publish_n(agent, publisher, 2)
    argv = ["manage.py", "verify_publish_history"]
    with pytest.raises(SystemExit) as clean:
        Command(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(argv)
        raise SystemExit(0)
    assert clean.value.code == 0

    raw(f"UPDATE {TABLE} SET notes = %s WHERE id = %s", ["x", records[1].pk])
    with pytest.raises(SystemExit) as broken:
        Command(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(argv)
    assert broken.value.code == 1


# --- Red-team finding 7: the fields the hash leaves out are cross-checked -------------------

PRODUCTION = ProductionConfiguration._meta.db_table


def test_previous_id_pointed_at_another_agents_record_is_reported(history, publisher, other_agent):
    agent, records = history
    other_newest = publish_n(other_agent, publisher, 2)[-1]
    raw(f"UPDATE {TABLE} SET previous_id = %s WHERE id = %s", [other_newest.pk, records[2].pk])

    _, err = run_verify_broken()

    assert (
        broken_line(agent, 3, records[2], "previous_id does not name the record before it") in err
    )


def test_previous_id_cleared_is_reported(history):
    _agent, records = history
    raw(f"UPDATE {TABLE} SET previous_id = NULL WHERE id = %s", [records[3].pk])

    _, err = run_verify_broken()

    assert f"sequence=4 change_track_id={records[3].change_track_id}" in err
    assert "previous_id does not name the record before it" in err


def test_revert_preview_never_reads_another_agents_record(history, publisher, other_agent):
    """Whatever previous_id says, the revert base is one of the agent's own records."""
    from publishing.services import REVERT, plan_rollback

    agent, records = history
    services.add_instruction(
        agent=other_agent,
        acting_user=publisher,
        title="Other org secret",
        content="Unpublished elsewhere",
    )
    other_newest = publish_n(other_agent, publisher, 1)[-1]
    raw(f"UPDATE {TABLE} SET previous_id = %s WHERE id = %s", [other_newest.pk, records[2].pk])

    record = PublishRecord.objects.get(pk=records[2].pk)
    plan = plan_rollback(agent=agent, record=record, mode=REVERT)

    assert "Other org secret" not in json.dumps(plan.target)
    assert "Other org secret" not in json.dumps(plan.as_dict())
    assert "Other organization's agent" not in json.dumps(plan.target)


def test_published_by_id_pointed_at_another_user_is_reported(history):
    agent, records = history
    mallory = factories.UserFactory(username="mallory")
    raw(f"UPDATE {TABLE} SET published_by_id = %s WHERE id = %s", [mallory.pk, records[1].pk])

    _, err = run_verify_broken()

    assert (
        broken_line(
            agent, 2, records[1], "published_by_id does not match the stored publisher username"
        )
        in err
    )


def test_deleted_publisher_still_verifies(history, publisher):
    """Deleting a user sets published_by to NULL: not tampering, the username stays."""
    publisher.delete()

    out, _ = run_verify()

    assert "0 broken chain(s)" in out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("fingerprint", "0" * 64),
        ("published_at", "2001-01-01 00:00:00+00:00"),
    ],
)
def test_production_field_rewritten_behind_publish_is_reported(history, column, value):
    agent, records = history
    raw(f"UPDATE {PRODUCTION} SET {column} = %s WHERE agent_id = %s", [value, agent.pk])

    _, err = run_verify_broken()

    assert (
        broken_line(
            agent, 4, records[-1], f"Production's {column} differs from the newest record's"
        )
        in err
    )


def test_production_publisher_rewritten_is_reported(history):
    agent, records = history
    mallory = factories.UserFactory(username="mallory")
    raw(f"UPDATE {PRODUCTION} SET published_by_id = %s WHERE agent_id = %s", [mallory.pk, agent.pk])

    _, err = run_verify_broken()

    assert f"sequence=4 change_track_id={records[-1].change_track_id}" in err
    assert "Production's published_by differs from the newest record's" in err
