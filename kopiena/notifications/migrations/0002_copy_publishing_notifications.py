"""Copy publishing.Notification rows into notifications.Notice (same ids, so links in e-mails already sent
keep working). The old rows carry text in one language — the recipient's at the time — kept as that
language's text; the new notice is shown in it whatever the reader's language (there is no other).
Reversible: the reverse copies the notices back (in the stored language) for a downgrade."""

from django.db import migrations

BATCH = 1000


def _event_for(kind: str) -> str:
    from kopiena.notifications.events import event_for

    return str(event_for(kind))


def _reset_sequence(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)"
            )


def forwards(apps, schema_editor):
    Old = apps.get_model("publishing", "Notification")
    Notice = apps.get_model("notifications", "Notice")
    for name in ("created_at", "updated_at"):  # keep the original moments
        field = Notice._meta.get_field(name)
        field.auto_now_add = field.auto_now = False
    last = 0
    while True:
        rows = list(Old.objects.filter(pk__gt=last).select_related("recipient").order_by("pk")[:BATCH])
        if not rows:
            break
        Notice.objects.bulk_create(
            Notice(
                id=row.pk,
                workspace_id=row.workspace_id,
                recipient_id=row.recipient_id,
                kind=row.kind[:60],
                event=_event_for(row.kind),
                params={},
                texts={(row.recipient.language or "en"): {"title": row.title, "body": row.body}},
                post_id=row.post_id,
                read_at=row.read_at,
                emailed_at=row.emailed_at,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            for row in rows
        )
        last = rows[-1].pk
    _reset_sequence(schema_editor, Notice._meta.db_table)


def backwards(apps, schema_editor):
    Old = apps.get_model("publishing", "Notification")
    Notice = apps.get_model("notifications", "Notice")
    for name in ("created_at", "updated_at"):
        field = Old._meta.get_field(name)
        field.auto_now_add = field.auto_now = False
    last = 0
    while True:
        rows = list(Notice.objects.filter(pk__gt=last).select_related("recipient").order_by("pk")[:BATCH])
        if not rows:
            break
        olds = []
        for row in rows:
            texts = row.texts or {}
            text = texts.get(row.recipient.language or "en") or next(iter(texts.values()), None) or {}
            olds.append(
                Old(
                    id=row.pk,
                    workspace_id=row.workspace_id,
                    recipient_id=row.recipient_id,
                    kind=row.kind[:40],
                    title=(text.get("title") or row.kind)[:200],
                    body=text.get("body", ""),
                    post_id=row.post_id,
                    read_at=row.read_at,
                    emailed_at=row.emailed_at,
                    created_at=row.created_at,
                    updated_at=row.updated_at,
                )
            )
        Old.objects.bulk_create(olds)
        last = rows[-1].pk
    _reset_sequence(schema_editor, Old._meta.db_table)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("publishing", "0005_notification_emailed_at"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
