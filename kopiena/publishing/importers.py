"""Bulk import of posts from CSV or XLSX: our own format, Hootsuite's positional one and Sprout's headed one.

All or nothing. Two passes, nothing kept unless both find no problem:

1. **Reading** — every row on its own: the format's columns, dates, the account, content type, link and
   media addresses, duplicates (within the file and against the plan already in the database).
2. **Planning** — each row in file order gets the services' checks (``post_create``, then for people
   who may schedule ``post_approve`` + ``post_schedule``: cadence, content mix, link policy, platform
   limits, the next free queue slot) against the stored plan plus the rows planned before it, so later
   rows see the earlier ones. This pass only reads: no transaction, no write lock (on SQLite one import
   used to block every other writer for a minute). One refusal does not hide the next row's problem.
3. **Writing** — only if no row has a problem and this is not a dry run: every post, variant, media item
   and delivery in a few bulk statements inside one short transaction.

Every problem names the file row (1 = the first line, the header included when there is one) and the
column, so the preview can point at the cell.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.spreadsheets import cell_unescape
from kopiena.core.zones import zone_of
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.publishing import checks, platform, queues
from kopiena.publishing.content_types import check_content_type, content_types
from kopiena.publishing.models import ContentType, Delivery, Post, PostMedia, PostState, Variant
from kopiena.publishing.services import ScheduleRefused
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

# Our own format (what the calendar export writes). Lists inside a cell are separated by "|".
OUR_COLUMNS = [
    "scheduled_at",
    "account",
    "text",
    "link",
    "media_urls",
    "content_type",
    "theme",
    "tags",
    "first_comment",
    "poll_options",
    "link_context",
]
LIST_SEPARATOR = "|"
# Sprout Social's bulk-scheduling headers (date + time_24hr + message_text are required there).
SPROUT_REQUIRED = {"date", "time_24hr", "message_text"}
SPROUT_LINK = ("link_url", "link", "url")
SPROUT_MEDIA = ("image_url", "image_urls", "media_url", "media_urls")
SPROUT_TAGS = ("tags", "sprout_tags")
# Day-first unless some date in the file only reads month-first (13/… is a day, …/13/… a month).
DAY_FIRST = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M"]
MONTH_FIRST = ["%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S"]
ISO_LIKE = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
MAX_ROWS = 5000
# A post is planned at most this far ahead (beyond it a date is a typo, and year 9999 breaks time arithmetic).
MAX_AHEAD_YEARS = 5
MAX_AHEAD = timedelta(days=366 * MAX_AHEAD_YEARS)


class Format:
    KOPIENA = "kopiena"
    HOOTSUITE = "hootsuite"
    SPROUT = "sprout"


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    """One file row as our fields (times aware; empty ``scheduled_at`` = the account's next free slot)."""

    row: int
    scheduled_at: datetime | None = None
    account_ref: str = ""
    account: ConnectedAccount | None = None
    text: str = ""
    link: str = ""
    media_urls: list[str] = field(default_factory=list)
    content_type: str = ContentType.TEXT
    theme: str = ""
    tags: list[str] = field(default_factory=list)
    first_comment: str = ""
    poll_options: list[str] = field(default_factory=list)
    link_context: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # our field → the file's column name


@dataclass
class ImportResult:
    format: str = ""
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)  # not errors: e.g. "kept as a draft"
    created: int = 0
    scheduled: int = 0
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- reading files


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as lists of strings (XLSX: the first sheet; CSV: UTF-8, any of , ; tab).

    The apostrophe our export puts before formula-like cells is taken off again."""
    return [
        [cell_unescape(cell.replace("\x00", "")) for cell in row] for row in _read_table(content, filename)
    ]


def _read_table(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    text = content.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]


class UnreadableFile(ValueError):
    """The file is not what it claims to be (e.g. a damaged XLSX); ``str()`` is the message for people."""


def _read_xlsx(content: bytes) -> list[list[str]]:
    import openpyxl

    try:
        return _xlsx_rows(openpyxl, content)
    except Exception as exc:
        raise UnreadableFile(
            _("This is not a readable XLSX file: save it again from the spreadsheet program, or export CSV.")
        ) from exc


def _xlsx_rows(openpyxl, content: bytes) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            cells = [
                "" if v is None else v.isoformat(sep=" ") if isinstance(v, datetime) else str(v)
                for v in values
            ]
            if any(c.strip() for c in cells):
                rows.append(cells)
        return rows
    finally:
        book.close()


def detect_format(rows: list[list[str]]) -> str:
    header = {cell.strip().lower() for cell in rows[0]} if rows else set()
    if {"scheduled_at", "account", "text"} <= header:
        return Format.KOPIENA
    if {cell.strip() for cell in rows[0]} >= SPROUT_REQUIRED:
        return Format.SPROUT
    return Format.HOOTSUITE


def _parse_time(value: str, zone: ZoneInfo, formats: list[str]) -> datetime | None:
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for pattern in formats:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    try:
        moment.astimezone(UTC)  # year 1 or 9999 with an offset falls off the calendar: not a time we can use
    except OverflowError:
        return None
    return moment


def _date_formats(values: list[str]) -> list[str]:
    for value in values:
        parts = value.strip().split(" ")[0].split("/")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) > 12:
            return MONTH_FIRST + ISO_LIKE
    return DAY_FIRST + ISO_LIKE


def _cells(value: str) -> list[str]:
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def parse_rows(rows: list[list[str]], *, zone: ZoneInfo) -> tuple[str, list[ImportRow], list[ImportProblem]]:
    """Rows of a table → (format, our rows, problems that stop a row from being read at all)."""
    kind = detect_format(rows)
    problems: list[ImportProblem] = []
    parsed: list[ImportRow] = []
    if kind == Format.KOPIENA:
        names = [cell.strip().lower() for cell in rows[0]]
        for number, cells in enumerate(rows[1:], start=2):
            values = dict(zip(names, [c.strip() for c in cells], strict=False))
            row = ImportRow(
                row=number,
                account_ref=values.get("account", ""),
                text=values.get("text", ""),
                link=values.get("link", ""),
                media_urls=_cells(values.get("media_urls", "")),
                content_type=values.get("content_type", "") or ContentType.TEXT,
                theme=values.get("theme", ""),
                tags=_cells(values.get("tags", "")),
                first_comment=values.get("first_comment", ""),
                poll_options=_cells(values.get("poll_options", "")),
                link_context=values.get("link_context", ""),
                columns={name: name for name in OUR_COLUMNS},
            )
            if values.get("scheduled_at"):
                row.scheduled_at = _parse_time(values["scheduled_at"], zone, ISO_LIKE)
                if row.scheduled_at is None:
                    problems.append(
                        ImportProblem(
                            number, "scheduled_at", _("Not an ISO 8601 time, e.g. 2026-12-01T10:00+02:00.")
                        )
                    )
            parsed.append(row)
    elif kind == Format.SPROUT:
        names = [cell.strip() for cell in rows[0]]
        body = [dict(zip(names, [c.strip() for c in cells], strict=False)) for cells in rows[1:]]
        formats = _date_formats([values.get("date", "") for values in body])
        link_col = next((c for c in SPROUT_LINK if c in names), "")
        media_col = next((c for c in SPROUT_MEDIA if c in names), "")
        tags_col = next((c for c in SPROUT_TAGS if c in names), "")
        for number, values in enumerate(body, start=2):
            row = ImportRow(
                row=number,
                text=values.get("message_text", ""),
                link=values.get(link_col, "") if link_col else "",
                media_urls=[u.strip() for u in values.get(media_col, "").replace(",", " ").split()]
                if media_col
                else [],
                tags=[t.strip() for t in values.get(tags_col, "").split(",") if t.strip()]
                if tags_col
                else [],
                columns={
                    "scheduled_at": "date",
                    "text": "message_text",
                    "link": link_col,
                    "media_urls": media_col,
                },
            )
            stamp = f"{values.get('date', '')} {values.get('time_24hr', '')}"
            row.scheduled_at = _parse_time(stamp, zone, formats)
            if row.scheduled_at is None:
                problems.append(
                    ImportProblem(
                        number, "date", _("Not a date and 24-hour time: %(value)s") % {"value": stamp}
                    )
                )
            parsed.append(row)
    else:  # Hootsuite: no header, columns A = date, B = message, C = link
        formats = _date_formats([cells[0] for cells in rows if cells])
        for number, cells in enumerate(rows, start=1):
            cells = [c.strip() for c in cells] + ["", "", ""]
            row = ImportRow(
                row=number,
                text=cells[1],
                link=cells[2],
                columns={"scheduled_at": "A (date)", "text": "B (message)", "link": "C (link)"},
            )
            row.scheduled_at = _parse_time(cells[0], zone, formats)
            if row.scheduled_at is None:
                problems.append(
                    ImportProblem(
                        number,
                        "A (date)",
                        _("Not a date such as 31/12/2026 14:30 (or an unknown file format; see the help)."),
                    )
                )
            parsed.append(row)
    return kind, parsed, problems


# ---------------------------------------------------------------- pass 1: each row on its own


def _account_index(access: Access) -> dict[str, ConnectedAccount]:
    index: dict[str, ConnectedAccount] = {}
    for account in ConnectedAccount.objects.filter(workspace=access.workspace).order_by("pk"):
        for key in (
            f"#{account.pk}",
            account.name.lower(),
            account.handle.lower(),
            f"@{account.handle.lower()}",
        ):
            if key.strip("#@"):
                index.setdefault(key, account)
    return index


def _valid_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def check_rows(
    rows: list[ImportRow], *, access: Access, default_account: ConnectedAccount | None
) -> list[ImportProblem]:
    """Checks that need no writing. Resolves each row's account in place."""
    problems: list[ImportProblem] = []
    index = _account_index(access)
    known_types = [key for key, _label in content_types(access.workspace)]
    seen: dict[tuple, int] = {}
    moment = now()
    for row in rows:
        col = row.columns

        def problem(name: str, message: str, row=row, col=col) -> None:
            problems.append(ImportProblem(row.row, col.get(name) or name, message))

        if row.account_ref:
            row.account = index.get(row.account_ref.lower())
            if row.account is None:
                problem("account", _("No connected account called %(name)s.") % {"name": row.account_ref})
        else:
            row.account = default_account
            if row.account is None:
                problem("account", _("Name the account, or choose one for the whole file."))
        if not row.text.strip() and not row.media_urls and not row.link:
            problem("text", _("The row has no text, link or media."))
        if row.content_type not in known_types:
            problem(
                "content_type",
                _("Unknown content type %(value)s; use one of: %(values)s.")
                % {"value": row.content_type, "values": ", ".join(known_types)},
            )
        if row.link and not _valid_url(row.link):
            problem("link", _("Not a web address: %(value)s") % {"value": row.link})
        for url in row.media_urls:
            if not _valid_url(url):
                problem("media_urls", _("Not a web address: %(value)s") % {"value": url})
        if row.poll_options and len(row.poll_options) < 2:
            problem("poll_options", _("A poll needs at least two options."))
        if row.scheduled_at is not None and row.scheduled_at < moment:
            problem("scheduled_at", _("This time is in the past."))
        elif row.scheduled_at is not None and row.scheduled_at > moment + MAX_AHEAD:
            problem(
                "scheduled_at",
                _("This time is more than %(years)s years ahead.") % {"years": MAX_AHEAD_YEARS},
            )
        if row.account is not None:
            key = (row.account.pk, row.text.strip(), row.scheduled_at)
            if key in seen:
                problem("text", _("Same account, text and time as row %(row)s.") % {"row": seen[key]})
            else:
                seen[key] = row.row
            if row.scheduled_at is not None and _already_planned(row):
                problem("text", _("This post is already on the calendar for this account at this time."))
    return problems


