"""C6: a customer testimonial is published only with the customer's permission.

A post is a testimonial when it is linked to a consent (``PostConsent``) or carries the tag
``testimonial``. ``consent_problems`` is one of publishing's schedule checks (``checks.SCHEDULE_CHECKS``):
it refuses — never overridable, a manager cannot overrule a customer — a testimonial with no consent, a
withdrawn consent, one that expires before the post goes out, or one that does not cover every target
account. The week planner calls ``consent_refusals`` with the same rules before proposing a testimonial.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from kopiena.core.zones import zone_of

TESTIMONIAL_TAG = "testimonial"


def is_testimonial(post) -> bool:
    return (
        TESTIMONIAL_TAG in [str(t).strip().casefold() for t in (post.tags or [])]
        or _link_of(post) is not None
    )


def _link_of(post):
    if post.pk is None:
        return None
    from kopiena.planning.models import PostConsent

    return PostConsent.objects.select_related("consent").filter(post_id=post.pk).first()


def consent_refusals(consent, *, accounts: list, at: datetime, workspace) -> list[tuple[str, str]]:
    """(rule, message) for each reason ``consent`` does not allow publishing on ``accounts`` at ``at``."""
    if consent is None:
        return [("consent.missing", _("A customer testimonial needs the customer's recorded consent."))]
    found = []
    if consent.withdrawn_at is not None:
        found.append(
            (
                "consent.withdrawn",
                _("%(person)s has withdrawn their consent.") % {"person": consent.person_name},
            )
        )
    local_day = at.astimezone(zone_of(workspace.timezone)).date()
    if consent.expires_on is not None and consent.expires_on < local_day:
        found.append(
            (
                "consent.expired",
                _("%(person)s's consent is valid until %(day)s, before this post goes out.")
                % {"person": consent.person_name, "day": consent.expires_on.isoformat()},
            )
        )
    covered = set(consent.accounts.values_list("pk", flat=True))
    missing = [a.name for a in accounts if a.pk not in covered]
    if missing:
        found.append(
            (
                "consent.accounts",
                _("%(person)s's consent does not cover: %(accounts)s.")
                % {"person": consent.person_name, "accounts": ", ".join(missing)},
            )
        )
    return found


def consent_problems(*, post, at: datetime, accounts: list) -> list:
    """Publishing's schedule check (see ``kopiena.publishing.checks.SCHEDULE_CHECKS``)."""
    from kopiena.publishing.checks import Problem

    if not is_testimonial(post):
        return []
    link = _link_of(post)
    refusals = consent_refusals(
        link.consent if link else None, accounts=accounts, at=at, workspace=post.workspace
    )
    return [
        Problem(rule=rule, message=message, overridable=False, field="consent") for rule, message in refusals
    ]
