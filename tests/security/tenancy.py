"""Generic machinery for the tenant-isolation test: victim rows for every tenant model, every route.

Nothing here names a particular app, model or URL, so models and routes other engineers add later are
covered automatically. Where the generic builder cannot make a valid row for a model, add a function
to ``FACTORIES`` (model label → callable(builder) → instance).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from kopiena.core.clock import now

# Every text value of a victim row carries this marker; a page of another workspace showing it leaks.
MARK = "zqleakmark"
# Every victim row gets this primary key (each table has its own sequence, so they never collide and no
# row of the attacker's workspace has it). Any integer in a URL is then "an object of the other workspace".
VICTIM_ID = 987_654
VICTIM_UUID = uuid.UUID("0badc0de-0000-4000-8000-000000987654")

# Models a victim row is not built for, and why.
SKIP_MODELS = {
    "audit.auditevent": "append-only hash chain; the victim's audit events come from its services",
    "teams.workspace": "the victim workspace itself",
    "teams.user": "users are global; a fresh one is made for each foreign key",
}

FACTORIES: dict[str, object] = {}

# Integer URL parameters that are not row ids (a calendar's year and week, a page number).
NOT_OBJECT_IDS = {"year", "month", "week", "day", "hour", "page"}
# Integer fields that identify a row inside its workspace (a policy's version number…): victim rows get
# VICTIM_ID there too, so a URL looking one up by number without the workspace finds the victim's.
IDENTIFYING_NUMBERS = {"number", "version", "version_number", "sequence", "seq"}


def is_tenant_model(model: type[models.Model], _seen: frozenset = frozenset()) -> bool:
    """A model whose rows belong to a workspace: a FK to Workspace, or a required FK to such a model."""
    workspace_model = apps.get_model("teams", "Workspace")
    for f in model._meta.concrete_fields:
        if not f.is_relation or f.related_model is None:
            continue
        if f.related_model is workspace_model:
            return True
        required_parent = not f.null and f.related_model not in _seen and f.related_model is not model
        if required_parent and is_tenant_model(f.related_model, _seen | {model}):
            return True
    return False


def tenant_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("kopiena.")
        and m._meta.label_lower not in SKIP_MODELS
        and is_tenant_model(m)
    ]


@dataclass
class VictimBuilder:
    """Builds one row of each tenant model in ``workspace`` with primary key ``VICTIM_ID``."""

    workspace: models.Model
    rows: dict[str, models.Model] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    _counter: int = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def user(self):
        n = self._next()
        return apps.get_model("teams", "User").objects.create_user(
            username=f"{MARK}-user-{n}", email=f"{MARK}-{n}@example.com", password=None
        )

    def row(self, model: type[models.Model]) -> models.Model:
        label = model._meta.label_lower
        if label == "teams.workspace":
            return self.workspace
        if label == "teams.user":
            return self.user()
        if label in self.rows:
            return self.rows[label]
        instance = FACTORIES[label](self) if label in FACTORIES else self._generic(model)
        self.rows[label] = instance
        return instance

    def _value(self, f: models.Field):
        if f.is_relation:
            return self.row(f.related_model)
        if f.choices:
            return f.default if f.has_default() else f.choices[0][0]
        if isinstance(f, models.IntegerField) and f.name in IDENTIFYING_NUMBERS:
            return VICTIM_ID
        if f.has_default() and not isinstance(f, models.CharField | models.TextField):
            return f.get_default()
        n = self._next()
        if isinstance(f, models.EmailField):
            return f"{MARK}{n}@example.com"
        if isinstance(f, models.URLField):
            return f"https://{MARK}.example/{n}"
        if isinstance(f, models.SlugField):
            return f"{MARK}-{n}"[: f.max_length]
        if isinstance(f, models.CharField | models.TextField):
            return f"{MARK} {n}"[: f.max_length] if f.max_length else f"{MARK} {n}"
        if isinstance(f, models.UUIDField):
            return uuid.uuid4()
        if isinstance(f, models.BooleanField):
            return False
        if isinstance(f, models.IntegerField | models.FloatField):
            return n
        if isinstance(f, models.DecimalField):
            return Decimal(1)
        if isinstance(f, models.DateTimeField):
            return now()
        if isinstance(f, models.DateField):
            return date.today()
        if isinstance(f, models.TimeField):
            return time(9, 0)
        if isinstance(f, models.DurationField):
            return timedelta(seconds=60)
        if isinstance(f, models.JSONField):
            return {"note": MARK}
        if isinstance(f, models.BinaryField):
            return MARK.encode()
        if isinstance(f, models.FileField):
            return f"{MARK}/{n}.txt"
        raise TypeError(f"no generic value for {f!r}")

    def _generic(self, model: type[models.Model]) -> models.Model:
        values = {}
        for f in model._meta.concrete_fields:
            if f.primary_key:
                if isinstance(f, models.UUIDField):
                    values[f.attname] = VICTIM_UUID
                elif isinstance(f, models.AutoField | models.IntegerField):
                    values[f.attname] = VICTIM_ID
                elif not f.is_relation:
                    values[f.attname] = self._value(f)
                else:
                    values[f.name] = self._value(f)
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            if f.is_relation and f.null:
                continue  # optional links stay empty: fewer cycles, and the row is still findable
            values[f.name] = self._value(f)
        with transaction.atomic():
            return model.objects.create(**values)

    def build_all(self) -> None:
        for model in tenant_models():
            label = model._meta.label_lower
            if label in self.rows:
                continue
            try:
                with transaction.atomic():
                    self.row(model)
            except (IntegrityError, TypeError, ValueError) as exc:
                self.failures[label] = f"{type(exc).__name__}: {exc}"


# Routes -------------------------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "w/<slug:ws>/settings/team/<int:membership_id>/role/"
    name: str  # "namespace:name" or ""
    params: tuple[tuple[str, str], ...]  # (name, converter)
    regex: bool = False

    @property
    def has_ws(self) -> bool:
        return any(name == "ws" for name, _ in self.params)

    @property
    def object_params(self) -> list[str]:
        return [
            name
            for name, conv in self.params
            if name != "ws" and conv in {"int", "uuid"} and name not in NOT_OBJECT_IDS
        ]

    def url(self, values: dict[str, str]) -> str:
        return "/" + _PARAM.sub(lambda m: str(values[m.group("name")]), self.route)


def walk_routes(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern in the resolver, recursively, with its full route and parameters."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found: list[Route] = []
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found.extend(walk_routes(p.url_patterns, route, ns))
        elif isinstance(p, URLPattern):
            is_regex = not hasattr(p.pattern, "_route") and route.startswith("^")
            params = tuple((m.group("name"), m.group("converter") or "str") for m in _PARAM.finditer(route))
            found.append(Route(route=route, name=f"{namespace}{p.name or ''}", params=params, regex=is_regex))
    return found


def fill(route: Route, *, ws: str) -> str:
    """The route's URL with ``ws`` for the workspace and victim ids/uuids for every object parameter."""
    values = {}
    for name, conv in route.params:
        if name == "ws":
            values[name] = ws
        elif conv == "int" and name in NOT_OBJECT_IDS:
            values[name] = 1 if name != "year" else 2026
        elif conv == "int":
            values[name] = VICTIM_ID
        elif conv == "uuid":
            values[name] = VICTIM_UUID
        else:  # not an object id: a neutral value (pages may echo it, so it must not carry MARK)
            values[name] = "probe-value"
    return route.url(values)