def _already_planned(row: ImportRow) -> bool:
    return Variant.objects.filter(
        account=row.account,
        text=row.text,
        post__scheduled_at=row.scheduled_at,
        post__state__in=[PostState.SCHEDULED, PostState.PUBLISHING, PostState.PUBLISHED],
    ).exists()


# ---------------------------------------------------------------- pass 2: planning, read only


def _rule_column(rule: str, field_name: str, row: ImportRow) -> str:
    if rule.startswith("platform."):
        name = "media_urls" if field_name.startswith("media") else "text"
    elif rule.startswith("mix."):
        name = "content_type"
    elif rule.startswith("links."):
        name = "link"
    else:
        name = "scheduled_at"
    return row.columns.get(name) or name


def _refusal_problems(refused: ScheduleRefused, row: ImportRow, zone: ZoneInfo) -> list[ImportProblem]:
    problems = [
        ImportProblem(row.row, _rule_column(p.rule, p.field, row), p.message) for p in refused.problems
    ]
    if refused.proposed_at is not None:
        local = refused.proposed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        column = row.columns.get("scheduled_at") or "scheduled_at"
        problems.append(ImportProblem(row.row, column, _("Nearest allowed time: %(at)s.") % {"at": local}))
    return problems


@dataclass
class PlannedPost:
    """One row as it will be written: the unsaved post (state, time and flags decided), its media and the
    platform problems its variant caches."""

    row: ImportRow
    post: Post
    media: list[PostMedia]
    variant_problems: list[dict]


