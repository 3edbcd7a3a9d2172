import os
import stat

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_files_private(sender, connection, **kwargs) -> None:
    """The SQLite database holds sessions, API token hashes and encrypted credentials: keep it, its WAL and
    its shared-memory file readable by this user only (0600). SQLite creates the file with the umask's
    permissions (usually 0644) and gives the -wal/-shm files the database file's, so tightening the
    database on connect covers the files created later; existing ones are tightened too."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, name + "-wal", name + "-shm"):
        try:
            mode = os.stat(path).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                os.chmod(path, 0o600)
        except OSError:
            continue  # not there (yet), or not ours to change


class CoreConfig(AppConfig):
    name = "kopiena.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        connection_created.connect(_sqlite_files_private, dispatch_uid="kopiena.core.sqlite_files_private")
