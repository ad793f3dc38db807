"""Every DRF ``authtoken`` key becomes an ApiToken with the digest of that key.

Integrations keep working with the key they hold, until it expires ``API_TOKEN_TTL_DAYS``
after this migration runs (not after the key was made: that would cut off every old
integration at deploy time). The plaintext keys are then deleted from ``authtoken_token``,
so the database holds no usable credential. ``rest_framework.authtoken`` is no longer an
installed app, so its table is read with SQL and only where it exists (a database made before
this change); a new database has none and this is a no-op.

Reversing drops the copies with the table (0001) and cannot give the old keys back: their
plaintext is gone on purpose. Integrations then log in again.
"""

import hashlib
from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

TABLE = "authtoken_token"


def _aware(value):
    # A raw cursor skips the ORM's converters: SQLite gives text, naive in UTC.
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def copy_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    table = schema_editor.quote_name(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {table}")
        rows = cursor.fetchall()
    expires_at = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
    ApiToken.objects.using(connection.alias).bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="default",
                digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                created_at=_aware(created),
                expires_at=expires_at,
            )
            for key, user_id, created in rows
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_api_tokens")]

    operations = [migrations.RunPython(copy_authtoken_keys, migrations.RunPython.noop)]