@dataclass
class _Plan:
    """What the rows planned so far occupy, per account id: the policy counts them like stored posts."""

    posts: list[PlannedPost] = field(default_factory=list)
    deliveries: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    taken: dict[int, set[datetime]] = field(default_factory=lambda: defaultdict(set))


def _plan_row(
    row: ImportRow, *, access: Access, may_schedule: bool, plan: _Plan, result: ImportResult
) -> PlannedPost:
    """Decide what the services would do with ``row`` (``post_create``, then ``post_approve`` +
    ``post_schedule`` for people who may schedule) with the same checks, reading only: nothing is written
    and no transaction is opened. Raises ``ScheduleRefused``/``DomainError`` as the services would."""
    account = row.account
    check_content_type(access.workspace, row.content_type)
    post = Post(
        workspace=access.workspace,
        author=access.user,
        content_type=row.content_type,
        text=row.text,
        theme=row.theme,
        tags=list(row.tags),
        link=row.link,
        link_context=row.link_context,
        first_comment=row.first_comment,
        poll_options=list(row.poll_options),
    )
    media = [PostMedia(url=url, position=n) for n, url in enumerate(row.media_urls)]
    platform_found = checks.variant_problems(
        platform.DraftVariant(post=post, account=account, text=row.text, media=media)
    )
    cached = [
        {"code": p.rule.removeprefix("platform."), "field": p.field, "message": p.message}
        for p in platform_found
    ]
    planned = PlannedPost(row=row, post=post, media=media, variant_problems=cached)
    moment = now()
    if not may_schedule or row.media_urls:
        # A draft (or, for media rows, an approved draft): flags judged in the current week, as post_create.
        post.policy_flags = checks.flags_of(
            checks.policy_problems(post=post, at=moment, accounts=[account], planned=plan.deliveries)
        )
        if may_schedule:
            post.state, post.approved_by, post.approved_at = PostState.APPROVED, access.user, moment
            result.notes.append(
                ImportProblem(
                    row.row,
                    row.columns.get("media_urls") or "media_urls",
                    _("Kept as an approved draft: upload the media files in the composer, then schedule it."),
                )
            )
        return planned
    at = row.scheduled_at or queues.next_free_slot(
        account,
        taken=plan.taken[account.pk],
        allowed=lambda when: (
            not checks.refusals_of(
                checks.policy_problems(post=post, at=when, accounts=[account], planned=plan.deliveries)
            )
        ),
    )
    if at is None:
        raise DomainError(
            _("No free queue slot for %(account)s in the next weeks; give a time or add slots.")
            % {"account": account.name},
            field="scheduled_at",
        )
    if account.status != AccountStatus.ACTIVE:
        raise DomainError(
            _("Reconnect these accounts before scheduling: %(names)s.") % {"names": account.name}
        )
    found = platform_found + checks.policy_problems(
        post=post, at=at, accounts=[account], planned=plan.deliveries
    )
    refusals = checks.refusals_of(found)
    if refusals:
        proposed = checks.nearest_allowed_time(
            refusals,
            at=at,
            recheck=lambda when: checks.policy_problems(
                post=post, at=when, accounts=[account], planned=plan.deliveries
            ),
        )
        raise ScheduleRefused(refusals, timezone=post.display_timezone, proposed_at=proposed)
    post.state, post.scheduled_at, post.policy_flags = PostState.SCHEDULED, at, checks.flags_of(found)
    post.approved_by, post.approved_at = access.user, moment
    plan.deliveries[account.pk].append((at, post.content_type, row.text, post.link))
    plan.taken[account.pk].add(at)
    return planned


