"""The UI shell: signing in, the home redirect, workspace settings, the team, API tokens and placeholders.

Every page under ``/w/<ws>/`` is wrapped in ``workspace_view``, which every app's views use too::

    from kopiena.teams.views import workspace_view

    @workspace_view(perm=Perm.INBOX_READ)
    def inbox(request, ws):
        items = inbox_items(access=request.access)
        ...
"""

from __future__ import annotations

import zoneinfo
from datetime import timezone as datetime_timezone
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from kopiena.core.clock import now
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.core.zones import zone_of
from kopiena.teams.forms import (
    ApiTokenForm,
    InvitationSignupForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    RoleForm,
    WorkspaceForm,
)
from kopiena.teams.models import ApiToken, Invitation, Membership, Role, User, hash_token
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import access_scoped, access_workspace, members_of, workspaces_for_user
from kopiena.teams.services import (
    AlreadyMember,
    api_token_create,
    api_token_revoke,
    invitation_accept,
    invitation_create,
    invitation_is_for,
    membership_change_role,
    membership_remove,
    workspace_create,
    workspace_update,
)
from kopiena.teams.throttle import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_MAX_AGE, known_device_value

LAST_WORKSPACE_SESSION_KEY = "kopiena_last_workspace"
NEW_TOKEN_SESSION_KEY = "kopiena_new_api_token"  # noqa: S105 - a session key name, not a secret
NEW_INVITATION_SESSION_KEY = "kopiena_new_invitation"

# The services raise these English messages; listing them here puts them in the translation catalogues,
# so the views can show them with gettext(exc.message) in the person's language.
SERVICE_MESSAGES = [
    gettext_noop("Only an owner can make someone an owner."),
    gettext_noop("Only an owner can grant or take away the owner role."),
    gettext_noop("A workspace needs at least one owner."),
    gettext_noop("Only an owner can remove an owner."),
    gettext_noop("Only an owner can invite an owner."),
    gettext_noop("No such member."),
    gettext_noop("This invitation is not valid any more. Ask for a new one."),
    gettext_noop("This invitation has expired. Ask for a new one."),
    gettext_noop(
        "This invitation was sent to a different e-mail address. "
        "Sign in with the address it was sent to, or ask for an invitation to yours."
    ),
    gettext_noop("You are already a member of this workspace; your role has not changed."),
    gettext_noop("You are not allowed to do this."),
]


def workspace_view(perm: Perm | str | None = None):
    """Decorator for every view under ``/w/<ws>/``.

    Requires a signed-in user, resolves ``access_workspace(actor=request.user, slug=ws, perm=perm)`` and
    stores it as ``request.access`` (templates then get ``current_workspace``, ``access`` and ``ws_can``).
    Not a member of ``ws`` → 404 (existence never leaks); a member without ``perm`` → 403. The view is
    called as ``view(request, ws, **kwargs)``. ``NotPermitted`` raised later by a service also becomes 403.
    While the view runs, times are shown in the workspace's time zone (``timezone.override``); views that
    return a lazy ``TemplateResponse`` should render it themselves (``.render()``) to get that too.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, ws: str, *args, **kwargs) -> HttpResponse:
            try:
                request.access = access_workspace(actor=request.user, slug=ws, perm=perm)
                if request.session.get(LAST_WORKSPACE_SESSION_KEY) != ws:
                    # Only on a change: writing the session on every request costs a database write
                    # (and SQLite lock contention with the worker) for nothing.
                    request.session[LAST_WORKSPACE_SESSION_KEY] = ws
                with timezone.override(_display_zone(request.access.workspace.timezone)):
                    return view(request, ws, *args, **kwargs)
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc

        return wrapped

    return decorator


def _display_zone(name: str) -> zoneinfo.ZoneInfo | datetime_timezone:
    """The workspace's time zone for showing times (stored times stay UTC); UTC if the name is unknown."""
    return zone_of(name)


