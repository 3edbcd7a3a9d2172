"""A member of one workspace can reach nothing of another: every route, every API operation, all 404.

The routes come from the URL resolver (``get_resolver().url_patterns``, recursively, the ninja API
included) and the victim rows from the model registry, so whatever is added later is covered too. The
attacker owns their own workspace (every permission there) and belongs to nothing else.

For each route:
* with ``ws`` = the victim's slug, GET and POST must be 404 (405 allowed for a method the route refuses,
  but at least one method must answer 404);
* with ``ws`` = the attacker's own slug and every object id = an id of a victim row, likewise (an API
  write whose body is refused before the lookup passes only if the answer is byte-identical to the one
  for an id that exists nowhere);
* with no object id at all (lists, dashboards, the API's /me), the response may be 200 but must not
  contain any text of a victim row (every one carries ``MARK``);
* public routes (signing in, health, docs, webhooks with their own signature checks, …) are named in
  ``PUBLIC_ROUTES`` and only checked for leaks and server errors.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import pytest
from django.test import Client

from kopiena.audit.models import AuditEvent
from kopiena.audit.services import audit_record
from kopiena.config.api import api
from kopiena.teams.models import Role, User
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create, membership_add, workspace_create
from tests.security.tenancy import MARK, VICTIM_ID, VictimBuilder, fill, tenant_models, walk_routes

pytestmark = pytest.mark.django_db

# URL names (``namespace:name``) of routes that are not tenant routes, and why.
PUBLIC_ROUTES = {
    "login": "signing in",
    "logout": "signing out",
    "password_reset": "anonymous by design",
    "password_reset_done": "anonymous by design",
    "password_reset_confirm": "token in the URL is its own authorisation",
    "password_reset_complete": "anonymous by design",
    "password_change": "the signed-in user's own password",
    "password_change_done": "the signed-in user's own password",
    "invitation_accept": "the invitation token is its own authorisation (hash lookup, no ids)",
    "set_language": "i18n",
    "healthz": "liveness probe, no tenant data",
    "oauth_callback": "the one-time state in the session names the workspace; membership is re-checked",
    "webhook_receive": "platforms post here; random URL token plus the connector's signature check",
    "public_media": "Instagram fetches media here: an HMAC-signed, expiring token names one file",
    "report_share": "the client's read-only report: a signed token names one live, unrevoked, unexpired link",
    "report_share_pdf": "the same report as PDF, same signed token",
    "api:table_get": "an API token names the workspace; <name> is one of the analytics tables, not a row",
    "api:table_export_csv": "the same table as CSV, same token",
    "api:table_export_xlsx": "the same table as XLSX, same token",
    "contest_rules": "a contest's published regulations: public by design (M5), an unguessable public id",
    "contest_verify": "anyone may check a draw: the published seed hash and frozen list, same public id",
    "contest_export": "the frozen entry list and draw for verification (authors as hashes), same public id",
    "api:openapi-json": "API schema, no data",
    "api:openapi-view": "Swagger UI, no data",
}
API_PREFIX = "api/v1/"
METHODS_TRIED = ("get", "post")


@pytest.fixture
def world(make_user):
    attacker = make_user("attacker")
    own = workspace_create(owner=attacker, name="Attacker's own workspace")
    victim_owner = make_user(f"{MARK}-owner")
    victim = workspace_create(owner=victim_owner, name=f"{MARK} victim workspace", slug="victim-workspace")
    membership_add(access=None, workspace=victim, user=make_user(f"{MARK}-analyst"), role=Role.ANALYST)
    audit_record(actor=victim_owner, workspace=victim, action=f"{MARK}.probe", after={"note": MARK})
    builder = VictimBuilder(workspace=victim)
    builder.build_all()
    _, raw_token = api_token_create(access=access_workspace(actor=attacker, slug=own.slug), name="attacker")
    return {
        "attacker": attacker,
        "own": own,
        "victim": victim,
        "builder": builder,
        "token": raw_token,
    }


def _api_methods() -> dict[str, set[str]]:
    """Path template (``/api/v1/accounts/{account_id}``) → methods, from the OpenAPI schema."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {path: {m.lower() for m in ops} for path, ops in schema["paths"].items()}


