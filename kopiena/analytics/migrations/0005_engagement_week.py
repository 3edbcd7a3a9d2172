from datetime import timedelta

from django.db import migrations, models


def fill_weeks(apps, schema_editor):
    """Each existing row's Monday, from the day and weekday it already keeps (a few hundred distinct days)."""
    engagement_day = apps.get_model("analytics", "EngagementDay")
    for day, weekday in engagement_day.objects.values_list("day", "weekday").distinct().order_by():
        engagement_day.objects.filter(day=day).update(week=day - timedelta(days=weekday))


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_workspace_totals")]

    operations = [
        migrations.AddField(model_name="engagementday", name="week", field=models.DateField(null=True)),
        migrations.RunPython(fill_weeks, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="engagementday",
            name="week",
            field=models.DateField(help_text="The Monday of the day's week: cadence's weekly limits group by it"),
        ),
    ]
