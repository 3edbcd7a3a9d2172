"""The demo: a small Riga coffee roastery with a team of five, loaded idempotently by ``kopiena demo``.

The base (workspace, people, business calendar) is loaded here; every app adds its own demo content by
appending a dotted path to ``DEMO_LOADERS``. A loader is ``def load(ctx: DemoContext) -> None``; it runs
in its own transaction, after the base, in list order, every time ``kopiena demo`` runs — so it must be
idempotent (look rows up by a natural key before creating them) and write through the app's services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string

from kopiena.core.business_time import BusinessCalendar
from kopiena.teams.models import Membership, Role, User, Workspace
from kopiena.teams.services import membership_add, workspace_create

# Apps append their loaders here, e.g. "kopiena.publishing.demo.load_posts". Order matters: later
# loaders may use what earlier ones created.
DEMO_LOADERS: list[str] = [
    "kopiena.policy.demo.load_policy",
    "kopiena.sandbox.demo.load_sandbox_account",
    "kopiena.publishing.demo.load_demo_posts",
    "kopiena.inbox.demo.load_demo_saved_replies",
    "kopiena.listening.demo.load_listening",
    "kopiena.listening.insights_demo.load_insights",
    "kopiena.contests.demo.load_contest",
    "kopiena.planning.demo.load_planning",
    "kopiena.reports.demo.load_client_report",
    "kopiena.analytics.demo.load_analytics_history",
]

DEMO_WORKSPACE_NAME = "Kafijas Grauzdētava Rīga"
DEMO_WORKSPACE_SLUG = "kafijas-grauzdetava-riga"
DEMO_TIMEZONE = "Europe/Riga"
DEMO_COUNTRY = "LV"
DEMO_LANGUAGES = ["lv", "ru", "en"]
# A demo on a laptop: everyone shares one known password, printed by `kopiena demo`.
DEMO_PASSWORD = "kafija-demo-2026"  # noqa: S105 (printed on purpose; demo data only)


@dataclass(frozen=True)
class DemoPerson:
    role: str
    username: str
    first_name: str
    last_name: str
    language: str

    @property
    def email(self) -> str:
        return f"{self.username}@grauzdetava.example.lv"


DEMO_PEOPLE = (
    DemoPerson(Role.OWNER, "anna", "Anna", "Bērziņa", "lv"),
    DemoPerson(Role.MANAGER, "janis", "Jānis", "Kalniņš", "lv"),
    DemoPerson(Role.MODERATOR, "olga", "Olga", "Smirnova", "ru"),
    DemoPerson(Role.CONTRIBUTOR, "marta", "Marta", "Ozola", "en"),
    DemoPerson(Role.ANALYST, "peteris", "Pēteris", "Liepa", "lv"),
)

# Mon–Fri 9–18, Sat 10–14, Latvian public holidays; the shape core.business_time and the policy use.
DEMO_BUSINESS_HOURS = {
    "timezone": DEMO_TIMEZONE,
    "country": DEMO_COUNTRY,
    "weekly": {
        **{day: [("09:00", "18:00")] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        "saturday": [("10:00", "14:00")],
    },
}


@dataclass(frozen=True)
class DemoContext:
    workspace: Workspace
    people: dict[str, User]  # by role
    password: str
    calendar: BusinessCalendar
    log: Callable[[str], None]

    @property
    def owner(self) -> User:
        return self.people[Role.OWNER]


def demo_load(*, log: Callable[[str], None] = lambda line: None) -> DemoContext:
    """Create or refresh the demo workspace and team, then run every loader in ``DEMO_LOADERS``."""
    loaders = [(path, import_string(path)) for path in DEMO_LOADERS]  # fail fast, before writing
    ctx = _load_base(log)
    for path, loader in loaders:
        log(f"Loading {path}…")
        with transaction.atomic():
            loader(ctx)
    return ctx


@transaction.atomic
def _load_base(log: Callable[[str], None]) -> DemoContext:
    people = {person.role: _person(person) for person in DEMO_PEOPLE}
    workspace = Workspace.objects.filter(slug=DEMO_WORKSPACE_SLUG).first()
    if workspace is None:
        workspace = workspace_create(
            owner=people[Role.OWNER],
            name=DEMO_WORKSPACE_NAME,
            timezone=DEMO_TIMEZONE,
            country=DEMO_COUNTRY,
            languages=DEMO_LANGUAGES,
            slug=DEMO_WORKSPACE_SLUG,
        )
        log(f"Created the workspace “{workspace.name}”.")
    for role, user in people.items():
        held = (
            Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()
        )
        if held != role:
            membership_add(access=None, workspace=workspace, user=user, role=role)
    return DemoContext(
        workspace=workspace,
        people=people,
        password=DEMO_PASSWORD,
        calendar=BusinessCalendar.build(**DEMO_BUSINESS_HOURS),
        log=log,
    )


def _person(person: DemoPerson) -> User:
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = User(username=person.username, email=person.email)
    user.first_name, user.last_name, user.language = person.first_name, person.last_name, person.language
    user.is_active = True
    user.set_password(DEMO_PASSWORD)  # always the printed one, even if someone changed it
    user.save()
    return user