# Signing in ------------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login, with the rate-limited form (settings.LOGIN_RATE_LIMIT failures per 15 minutes)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _language_at_sign_in(self.request, response, form.get_user())
        # This browser is now known for this person: a slow-down others trigger on the username does
        # not apply to it (kopiena.teams.throttle).
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            known_device_value(form.get_user()),
            max_age=KNOWN_DEVICE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def _remember_language(response: HttpResponse, user: User) -> None:
    """Show the interface in the person's chosen language from the moment they sign in."""

    if user.language and user.language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )


def _language_at_sign_in(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """A language chosen on the sign-in page (the language cookie, set by ``language_switch``) is kept and
    becomes the profile's, as a choice made after signing in would; without one, the profile's applies.
    The choice stays in the language cookie (Secure/HttpOnly/SameSite as configured), not in the session."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        if user.language != chosen:
            User.objects.filter(pk=user.pk).update(language=chosen)
            user.language = chosen
        return
    _remember_language(response, user)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie + redirect to ``next``); a signed-in person's choice is also kept in
    their profile, so the next sign-in (which applies the profile language) does not undo it."""
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


# Home and workspaces ---------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """To today's work (kopiena.home) in the last workspace used (or the first one); with none, an empty
    state to create one."""
    workspaces = list(workspaces_for_user(user=request.user))
    if not workspaces:
        return render(request, "teams/no_workspace.html", {"form": WorkspaceForm(initial=_new_ws_initial())})
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    slug = last if any(w.slug == last for w in workspaces) else workspaces[0].slug
    return redirect("today", ws=slug)


def _new_ws_initial() -> dict:
    return {"timezone": "Europe/Riga", "country": "LV", "languages": ["lv", "ru", "en"]}


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, initial=_new_ws_initial())
    if request.method == "POST" and form.is_valid():
        workspace = workspace_create(owner=request.user, **form.cleaned_data)
        messages.success(request, _("Workspace “%(name)s” is ready.") % {"name": workspace.name})
        return redirect("calendar", ws=workspace.slug)
    return render(request, "teams/workspace_new.html", {"form": form})


@workspace_view()
def workspace_settings(request: HttpRequest, ws: str) -> HttpResponse:
    """Everyone sees the settings; only those who may change them get an editable form."""
    workspace = request.access.workspace
    can_edit = request.access.can(Perm.WORKSPACE_MANAGE)
    form = WorkspaceForm(
        request.POST or None,
        initial={
            "name": workspace.name,
            "timezone": workspace.timezone,
            "country": workspace.country,
            "languages": workspace.languages,
        },
    )
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        workspace_update(access=request.access, **form.cleaned_data)
        messages.success(request, _("Workspace settings saved."))
        return redirect("settings", ws=ws)
    return render(request, "teams/settings.html", {"form": form, "can_edit": can_edit})


# Team ------------------------------------------------------------------------------------------------


@workspace_view()
def team(request: HttpRequest, ws: str) -> HttpResponse:
    access = request.access
    if request.method == "POST":
        access.require(Perm.TEAM_MANAGE)
    invite_form = InviteForm(request.POST or None)
    if request.method == "POST" and invite_form.is_valid():
        try:
            invitation, raw = invitation_create(access=access, **invite_form.cleaned_data)
        except DomainError as exc:
            invite_form.add_error(exc.field, _(exc.message))
        else:
            link = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": raw}))
            # Shown once, after the redirect (a reload cannot create a second invitation).
            request.session[NEW_INVITATION_SESSION_KEY] = {"email": invitation.email, "link": link}
            return redirect("team", ws=ws)
    invitations = Invitation.objects.filter(
        workspace=access.workspace, accepted_at=None, revoked_at=None, expires_at__gt=now()
    ).order_by("-created_at")
    context = {
        "new_invitation": request.session.pop(NEW_INVITATION_SESSION_KEY, None),
        "members": members_of(workspace=access.workspace),
        "invitations": invitations,
        "invite_form": invite_form,
        "roles": Role.choices,
        "can_manage": access.can(Perm.TEAM_MANAGE),
    }
    return render(request, "teams/team.html", context)


@require_POST
@workspace_view(perm=Perm.TEAM_MANAGE)
def member_role(request: HttpRequest, ws: str, membership_id: int) -> HttpResponse:
    access_scoped(access=request.access, queryset=Membership.objects.all(), pk=membership_id)  # else 404
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            membership_change_role(
                access=request.access, membership_id=membership_id, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            messages.error(request, _(exc.message))
        else:
            messages.success(request, _("Role changed."))
    return redirect("team", ws=ws)


@require_POST
@workspace_view(perm=Perm.TEAM_MANAGE)
def member_remove(request: HttpRequest, ws: str, membership_id: int) -> HttpResponse:
    access_scoped(access=request.access, queryset=Membership.objects.all(), pk=membership_id)  # else 404
    try:
        membership_remove(access=request.access, membership_id=membership_id)
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        messages.success(request, _("Removed from the workspace."))
    return redirect("team", ws=ws)


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """``/invite/<token>/``: sign in (or create an account) and join the workspace."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_token(token), accepted_at=None, revoked_at=None, expires_at__gt=now())
        .first()
    )
    if invitation is None:
        return render(request, "teams/invitation_invalid.html", status=404)
    context = {"invitation": invitation, "role_label": Role(invitation.role).label}
    if request.user.is_authenticated:
        if request.method == "POST":
            return _join(request, token, request.user)
        # Said before the click: the link is bound to the invited address and never changes a role.
        context["wrong_account"] = not invitation_is_for(invitation=invitation, user=request.user)
        context["already_member"] = Membership.objects.filter(
            workspace=invitation.workspace, user=request.user
        ).exists()
        return render(request, "teams/invitation_accept.html", context)
    email_taken = User.objects.filter(email__iexact=invitation.email).exists()
    signup = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and not email_taken and signup.is_valid():
        user = signup.save()
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return _join(request, token, user)
    context.update({"signup_form": signup, "email_taken": email_taken})
    return render(request, "teams/invitation_accept.html", context)


