"""Fill the new username columns from the user keys that are still set, so edits made before
the columns existed keep naming their author once that user is deleted."""

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

HISTORY_MODELS = [
    "historicalstagingconfiguration",
    "historicalinstruction",
    "historicalcorpusconnection",
    "historicaltoolbinding",
    "historicalactionsetting",
    "historicalguardrailsetting",
]


def backfill(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)

    def username_of(key: str) -> Coalesce:
        # A history row's key can outlive its user (no constraint on historical keys).
        return Coalesce(
            Subquery(User.objects.filter(pk=OuterRef(key)).values("username")[:1]), Value("")
        )

    for name in HISTORY_MODELS:
        model = apps.get_model("agents", name)
        model.objects.filter(history_user_id__isnull=False, history_username="").update(
            history_username=username_of("history_user_id")
        )
    for name in ("stagingconfiguration", "historicalstagingconfiguration"):
        model = apps.get_model("agents", name)
        model.objects.filter(updated_by_id__isnull=False, updated_by_username="").update(
            updated_by_username=username_of("updated_by_id")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0004_history_username"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
