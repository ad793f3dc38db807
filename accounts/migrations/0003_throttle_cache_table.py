"""The table behind the ``throttle`` cache when no Redis is configured (see settings).

Made here, by ``migrate``, so no deployment can forget ``createcachetable``; it is created
whatever the current settings say, so switching Redis off later finds it in place.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "ejento_throttle_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_copy_authtoken_keys")]

    operations = [migrations.RunPython(create_table, drop_table)]
