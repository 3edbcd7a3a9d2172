"""CSV of a contest's entries and their decisions (formula-safe: entrants write the text)."""

from __future__ import annotations

import csv
import io

from kopiena.contests.models import Contest
from kopiena.contests.selectors import entries_of
from kopiena.core.spreadsheets import cell_safe

COLUMNS = ["entry_id", "entered_at", "author", "author_name", "text", "url", "decision", "decision_label",
           "reason", "overruled_by", "overrule_reason", "in_frozen_list", "source_note", "author_ref"]  # fmt: skip


def entries_csv(contest: Contest) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries_of(contest=contest):
        writer.writerow(
            cell_safe(value)
            for value in [
                entry.entry_id, entry.entered_at.isoformat(), entry.author_handle, entry.author_name, entry.text,
                entry.url, entry.decision, str(entry.get_decision_display()), entry.reason,
                entry.overruled_by.username if entry.overruled_by else "", entry.overrule_reason,
                "yes" if entry.in_frozen_list else "no", entry.source_note, entry.author_ref,
            ]
        )  # fmt: skip
    return out.getvalue()
