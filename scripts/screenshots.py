"""``make screenshots``: every main page at 1440 px and 390 px wide, light and dark, as PNGs.

A throwaway SQLite database under ``var/screenshots/`` (migrated, with the demo workspace loaded exactly as
``kopiena demo`` loads it), the app on waitress in a thread on a free port, the demo owner signed in, and
Debian's chromium through Playwright (never ``playwright install``). The PNGs go to ``docs/screenshots/``
as ``<page>-<width>-<theme>.png``: the top of each page (at most ``MAX_HEIGHT`` CSS pixels), reduced to a
256-colour palette so the whole set stays a few megabytes and can be committed for reviewers.

    python scripts/screenshots.py [--out DIR] [--only today,inbox] [--width 390] [--theme dark] [--keep-db]

A page wider than the viewport (it scrolls sideways) is named at the end with the element that sticks out.
``--keep-db`` keeps ``var/screenshots/`` and a later ``--keep-db`` run reuses it instead of loading again.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = {1440: 900, 390: 844}  # viewport width → height (a laptop and a phone)
THEMES = ("light", "dark")
MAX_HEIGHT = 1600  # CSS pixels kept from the top of a long page
WORKER_ID = "screenshots"
# The innermost element that reaches past the right edge of the viewport, as "tag#id.class" (or "").
WIDEST_JS = """() => {
  const width = document.documentElement.clientWidth;
  let found = "", right = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= width + 1) continue;
    // Clipped when an ancestor that contains it (for an absolute box: from its positioned ancestor up) has
    // overflow other than visible; a fixed box never widens the page.
    let hidden = getComputedStyle(el).position === "fixed";
    let absolute = getComputedStyle(el).position === "absolute";
    for (let up = el.parentElement; !hidden && up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.position === "fixed") hidden = true;
      else if (absolute && style.position === "static") continue;
      else if (style.overflowX !== "visible") hidden = true;
      absolute = absolute && style.position === "static";
    }
    if (hidden) continue;
    right = Math.round(box.right);
    found = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  }
  return found ? found + " to " + right + " px" : "";
}"""


@dataclass(frozen=True)
class Page:
    """One screenshot: ``url_name`` reversed with ``kwargs`` whose values name demo objects (see
    ``_demo_objects``: ``ws``, ``thread``, ``contest``, ``report``), then ``click`` (a CSS selector) if any."""

    name: str
    url_name: str
    kwargs: dict[str, str] = field(default_factory=dict)
    click: str = ""


WS = {"ws": "ws"}
PAGES: list[Page] = [
    Page("today", "today", WS),
    Page("inbox", "inbox", WS),
    Page("inbox-thread", "inbox_thread", {"ws": "ws", "thread_id": "thread"}),
    Page("calendar-month", "calendar", WS),
    Page("calendar-week", "calendar", WS, click=".fc-timeGridWeek-button"),
    Page("composer", "post_new", WS),
    Page("approvals", "approvals", WS),
    Page("queues", "queues", WS),
    Page("planning-week", "week_plan", WS),
    Page("planning-ideas", "ideas", WS),
    Page("listening", "listening", WS),
    Page("analytics", "analytics", WS),
    Page("reports", "reports", WS),
    Page("report", "report_detail", {"ws": "ws", "report_id": "report"}),
    Page("contests", "contests", WS),
    Page("contest", "contest_detail", {"ws": "ws", "contest_id": "contest"}),
    Page("policy", "policy", WS),
    Page("accounts", "accounts", WS),
    Page("team", "team", WS),
    Page("audit-log", "audit_log", WS),
    Page("notifications", "notifications"),
]


def page_path(page: Page, objects: dict[str, object]) -> str:
    from django.urls import reverse

    return reverse(page.url_name, kwargs={key: objects[value] for key, value in page.kwargs.items()})


def _setup_django(var_dir: Path) -> None:
    os.environ["KOPIENA_VAR_DIR"] = str(var_dir)
    os.environ["KOPIENA_DATABASE_URL"] = f"sqlite:///{var_dir / 'kopiena.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopiena.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _load_demo():
    from kopiena.core.demo import demo_load
    from kopiena.core.tasks_runtime.embedded import prepare_database

    prepare_database(stdout=sys.stdout, migrate=True)
    return demo_load(log=lambda line: print(f"  {line}", flush=True))


def _reuse_demo():
    from types import SimpleNamespace

    from kopiena.core.demo import DEMO_WORKSPACE_SLUG
    from kopiena.teams.models import Membership, Role, Workspace

    workspace = Workspace.objects.get(slug=DEMO_WORKSPACE_SLUG)
    owner = Membership.objects.filter(workspace=workspace, role=Role.OWNER).order_by("pk").first().user
    return SimpleNamespace(workspace=workspace, owner=owner)


def _demo_objects(ctx) -> dict[str, object]:
    """The demo rows the detail pages show: an open (preferably acute) inbox thread, the contest, the client
    report."""
    from django.db.models import Count

    from kopiena.contests.models import Contest
    from kopiena.inbox.models import Thread
    from kopiena.reports.models import ClientReport

    workspace = ctx.workspace
    threads = Thread.objects.filter(workspace=workspace).annotate(n=Count("items"))
    thread = threads.filter(status="open").order_by("-acute", "-n", "pk").first() or threads.first()
    contest = Contest.objects.filter(workspace=workspace).order_by("pk").first()
    report = ClientReport.objects.filter(workspace=workspace).order_by("pk").first()
    return {
        "ws": workspace.slug,
        "thread": thread.pk if thread else 0,
        "contest": contest.pk if contest else 0,
        "report": report.pk if report else 0,
    }


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _start_server():
    """waitress on a free port in a daemon thread, plus a heartbeat so pages show no "no worker" banner
    (no real worker: nothing queued by the demo runs, so every screenshot shows the same data)."""
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    from kopiena.core.tasks_runtime.heartbeat import (
        heartbeat_beat,
        heartbeat_interval_seconds,
        heartbeat_start,
    )

    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, name="screenshots-web", daemon=True).start()
    heartbeat_start(worker_id=WORKER_ID, queues=["default"])

    def beat():
        while True:
            time.sleep(heartbeat_interval_seconds())
            heartbeat_beat(worker_id=WORKER_ID, tasks_done=0)

    threading.Thread(target=beat, name="screenshots-heartbeat", daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def _save(png: bytes, path: Path) -> int:
    """Keep the top MAX_HEIGHT CSS pixels, as a 256-colour PNG when Pillow is there (it comes with
    weasyprint); returns the file's size."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a weasyprint dependency
        path.write_bytes(png)
        return len(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(path, format="PNG", optimize=True)
    return path.stat().st_size


def _shoot(browser, base_url: str, cookie: str, objects: dict, pages: list[Page], out: Path, widths, themes):
    from django.conf import settings

    problems = []
    total = len(pages) * len(widths) * len(themes)
    done = 0
    for width in widths:
        height = WIDTHS[width]
        for theme in themes:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                locale="en-GB",
                timezone_id="Europe/Riga",
                color_scheme=theme,
                base_url=base_url,
                reduced_motion="reduce",
            )
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
            page = context.new_page()
            for item in pages:
                done += 1
                started = time.monotonic()
                path = page_path(item, objects)
                response = page.goto(path, wait_until="load")
                status = response.status if response else 0
                if item.click:
                    page.click(item.click)
                page.wait_for_timeout(1200)  # charts (animated) and the calendar draw after load
                page_height = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(page_height, MAX_HEIGHT)}
                png = page.screenshot(full_page=True, clip=clip)
                target = out / f"{item.name}-{width}-{theme}.png"
                size = _save(png, target)
                overflow = page.evaluate("document.documentElement.scrollWidth") > width
                note = "  WIDER THAN THE VIEWPORT" if overflow else ""
                if status != 200:
                    note += f"  HTTP {status}"
                    problems.append(f"{target.name}: HTTP {status}")
                if overflow:
                    problems.append(f"{target.name}: page scrolls sideways ({page.evaluate(WIDEST_JS)})")
                print(
                    f"[{done:>3}/{total}] {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}"
                    f"  {path}  {size // 1024} KiB  {time.monotonic() - started:.1f} s{note}",
                    flush=True,
                )
            context.close()
    return problems


