"""Settings → Policy: the sections as readable cards, a form per section, the YAML editor (check before
save, errors with line numbers), version history and diffs.

Every member may read the policy (contributors need to know the rules); only ``Perm.POLICY_EDIT`` saves.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kopiena.integrations.platforms import account_label
from kopiena.integrations.selectors import accounts_of
from kopiena.policy.evaluators import account_key_for, content_type_label, pick_language
from kopiena.policy.forms import (
    ACCOUNT_AWARE,
    INTENT_CHOICES,
    LANGUAGE_AWARE,
    SECTION_FORMS,
    WEEKDAY_LABELS,
    RouteRuleForm,
    YamlForm,
)
from kopiena.policy.lint import new_warnings, policy_warnings
from kopiena.policy.schema import WEEKDAYS
from kopiena.policy.selectors import (
    access_policy_version,
    policy_current,
    policy_current_version,
    policy_diff,
    policy_export_yaml,
    policy_versions,
)
from kopiena.policy.services import policy_import_yaml, policy_save
from kopiena.policy.yaml_io import PolicyInvalid, check_policy, parse_policy
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view


def _require_edit(request: HttpRequest) -> None:
    if not request.access.can(Perm.POLICY_EDIT):
        raise PermissionDenied(_("Only owners and managers can change the communication policy."))


@workspace_view()
def policy(request: HttpRequest, ws: str) -> HttpResponse:
    workspace = request.access.workspace
    document = policy_current(workspace=workspace)
    language = get_language() or "en"
    mix = document.publishing.content_mix
    context = {
        "policy": document,
        "version": policy_current_version(workspace=workspace),
        "can_edit": request.access.can(Perm.POLICY_EDIT),
        "weekdays": [(WEEKDAY_LABELS[day], day) for day in WEEKDAYS],
        "mix_rows": [
            (content_type_label(document, key, language), mix.default.targets.get(key, 0))
            for key in mix.types
        ],
        "themes_by_day": [
            (
                WEEKDAY_LABELS[day],
                [
                    (pick_language(t.names, language), pick_language(t.hashtags, language) or [])
                    for t in document.publishing.themes.weekdays.get(day, [])
                ],
            )
            for day in WEEKDAYS
        ],
        "hours_by_day": [
            (WEEKDAY_LABELS[day], document.engagement.business_hours.weekly.get(day, [])) for day in WEEKDAYS
        ],
        "acute_tone": pick_language(document.engagement.acute_playbook.tone, language),
        "acute_guidance": pick_language(document.engagement.acute_playbook.guidance, language),
        "banned_phrases": pick_language(document.engagement.tone.banned_phrases, language) or [],
        "escalate_minutes": document.engagement.acute_playbook.escalate_after_seconds // 60,
        "target_hours": document.engagement.response_targets.first_response_seconds / 3600,
        "priority_hours": [
            (p, s / 3600) for p, s in document.engagement.response_targets.by_priority.items()
        ],
        "listening_intents": [
            label for value, label in INTENT_CHOICES if value in document.listening.inbox.intents
        ],
    }
    return render(request, "policy/policy.html", context)


@workspace_view()
def policy_section(request: HttpRequest, ws: str, section: str) -> HttpResponse:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404
    _require_edit(request)
    document = policy_current(workspace=request.access.workspace)
    extra = {"language": get_language() or "en"} if section in LANGUAGE_AWARE else {}
    if section in ACCOUNT_AWARE:
        extra["accounts"] = [
            (account_key_for(a), account_label(a)) for a in accounts_of(access=request.access)
        ]
    form = form_class(request.POST if request.method == "POST" else None, document=document, **extra)
    warnings = []
    # A valid policy that cannot work as meant is saved only once the person confirms ("Save anyway").
    if request.method == "POST" and form.is_valid() and not request.POST.get("confirm_warnings"):
        warnings = new_warnings(form.new_document, current=document, workspace=request.access.workspace)
    if request.method == "POST" and form.is_valid() and not warnings:
        version = policy_save(
            access=request.access, document=form.new_document, summary=form.cleaned_data["summary"]
        )
        messages.success(request, _("Saved as policy version %(number)s.") % {"number": version.number})
        return redirect("policy", ws=ws)
    return render(request, form.page_template, {"form": form, "section": section, "warnings": warnings})


@workspace_view()
def policy_route_rule(request: HttpRequest, ws: str, index: int | None = None) -> HttpResponse:
    """One routing rule as a form (``index`` None: a new one). "Preview" shows what the rule would have
    matched in the last 30 days without saving; "Save" stores a new policy version."""
    from kopiena.inbox.selectors import route_rule_preview

    _require_edit(request)
    document = policy_current(workspace=request.access.workspace)
    if index is not None and not 0 <= index < len(document.engagement.routing.rules):
        raise Http404
    form = RouteRuleForm(request.POST if request.method == "POST" else None, document=document, index=index)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            if form.rule_index is not None:  # a rule being removed has nothing to preview
                preview = route_rule_preview(
                    access=request.access, document=form.new_document, rule_index=form.rule_index
                )
        else:
            version = policy_save(
                access=request.access, document=form.new_document, summary=form.cleaned_data["summary"]
            )
            messages.success(request, _("Saved as policy version %(number)s.") % {"number": version.number})
            return redirect("policy", ws=ws)
    elif request.method == "GET" and index is not None:
        preview = route_rule_preview(access=request.access, document=document, rule_index=index)
    return render(
        request, form.page_template, {"form": form, "section": "routing", "preview": preview, "index": index}
    )


@workspace_view()
def policy_yaml(request: HttpRequest, ws: str) -> HttpResponse:
    workspace = request.access.workspace
    can_edit = request.access.can(Perm.POLICY_EDIT)
    errors, checked, warnings = [], False, []
    if request.method == "POST":
        _require_edit(request)
        form = YamlForm(request.POST)
        if form.is_valid():
            text = form.cleaned_data["text"]
            action = request.POST.get("action")
            if action in ("save", "save_anyway"):
                try:
                    if action == "save":  # warnings first; "Save anyway" confirms them
                        warnings = new_warnings(
                            parse_policy(text),
                            current=policy_current(workspace=workspace),
                            workspace=workspace,
                        )
                    if not warnings:
                        version = policy_import_yaml(
                            access=request.access, text=text, summary=form.cleaned_data["summary"]
                        )
                except PolicyInvalid as exc:
                    errors = exc.errors
                else:
                    if not warnings:
                        messages.success(
                            request, _("Saved as policy version %(number)s.") % {"number": version.number}
                        )
                        return redirect("policy", ws=ws)
            else:
                errors, checked = check_policy(text), True
                if not errors:
                    warnings = policy_warnings(parse_policy(text), workspace=workspace)
    else:
        form = YamlForm(initial={"text": policy_export_yaml(workspace=workspace)})
    return render(
        request,
        "policy/yaml.html",
        {"form": form, "errors": errors, "checked": checked, "warnings": warnings, "can_edit": can_edit},
    )


@workspace_view()
def policy_export(request: HttpRequest, ws: str) -> HttpResponse:
    response = HttpResponse(
        policy_export_yaml(workspace=request.access.workspace), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="policy-{ws}.yaml"'
    return response


@workspace_view()
def policy_versions_view(request: HttpRequest, ws: str) -> HttpResponse:
    versions = list(policy_versions(access=request.access)[:200])
    return render(request, "policy/versions.html", {"versions": versions})


@workspace_view()
def policy_diff_view(request: HttpRequest, ws: str, number: int) -> HttpResponse:
    """Version ``number`` against ``?against=N`` (default: the version before it; version 1: the defaults)."""
    newer = access_policy_version(access=request.access, number=number)
    against = request.GET.get("against", "")
    if against.isdigit():
        older = access_policy_version(access=request.access, number=int(against))
    elif number > 1:
        older = access_policy_version(access=request.access, number=number - 1)
    else:
        older = None
    diff = policy_diff(older=older, newer=newer)
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        else:
            kind = {"+": "add", "-": "del"}.get(line[:1], "ctx")
        lines.append((kind, line))
    return render(
        request,
        "policy/diff.html",
        {"newer": newer, "older": older, "lines": lines, "versions": policy_versions(access=request.access)},
    )
