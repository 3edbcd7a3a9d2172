from django.db import migrations, models


def install(apps, schema_editor):
    # Re-installed after the column is added: SQLite may rebuild the table (dropping its triggers), and
    # PostgreSQL gains the TRUNCATE trigger. Existing rows keep key_id "" (legacy, plain SHA-256): they
    # are verified as before, and only as the beginning of the chain.
    from kopiena.audit import triggers

    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_pending_events")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
