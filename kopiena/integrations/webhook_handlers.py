"""Who receives verified webhook events: an explicit list of dotted paths (fail fast on a bad entry).

Each handler is called as ``handler(account=ConnectedAccount, events=list[WebhookEvent])`` with only the
events not seen before, *inside* the transaction that records their delivery keys: if a handler raises,
the keys are rolled back, the platform gets a 500 and its retry is processed again. Handlers should be
quick (store rows, enqueue tasks for anything slow); Meta expects an answer within seconds.

The inbox adds its ingest function here, e.g. ``"kopiena.inbox.services.items_ingest_webhook"``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module

WEBHOOK_EVENT_HANDLERS: list[str] = ["kopiena.inbox.services.items_ingest_webhook"]


@cache
def _load(path: str) -> Callable:
    module_name, _, attr = path.rpartition(".")
    return getattr(import_module(module_name), attr)


def handlers() -> list[Callable]:
    return [_load(path) for path in WEBHOOK_EVENT_HANDLERS]