def _flag_notes(planned: PlannedPost, result: ImportResult) -> None:
    """The policy's flags (mix worsened, link without context) as notes: shown, but the row imports."""
    row = planned.row
    result.notes += [
        ImportProblem(row.row, _rule_column(flag["code"], flag["path"], row), flag["message"])
        for flag in planned.post.policy_flags
    ]


# ---------------------------------------------------------------- writing: one short transaction


@transaction.atomic
def _posts_write(*, access: Access, planned: list[PlannedPost]) -> None:
    """Write the planned posts with their variants, media and deliveries in a few bulk statements, so the
    database's write lock (SQLite has one for the whole file) is held for a moment, not for the whole
    file's checks. Each post gets one audit event, queued (``defer``) like the delivery engine's."""
    moment = now()
    posts = Post.objects.bulk_create([p.post for p in planned])
    variants = Variant.objects.bulk_create(
        [
            Variant(
                post=post,
                account=p.row.account,
                text=p.row.text,
                problems=p.variant_problems,
                validated_at=moment,
            )
            for p, post in zip(planned, posts, strict=True)
        ]
    )
    for p, post in zip(planned, posts, strict=True):
        for item in p.media:
            item.post = post
    PostMedia.objects.bulk_create([item for p in planned for item in p.media])
    Variant.media.through.objects.bulk_create(
        [
            Variant.media.through(variant_id=variant.pk, postmedia_id=item.pk)
            for p, variant in zip(planned, variants, strict=True)
            for item in p.media
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                workspace=access.workspace,
                post=post,
                variant=variant,
                account_id=variant.account_id,
                due_at=post.scheduled_at,
                next_attempt_at=post.scheduled_at,
            )
            for post, variant in zip(posts, variants, strict=True)
            if post.state == PostState.SCHEDULED
        ]
    )
    for post, variant in zip(posts, variants, strict=True):
        audit_record(
            actor=access.user,
            workspace=access.workspace,
            action="post.import",
            obj=post,
            after={
                "state": post.state,
                "content_type": post.content_type,
                "text": post.text,
                "theme": post.theme,
                "tags": post.tags,
                "link": post.link,
                "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
                "accounts": [variant.account_id],
                "policy_flags": post.policy_flags,
            },
            defer=True,
        )


