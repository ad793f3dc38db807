"""Catalogue history starts, and every Staging fingerprint takes in the effective definitions.

* Each catalogue item gets its first history record, dated when it was made (an action: when
  its tool was), so the edit history can rebuild every checkpoint with a definition.
* Each agent's stored Staging fingerprint is recomputed, now that the snapshot carries the
  effective definitions of the catalogue items it uses, and the change is recorded as one
  checkpoint (no user: no one edited). Production and the publish records are left exactly as
  stored - their hash chain still verifies - so every published agent now honestly shows
  unpublished changes: its next publish records the definitions, which its diff shows as the
  one-time change it is.
"""

from django.db import migrations
from django.utils import timezone

from configuration.snapshot import build_snapshot, fingerprint

REASON = "Definitions now recorded with the configuration"
FIRST_RECORD = "Catalogue history begins"


def seed_catalogue_history(apps, now):
    for name, dated in (
        ("Corpus", lambda row: row.created_at),
        ("Tool", lambda row: row.created_at),
        ("Guardrail", lambda row: row.created_at),
        ("ToolAction", lambda row: row.tool.created_at),
    ):
        model = apps.get_model("agents", name)
        historical = apps.get_model("agents", f"Historical{name}")
        rows = model.objects.all()
        if name == "ToolAction":
            rows = rows.select_related("tool")
        fields = [f.attname for f in model._meta.concrete_fields]
        historical.objects.bulk_create(
            [
                historical(
                    history_date=dated(row) or now,
                    history_type="+",
                    history_change_reason=FIRST_RECORD,
                    **{attname: getattr(row, attname) for attname in fields},
                )
                for row in rows.iterator()
            ],
            batch_size=500,
        )


def staging_snapshot(apps, staging):
    agent_id = staging.agent_id

    def rows(name, *related):
        return list(
            apps.get_model("agents", name)
            .objects.filter(agent_id=agent_id)
            .select_related(*related)
        )

    return build_snapshot(
        staging=staging,
        instructions=rows("Instruction"),
        corpus_connections=rows("CorpusConnection", "corpus"),
        tool_bindings=rows("ToolBinding", "tool"),
        action_settings=rows("ActionSetting", "action"),
        guardrail_settings=rows("GuardrailSetting", "guardrail"),
    )


def record_definitions(apps, schema_editor):
    now = timezone.now()
    seed_catalogue_history(apps, now)
    staging_model = apps.get_model("agents", "StagingConfiguration")
    historical = apps.get_model("agents", "HistoricalStagingConfiguration")
    fields = [f.attname for f in staging_model._meta.concrete_fields]
    for staging in staging_model.objects.order_by("agent_id").iterator():
        digest = fingerprint(staging_snapshot(apps, staging))
        if digest == staging.fingerprint:
            continue
        staging.fingerprint = digest
        staging.revision += 1
        staging_model.objects.filter(pk=staging.pk).update(
            fingerprint=digest, revision=staging.revision
        )
        historical.objects.create(
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            staging_revision=staging.revision,
            **{attname: getattr(staging, attname) for attname in fields},
        )


class Migration(migrations.Migration):
    dependencies = [("agents", "0008_catalogue_history")]

    operations = [
        migrations.RunPython(record_definitions, migrations.RunPython.noop, elidable=False)
    ]
