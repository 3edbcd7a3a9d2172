"""Settings → Accounts: the list, one account's page, and connecting (token form or OAuth sign-in)."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kopiena.connectors.errors import ConnectorError
from kopiena.core.errors import DomainError
from kopiena.integrations import oauth, platforms
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.forms import AccountForm, ConnectForm, OAuthStartForm, PickForm
from kopiena.integrations.models import WebhookEndpoint
from kopiena.integrations.selectors import (
    access_account,
    accounts_of,
    webhook_endpoint_by_token,
    webhook_endpoints_of,
    webhook_secret_for,
)
from kopiena.integrations.services import (
    account_connect_checked,
    account_disconnect,
    account_update,
    webhook_endpoint_create,
    webhook_events_accept,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

NEW_WEBHOOK_SESSION_KEY = "kopiena_new_webhook"


def webhook_url(endpoint: WebhookEndpoint) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("webhook_receive", kwargs={"token": endpoint.token})


def _webhook_rows(account, new_webhook: dict | None) -> list[dict]:
    """The account's webhook URLs; the secret only for the one just created (shown once)."""
    just_created = (new_webhook or {}).get("endpoint")
    return [
        {
            "endpoint": endpoint,
            "url": webhook_url(endpoint),
            "new_secret": new_webhook["secret"] if endpoint.pk == just_created else None,
        }
        for endpoint in webhook_endpoints_of(account=account)
    ]


def _add_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@workspace_view()
def accounts(request: HttpRequest, ws: str) -> HttpResponse:
    names = {p.key: p.name for p in platforms.available()}
    rows = [
        {
            "account": account,
            "platform_name": names.get(account.platform, account.platform),
            "capabilities": platforms.capability_labels(account.platform),
        }
        for account in accounts_of(access=request.access)
    ]
    return render(request, "integrations/accounts.html", {"rows": rows})


