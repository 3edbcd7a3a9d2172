"""The ``kopiena`` command.

Pure-Python commands (``classify``, ``nlp``) run without starting Django so they load fast; everything else
is a Django management command of one of our apps (``run``, ``worker``, ``clock``, ``demo``, ``audit``,
``keys``, ``policy``, ``import``, …) or of Django itself (``migrate``, ``createsuperuser``).
"""

from __future__ import annotations

import importlib
import os
import sys

PURE_COMMANDS = {
    "classify": "kopiena.nlp.cli:classify_main",
    "nlp": "kopiena.nlp.cli:nlp_main",
    "contest": "kopiena.contests.cli:contest_main",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PURE_COMMANDS:
        module_name, func_name = PURE_COMMANDS[argv[0]].split(":")
        return int(getattr(importlib.import_module(module_name), func_name)(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopiena.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kopiena", *argv] if argv else ["kopiena", "help"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