def _join(request: HttpRequest, token: str, user: User) -> HttpResponse:
    try:
        membership = invitation_accept(raw_token=token, user=user)
    except AlreadyMember as exc:
        messages.info(request, _(exc.message))
        return redirect("home")
    except DomainError as exc:
        messages.error(request, _(exc.message))
        return redirect("home")
    messages.success(request, _("Welcome to %(name)s.") % {"name": membership.workspace.name})
    return redirect("calendar", ws=membership.workspace.slug)


# API tokens and profile ------------------------------------------------------------------------------


@workspace_view(perm=Perm.API_TOKENS)
def api_tokens(request: HttpRequest, ws: str) -> HttpResponse:
    access = request.access
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, secret = api_token_create(access=access, name=form.cleaned_data["name"])
        # Through the session and a redirect, so a reload cannot create a second token; popped on display.
        request.session[NEW_TOKEN_SESSION_KEY] = secret
        return redirect("api_tokens", ws=ws)
    new_secret = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    tokens = ApiToken.objects.filter(workspace=access.workspace, user=access.user).order_by(
        "revoked_at", "-created_at"
    )
    return render(
        request, "teams/api_tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret}
    )


@require_POST
@workspace_view(perm=Perm.API_TOKENS)
def api_token_revoke_view(request: HttpRequest, ws: str, token_id: int) -> HttpResponse:
    try:
        api_token_revoke(access=request.access, token_id=token_id)
    except DomainError as exc:
        raise Http404 from exc
    messages.success(request, _("Token revoked. Programs using it can no longer sign in."))
    return redirect("api_tokens", ws=ws)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Profile saved."))
        response = redirect("profile")
        _remember_language(response, user)
        return response
    return render(request, "teams/profile.html", {"form": form})
