"""``ProductionConfiguration`` moves here from ``agents``: state only, the table keeps its name.

``agents.0006_production_configuration_moved`` removes it from the old app's state once
this has added it here, so no step of the migration graph sees it twice or not at all.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_drop_unused_sequence_index"),
        ("agents", "0005_backfill_history_username"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProductionConfiguration",
                    fields=[
                        (
                            "agent",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="production",
                                serialize=False,
                                to="agents.agent",
                            ),
                        ),
                        ("snapshot", models.JSONField()),
                        ("fingerprint", models.CharField(max_length=64)),
                        ("change_track_id", models.UUIDField()),
                        ("published_at", models.DateTimeField()),
                        (
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "production configuration",
                        "db_table": "agents_productionconfiguration",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
