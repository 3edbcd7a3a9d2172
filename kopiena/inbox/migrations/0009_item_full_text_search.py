"""Full-text search over inbox items, one way per database (en/lv/ru):

- SQLite: an FTS5 table over ``inbox_item.text`` (external content, kept in step by triggers), with the
  ``unicode61`` tokenizer that folds case and diacritics, so "kafija" finds "Kafijā" and "кофе" "Кофе".
- PostgreSQL: a GIN index on ``to_tsvector('simple', text)``. 'simple' (no stemming) because PostgreSQL
  ships no Latvian stemmer and mixed-language threads would be stemmed wrongly anyway.

Also fills the thread fields the list views read (kind, intents, non-follower) for existing threads.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE inbox_item_fts USING fts5(text, content='inbox_item', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER inbox_item_fts_ai AFTER INSERT ON inbox_item BEGIN "
    "INSERT INTO inbox_item_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER inbox_item_fts_ad AFTER DELETE ON inbox_item BEGIN "
    "INSERT INTO inbox_item_fts(inbox_item_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER inbox_item_fts_au AFTER UPDATE OF text ON inbox_item BEGIN "
    "INSERT INTO inbox_item_fts(inbox_item_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO inbox_item_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO inbox_item_fts(inbox_item_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS inbox_item_fts_ai",
    "DROP TRIGGER IF EXISTS inbox_item_fts_ad",
    "DROP TRIGGER IF EXISTS inbox_item_fts_au",
    "DROP TABLE IF EXISTS inbox_item_fts",
]
POSTGRES_UP = ["CREATE INDEX inbox_item_text_fts ON inbox_item USING gin (to_tsvector('simple', text))"]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS inbox_item_text_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill_thread_fields(apps, schema_editor):
    Thread = apps.get_model("inbox", "Thread")
    Item = apps.get_model("inbox", "Item")
    for thread in Thread.objects.all().iterator():
        items = list(Item.objects.filter(thread=thread).order_by("remote_created_at", "pk"))
        if not items:
            continue
        intents = sorted({i for item in items for i in (item.intents or []) if i and "," not in i})
        thread.kind = items[0].kind
        thread.intent_keys = f",{','.join(intents)}," if intents else ""
        thread.non_follower = any(item.is_follower is False for item in items)
        thread.save(update_fields=["kind", "intent_keys", "non_follower"])


class Migration(migrations.Migration):
    dependencies = [("inbox", "0008_thread_view_fields")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(fill_thread_fields, migrations.RunPython.noop),
    ]
