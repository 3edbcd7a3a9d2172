"""``kopiena keys rotate``: re-encrypt every credential and webhook secret with the newest key.

Rotation procedure (docs/security.md): put the new key first in KOPIENA_SECRET_KEYS, keep the old ones
after it, restart, run ``kopiena keys rotate``; once it reports no failures the old keys can be removed.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kopiena.integrations.services import secrets_rotate, secrets_rotation_total


class Command(BaseCommand):
    help = "Key management. 'rotate' re-encrypts every stored secret with the newest KOPIENA_SECRET_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])

    def handle(self, *args, action, **options):
        with tqdm(total=secrets_rotation_total(), unit="secret", file=sys.stderr, disable=None) as bar:
            report = secrets_rotate(on_progress=lambda: bar.update(1))
        for kind in report.failed:
            self.stdout.write(
                f"{kind}: {report.rotated[kind]} re-encrypted, {report.current[kind]} already current, "
                f"{len(report.failed[kind])} failed"
            )
        if not report.ok:
            failed = "; ".join(f"{kind} ids {ids}" for kind, ids in report.failed.items() if ids)
            raise CommandError(
                f"No key in KOPIENA_SECRET_KEYS opens {failed}. Put the old key back (after the new one) "
                "and run again."
            )
        self.stdout.write(self.style.SUCCESS("Every secret is encrypted with the newest key."))