@workspace_view()
def account_detail(request: HttpRequest, ws: str, account_id: int) -> HttpResponse:
    account = access_account(access=request.access, pk=account_id)
    can_manage = request.access.can(Perm.ACCOUNT_CONNECT)
    form = AccountForm.for_account(account, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        request.access.require(Perm.ACCOUNT_CONNECT)
        if form.is_valid():
            account_update(access=request.access, account=account, **form.cleaned_data)
            messages.success(request, _("Account saved."))
            return redirect("account_detail", ws=ws, account_id=account.pk)
    new_webhook = request.session.pop(NEW_WEBHOOK_SESSION_KEY, None) if can_manage else None
    context = {
        "account": account,
        "form": form if can_manage else None,
        "webhooks": _webhook_rows(account, new_webhook) if can_manage else [],
        "supports_webhooks": _supports_webhooks(account),
        "capabilities": platforms.capability_labels(account.platform),
        "platform": next((p for p in platforms.available() if p.key == account.platform), None),
    }
    return render(request, "integrations/account_detail.html", context)


@require_POST
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_webhook_create(request: HttpRequest, ws: str, account_id: int) -> HttpResponse:
    account = access_account(access=request.access, pk=account_id)
    if not _supports_webhooks(account):  # the page shows no button; a hand-made POST gets the same 404
        raise Http404
    endpoint = webhook_endpoint_create(access=request.access, account=account)
    # Shown once, through the session and a redirect (like a new API token): a reload cannot repeat it.
    request.session[NEW_WEBHOOK_SESSION_KEY] = {
        "endpoint": endpoint.pk,
        "secret": webhook_secret_for(endpoint),
    }
    return redirect("account_detail", ws=ws, account_id=account.pk)


def _supports_webhooks(account) -> bool:
    return "webhooks" in platforms.capability_names(account.platform)


@sensitive_variables("secret")
@csrf_exempt  # platforms post here; the endpoint's token and the connector's signature check are the auth
@require_http_methods(["GET", "POST"])
def webhook_receive(request: HttpRequest, token: str) -> HttpResponse:
    endpoint = webhook_endpoint_by_token(token)
    if endpoint is None or not _supports_webhooks(endpoint.account):
        # An endpoint made for a platform without webhooks (before that was refused) has no signature
        # check to run: it must not take anyone's POSTs.
        raise Http404
    try:
        connector = connector_for(endpoint.account)
    except DomainError as exc:  # the platform's connector is no longer installed
        raise Http404 from exc
    secret = webhook_secret_for(endpoint)
    challenge = connector.webhook_challenge(
        method=request.method, query=request.GET.dict(), body=request.body, secret=secret
    )
    if challenge is not None:
        return HttpResponse(challenge.body, status=challenge.status, content_type=challenge.content_type)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not connector.verify_webhook(headers=request.headers, body=request.body, secret=secret):
        return HttpResponse(status=401)
    try:
        events = connector.parse_webhook(headers=request.headers, body=request.body)
    except (ConnectorError, ValueError, KeyError, TypeError, AttributeError):
        # Authentic but malformed. Connectors raise PermanentError for that; the rest is a backstop for a
        # parser that lets a wrong shape through (a missing key, a list where an object belongs).
        return HttpResponseBadRequest()
    webhook_events_accept(endpoint=endpoint, events=events)
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_disconnect_view(request: HttpRequest, ws: str, account_id: int) -> HttpResponse:
    account = access_account(access=request.access, pk=account_id)
    account_disconnect(access=request.access, account=account)
    messages.success(request, _("Disconnected. Its stored token was deleted; its posts and comments stay."))
    return redirect("account_detail", ws=ws, account_id=account.pk)


@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_connect_choose(request: HttpRequest, ws: str) -> HttpResponse:
    return render(request, "integrations/connect_choose.html", {"platforms": platforms.available()})


def _platform_or_404(platform: str) -> platforms.Platform:
    try:
        return platforms.require_known(platform)
    except DomainError as exc:
        raise Http404 from exc


@sensitive_post_parameters()  # error reports never include what was typed into the token form
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_connect(request: HttpRequest, ws: str, platform: str) -> HttpResponse:
    spec = _platform_or_404(platform)
    form = ConnectForm(request.POST if request.method == "POST" else None, platform=spec)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_connect_checked(
                access=request.access,
                platform=spec.key,
                values=form.values(),
                name=form.cleaned_data["name"],
                approval_required=form.cleaned_data["approval_required"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("%(name)s is connected.") % {"name": account.name})
            return redirect("account_detail", ws=ws, account_id=account.pk)
    return render(request, "integrations/connect_form.html", _connect_context(spec, form=form))


def _connect_context(spec: platforms.Platform, *, form=None, oauth_form=None) -> dict:
    provider = oauth.provider_for(spec.key)
    if provider is not None and oauth_form is None:
        oauth_form = OAuthStartForm(asks_for_server=provider.asks_for_server)
    return {
        "platform": spec,
        "form": form or ConnectForm(platform=spec),
        "oauth_form": oauth_form if provider is not None else None,
    }


@require_POST
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_oauth_start(request: HttpRequest, ws: str, platform: str) -> HttpResponse:
    spec = _platform_or_404(platform)
    provider = oauth.provider_for(spec.key)
    if provider is None:
        raise Http404
    form = OAuthStartForm(request.POST, asks_for_server=provider.asks_for_server)
    if form.is_valid():
        try:
            state = oauth.oauth_begin(
                session=request.session,
                access=request.access,
                platform=spec.key,
                base_url=form.cleaned_data.get("base_url", ""),
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            # Same origin, so the CSP's form-action allows it; the continue page leaves for the platform.
            continue_url = reverse("account_oauth_continue", kwargs={"ws": ws, "platform": spec.key})
            return redirect(f"{continue_url}?{urlencode({'state': state})}")
    return render(
        request, "integrations/connect_form.html", _connect_context(spec, oauth_form=form), status=400
    )


@require_GET
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_oauth_continue(request: HttpRequest, ws: str, platform: str) -> HttpResponse:
    """Sends the browser to the platform's consent page by a plain navigation (see ``oauth``'s docstring:
    a redirect answering the start form would be blocked by ``form-action 'self'``)."""
    spec = _platform_or_404(platform)
    try:
        flow = oauth.pending_flow(
            session=request.session,
            access=request.access,
            platform=spec.key,
            state=request.GET.get("state", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account_connect", ws=ws, platform=spec.key)
    response = render(
        request,
        "integrations/connect_continue.html",
        {"platform": spec, "authorize_url": flow.authorize_url, "server": flow.base_url or spec.name},
    )
    response["Refresh"] = f"0; url={flow.authorize_url}"
    response["Cache-Control"] = "no-store"  # holds a one-time state
    return response


@sensitive_post_parameters()
@workspace_view(perm=Perm.ACCOUNT_CONNECT)
def account_oauth_pick(request: HttpRequest, ws: str, platform: str) -> HttpResponse:
    """After signing in with Meta: which of the person's Pages (or Instagram accounts) to connect."""
    spec = _platform_or_404(platform)
    choices = oauth.pending_choices(session=request.session, access=request.access, platform=spec.key)
    if not choices:
        messages.error(request, _("That choice has expired. Start connecting again."))
        return redirect("account_connect", ws=ws, platform=spec.key)
    form = PickForm(request.POST or None, choices=[(c.key, c.label) for c in choices])
    if request.method == "POST" and form.is_valid():
        try:
            account = oauth.oauth_pick(
                session=request.session,
                access=request.access,
                platform=spec.key,
                key=form.cleaned_data["key"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("account_connect", ws=ws, platform=spec.key)
        messages.success(request, _("%(name)s is connected.") % {"name": account.name})
        return redirect("account_detail", ws=ws, account_id=account.pk)
    return render(request, "integrations/connect_pick.html", {"platform": spec, "form": form})


@sensitive_variables()
@login_required
@require_GET
def oauth_callback(request: HttpRequest, platform: str) -> HttpResponse:
    """Where the platform sends the browser back. The session's state decides the workspace."""
    if request.GET.get("error"):
        with suppress(DomainError):  # forget the pending flow; an unknown state needs no answer
            oauth.take_flow(session=request.session, platform=platform, state=request.GET.get("state", ""))
        messages.error(request, _("The connection was cancelled on the platform's side."))
        return redirect("home")
    try:
        result = oauth.oauth_complete(
            session=request.session,
            user=request.user,
            platform=platform,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    if result.account is None:
        return redirect("account_oauth_pick", ws=result.workspace, platform=platform)
    messages.success(request, _("%(name)s is connected.") % {"name": result.account.name})
    return redirect("account_detail", ws=result.workspace, account_id=result.account.pk)


@workspace_view(perm=Perm.TEAM_MANAGE)
def member_accounts(request: HttpRequest, ws: str, membership_id: int) -> HttpResponse:
    """R8: which accounts a member (a freelancer) may work with; none ticked: every account."""
    from kopiena.integrations.models import AccountGrant, ConnectedAccount
    from kopiena.integrations.services import account_grants_set
    from kopiena.teams.models import Membership

    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=request.access.workspace, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404
    if request.method == "POST":
        raw = request.POST.getlist("account")
        if not all(value.isdigit() for value in raw):
            raise Http404
        try:
            account_grants_set(
                access=request.access, membership=membership, account_ids=[int(value) for value in raw]
            )
        except DomainError as exc:
            messages.error(request, _(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("team", ws=ws)
    granted = set(AccountGrant.objects.filter(membership=membership).values_list("account_id", flat=True))
    accounts = ConnectedAccount.objects.filter(workspace=request.access.workspace).order_by("name", "pk")
    return render(
        request,
        "integrations/member_accounts.html",
        {"membership": membership, "accounts": accounts, "granted": granted},
    )