def _api_template(route: str) -> str:
    return "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route)


def _api_path_types() -> dict[str, dict[str, str]]:
    """Path template → {parameter: "int" | "str"} from the schema (``/{post_id}`` without ``int:`` is
    still an integer id when the operation's signature says so)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    types: dict[str, dict[str, str]] = {}
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    kind = parameter.get("schema", {}).get("type")
                    types.setdefault(path, {})[parameter["name"]] = "int" if kind == "integer" else "str"
    return types


def all_routes():
    """Every resolver route; API routes carry their parameter types from the OpenAPI schema."""
    types = _api_path_types()
    routes = []
    for route in walk_routes():
        known = types.get(_api_template(route.route)) if route.route.startswith(API_PREFIX) else None
        if known:
            route = replace(route, params=tuple((name, known.get(name, conv)) for name, conv in route.params))
        routes.append(route)
    return routes


class Prober:
    """Sends requests as the attacker and collects every violation (so one run names them all)."""

    def __init__(self, world):
        self.world = world
        self.web = Client(raise_request_exception=False)
        self.api = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world['token']}")
        self.api_methods = _api_methods()
        self.violations: list[str] = []
        self.requests = 0

    def send(self, route, url: str, method: str):
        self.requests += 1
        if route.route.startswith(API_PREFIX):
            return self.api.generic(method.upper(), url, data=b"{}", content_type="application/json")
        self.web.force_login(self.world["attacker"])  # a probed logout must not end the session
        return getattr(self.web, method)(url)

    def methods_for(self, route) -> tuple[str, ...]:
        if route.route.startswith(API_PREFIX):
            known = self.api_methods.get(_api_template(route.route))
            if known:
                return tuple(sorted(known))
        return METHODS_TRIED

    def expect_404(self, route, url: str) -> None:
        statuses = {}
        for method in self.methods_for(route):
            response = self.send(route, url, method)
            statuses[method] = response.status_code
            if response.status_code in (404, 405) or self._rejected_before_lookup(
                route, url, method, response
            ):
                continue
            self.violations.append(f"{method.upper()} {url} [{route.name}] → {response.status_code}, not 404")
        if statuses and all(s == 405 for s in statuses.values()):
            self.violations.append(f"{url} [{route.name}] answered 405 to every method tried: {statuses}")

    def _rejected_before_lookup(self, route, url: str, method: str, response) -> bool:
        """An API write whose body is refused (400/422) before the object is looked up leaks nothing if
        the answer is exactly the one for an id that exists nowhere; then it is not a violation."""
        if (
            not route.route.startswith(API_PREFIX)
            or method == "get"
            or response.status_code not in (400, 422)
        ):
            return False
        nowhere = self.send(route, url.replace(str(VICTIM_ID), str(VICTIM_ID + 1)), method)
        return (nowhere.status_code, nowhere.content) == (response.status_code, response.content)

    def expect_no_leak(self, route, url: str, *, methods=("get",)) -> None:
        for method in methods:
            response = self.send(route, url, method)
            if response.status_code >= 500 and response.status_code != 503:  # 503: /healthz with no worker
                self.violations.append(f"{method.upper()} {url} [{route.name}] → {response.status_code}")
            body = b"".join(response) if getattr(response, "streaming", False) else response.content
            if MARK.encode() in body:
                self.violations.append(
                    f"{method.upper()} {url} [{route.name}] shows another workspace's data"
                )


def test_every_route_hides_the_other_workspace(world):
    routes = all_routes()
    assert len(routes) > 10, "the resolver walk found suspiciously few routes"
    prober = Prober(world)
    own, victim = world["own"].slug, world["victim"].slug
    audit_before = AuditEvent.objects.filter(workspace=world["victim"]).count()
    covered = defaultdict(list)

    for route in routes:
        if route.regex:
            if route.name not in PUBLIC_ROUTES:
                prober.violations.append(
                    f"regex route {route.route!r} [{route.name}]: add support or allow-list it"
                )
            continue
        public = route.name in PUBLIC_ROUTES or route.name.split(":")[-1] in PUBLIC_ROUTES
        if public:
            if not route.params:
                prober.expect_no_leak(route, fill(route, ws=own))
            covered["public"].append(route.name)
            continue
        if route.has_ws:
            prober.expect_404(route, fill(route, ws=victim))
            covered["victim workspace"].append(route.name)
        if route.object_params:
            prober.expect_404(route, fill(route, ws=own))
            covered["victim object ids"].append(route.name)
        elif route.has_ws or not route.params:
            # Lists and pages of the attacker's own workspace (and global pages): must not show victim data.
            prober.expect_no_leak(route, fill(route, ws=own))
            covered["own pages"].append(route.name)
        else:
            prober.violations.append(
                f"{route.route!r} [{route.name}] takes {route.params} but no workspace or object id: "
                "scope it under /w/<ws>/ or add it to PUBLIC_ROUTES with the reason"
            )

    assert not prober.violations, "Tenant isolation broken:\n" + "\n".join(prober.violations)
    assert AuditEvent.objects.filter(workspace=world["victim"]).count() == audit_before, (
        "a probe changed the other workspace"
    )
    for label, row in world["builder"].rows.items():
        assert type(row).objects.filter(pk=row.pk).exists(), f"a probe deleted the victim's {label}"
    print(
        f"\ntenant isolation: {prober.requests} requests; "
        + ", ".join(f"{k}: {len(v)}" for k, v in covered.items())
    )


def test_api_routes_in_the_schema_are_all_walked():
    walked = {_api_template(r.route) for r in walk_routes() if r.route.startswith(API_PREFIX)}
    assert set(_api_methods()) <= walked


def test_a_victim_row_exists_for_every_tenant_model(world):
    builder = world["builder"]
    labels = {m._meta.label_lower for m in tenant_models()}
    assert {"integrations.connectedaccount", "teams.membership"} <= labels
    missing = {label: builder.failures.get(label, "not built") for label in labels - set(builder.rows)}
    assert not missing, "Add a factory in tests/security/tenancy.py FACTORIES for: " + "; ".join(
        f"{k} ({v})" for k, v in missing.items()
    )
    for row in builder.rows.values():
        if isinstance(row.pk, int):
            assert row.pk == VICTIM_ID


def test_the_attacker_really_is_a_stranger_to_the_victim(world):
    assert not world["victim"].memberships.filter(user=world["attacker"]).exists()
    assert User.objects.filter(username__startswith=MARK).exists()


def test_anonymous_visitors_reach_no_tenant_page(world):
    """Signed out: every tenant route sends to the login page (web) or answers 401 (API), never data."""
    client = Client(raise_request_exception=False)
    victim = world["victim"].slug
    problems = []
    for route in all_routes():
        public = route.name in PUBLIC_ROUTES or route.name.split(":")[-1] in PUBLIC_ROUTES
        if route.regex or public or not (route.has_ws or route.object_params):
            continue
        url = fill(route, ws=victim)
        response = client.get(url)
        if route.route.startswith(API_PREFIX):
            ok = response.status_code in (401, 404, 405)
        else:
            ok = response.status_code in (404, 405) or (
                response.status_code == 302 and "/login/" in response["Location"]
            )
        if not ok or MARK.encode() in response.content:
            problems.append(f"GET {url} [{route.name}] signed out → {response.status_code}")
    assert not problems, "\n".join(problems)
