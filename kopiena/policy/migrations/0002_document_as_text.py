# The document is stored as JSON text: PostgreSQL's jsonb re-sorts object keys, losing the written order.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="policyversion", name="document"),
        migrations.AddField(
            model_name="policyversion",
            name="document_json",
            field=models.TextField(default="{}", help_text="The validated document as canonical JSON"),
            preserve_default=False,
        ),
    ]