def _default_account(access: Access, value: str | int) -> ConnectedAccount | None:
    """The workspace's account with this id; None for anything else ("abc", another workspace's id, a
    number too big for the database)."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return ConnectedAccount.objects.filter(workspace=access.workspace, pk=int(text)).first()


def posts_import(
    *,
    access: Access,
    content: bytes,
    filename: str,
    default_account: str | int | None = None,
    dry_run: bool = True,
    on_row: Callable[[], None] = lambda: None,
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write them all in one transaction or none at all.

    People who may schedule (``post.schedule``) get approved, scheduled posts (the row's time, or the
    account's next free queue slot when the time is empty); everyone else gets drafts. ``on_row`` is
    called after each row of the planning pass (the CLI's progress bar).

    The checks only read (no transaction, so no write lock however long the file); only the final write
    takes the lock, briefly. Posts scheduled by others between the checks and the write are not re-checked
    against the file's rows: the window is the time the checks take."""
    access.require(Perm.POST_DRAFT)
    result = ImportResult(dry_run=dry_run)
    zone = zone_of(access.workspace.timezone)
    try:
        table = read_table(content, filename)
    except UnreadableFile as exc:
        result.problems.append(ImportProblem(0, "", str(exc)))
        return result
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError) as exc:
        result.problems.append(
            ImportProblem(0, "", _("The file could not be read: %(error)s") % {"error": exc})
        )
        return result
    if not table:
        result.problems.append(ImportProblem(0, "", _("The file is empty.")))
        return result
    if len(table) > MAX_ROWS:
        result.problems.append(ImportProblem(0, "", _("At most %(max)s rows per file.") % {"max": MAX_ROWS}))
        return result
    result.format, rows, result.problems = parse_rows(table, zone=zone)
    result.rows = len(rows)
    default = None
    if default_account not in (None, ""):
        default = _default_account(access, default_account)
        if default is None:
            result.problems.append(
                ImportProblem(0, "default_account", _("Choose the account for the whole file from the list."))
            )
    result.problems += check_rows(rows, access=access, default_account=default)
    if result.problems:
        # The file's own mistakes first: planning rows against the policy is wasted while a date or an
        # account name is still wrong.
        result.problems.sort(key=lambda p: (p.row, p.column))
        return result
    may_schedule = access.can(Perm.POST_SCHEDULE) and access.can(Perm.POST_APPROVE)
    plan = _Plan()
    for row in rows:
        try:
            planned = _plan_row(row, access=access, may_schedule=may_schedule, plan=plan, result=result)
        except ScheduleRefused as refused:
            result.problems += _refusal_problems(refused, row, zone)
        except DomainError as exc:
            name = {"accounts": "account"}.get(exc.field or "", exc.field or "text")
            result.problems.append(ImportProblem(row.row, row.columns.get(name) or name, exc.message))
        else:
            plan.posts.append(planned)
            _flag_notes(planned, result)
            result.created += 1
            result.scheduled += planned.post.state == PostState.SCHEDULED
        on_row()
    if result.problems:  # nothing is written; a dry run keeps its "would create" counts
        result.created = result.scheduled = 0
        result.notes = []
    elif not dry_run:
        _posts_write(access=access, planned=plan.posts)
    result.problems.sort(key=lambda p: (p.row, p.column))
    return result