def write_index(out: Path, pages: list[Page]) -> Path:
    """``README.md`` beside the PNGs: one row per page, the four shots side by side (GitHub renders it)."""
    header = [f"{width} px {theme}" for width in WIDTHS for theme in THEMES]
    lines = [
        "# Screenshots",
        "",
        "Every main page of the demo workspace, made by `make screenshots` (scripts/screenshots.py): the top "
        f"{MAX_HEIGHT} CSS pixels of each page at 1440 px and 390 px wide, in the light and the dark theme.",
        "",
        "| page | " + " | ".join(header) + " |",
        "|---|" + "---|" * len(header),
    ]
    for page in pages:
        cells = []
        for width in WIDTHS:
            for theme in THEMES:
                name = f"{page.name}-{width}-{theme}.png"
                cells.append(f'<a href="{name}"><img src="{name}" width="{120 if width > 500 else 60}"></a>')
        lines.append(f"| {page.name} | " + " | ".join(cells) + " |")
    path = out / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--width", type=int, choices=sorted(WIDTHS), action="append", help="default: both")
    parser.add_argument("--theme", choices=THEMES, action="append", help="default: both")
    parser.add_argument("--keep-db", action="store_true", help="keep var/screenshots/ (and reuse a kept one)")
    args = parser.parse_args(argv)

    pages = PAGES
    if args.only:
        wanted = set(args.only.split(","))
        pages = [page for page in PAGES if page.name in wanted]
        if unknown := wanted - {page.name for page in PAGES}:
            parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: run `make chromium`", file=sys.stderr)
        return 1

    var_dir = ROOT / "var" / "screenshots"
    reuse = args.keep_db and (var_dir / "kopiena.sqlite3").exists()
    if not reuse:
        shutil.rmtree(var_dir, ignore_errors=True)
        var_dir.mkdir(parents=True)
        print(
            f"Throwaway database in {var_dir.relative_to(ROOT)}/: migrating and loading the demo…", flush=True
        )
    _setup_django(var_dir)
    ctx = _reuse_demo() if reuse else _load_demo()
    objects = _demo_objects(ctx)
    cookie = _session_cookie(ctx.owner)
    server, base_url = _start_server()
    print(f"Serving on {base_url}, signed in as {ctx.owner.username} (owner).", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            widths, themes = args.width or list(WIDTHS), args.theme or list(THEMES)
            problems = _shoot(browser, base_url, cookie, objects, pages, args.out, widths, themes)
            browser.close()
    finally:
        server.close()
        if not args.keep_db:
            shutil.rmtree(var_dir, ignore_errors=True)
    if not args.only and not args.width and not args.theme:
        write_index(args.out, pages)
    size = sum(path.stat().st_size for path in args.out.glob("*.png"))
    print(f"Done: screenshots in {args.out}, {size / 1e6:.1f} MB in all.")
    for problem in problems:
        print(f"  check: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
