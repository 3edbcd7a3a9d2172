"""Create the database cache table (settings.CACHES) so login rate limiting works after `kopiena migrate`.

``createcachetable`` skips tables that exist, so this is safe on installations that made it by hand.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
