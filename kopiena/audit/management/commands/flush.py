"""``flush`` wipes every table, the audit log included, so it lifts the append-only triggers around it.

Only administrators (and the test runner between transactional tests) run flush; the triggers are back
in place when it returns, even if it fails.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections

from kopiena.audit import triggers


class Command(DjangoFlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        triggers.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
