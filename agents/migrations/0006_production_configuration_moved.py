"""``ProductionConfiguration`` now belongs to ``publishing`` (state only; the table stays)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0005_backfill_history_username"),
        ("publishing", "0003_production_configuration"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ProductionConfiguration")],
            database_operations=[],
        ),
    ]
