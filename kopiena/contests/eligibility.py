"""The eligibility rules of one contest applied to one comment. PURE: no database; the collector gives
each comment with what it needs (who already entered), and stores the decision and its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from kopiena.contests.models import Decision, Mechanic, QuizJudging

MENTION = re.compile(r"(?<![\w@])@([\w.\-]+(?:@[\w.\-]+)?)")
PATTERN_MAX = 200


def normal_handle(handle: str) -> str:
    """'@Anna@social.example' and 'anna' compare equal: lower case, no leading '@', no server."""
    return (handle or "").strip().lstrip("@").split("@")[0].lower()


@dataclass(frozen=True)
class Comment:
    author_id: str
    author_handle: str
    text: str
    entered_at: datetime
    language: str = ""
    spam: bool = False
    account_age_days: int | None = None


@dataclass(frozen=True)
class Rules:
    starts_at: datetime
    ends_at: datetime
    mechanic: str
    keyword: str = ""
    quiz_judging: str = QuizJudging.PATTERN
    quiz_pattern: str = ""
    tag_friends: int = 0
    one_entry_per_person: bool = True
    min_account_age_days: int | None = None
    excluded: frozenset[str] = frozenset()
    brand_ids: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    brand_handle_set: frozenset[str] = frozenset()

    def brand_handles(self) -> frozenset[str]:
        return self.brand_handle_set


def judge(rules: Rules, comment: Comment, *, already_entered: bool) -> tuple[str, str]:
    """(decision, reason for a person). The first rule that fails decides; a duplicate is only a comment
    by someone who already has an eligible entry."""
    if comment.spam:
        return Decision.SPAM, _("The classifier marked this comment as spam.")
    if comment.author_id in rules.brand_ids:
        return Decision.STAFF, _("Written by the brand's own account.")
    if normal_handle(comment.author_handle) in rules.excluded:
        return Decision.STAFF, _("Staff and partner accounts may not enter.")
    if comment.entered_at < rules.starts_at:
        return Decision.EARLY, _("Written before the contest started.")
    if comment.entered_at > rules.ends_at:
        return Decision.LATE, _("Written after the contest ended.")
    if rules.languages and comment.language and comment.language not in rules.languages:
        return Decision.INELIGIBLE, _("Written in a language the contest does not accept (%(language)s).") % {
            "language": comment.language.upper()
        }
    age = comment.account_age_days
    if rules.min_account_age_days and age is not None and age < rules.min_account_age_days:
        return Decision.INELIGIBLE, _("The account is younger than the contest allows.")
    text = comment.text or ""
    if rules.mechanic == Mechanic.KEYWORD and rules.keyword.lower() not in text.lower():
        return Decision.INELIGIBLE, _("The comment does not contain “%(keyword)s”.") % {
            "keyword": rules.keyword
        }
    if rules.mechanic == Mechanic.TAG_FRIENDS:
        own = normal_handle(comment.author_handle)
        tagged = (
            {normal_handle(h) for h in MENTION.findall(text)} - {own} - rules.excluded - rules.brand_handles()
        )
        if len(tagged) < rules.tag_friends:
            return Decision.INELIGIBLE, _("Tagged %(tagged)s of the %(needed)s friends needed.") % {
                "tagged": len(tagged),
                "needed": rules.tag_friends,
            }
    if rules.mechanic == Mechanic.QUIZ:
        if rules.quiz_judging == QuizJudging.MANUAL:
            decision = (Decision.AWAITING_REVIEW, _("A person judges the answer."))
            return (Decision.DUPLICATE, _("This person already entered.")) if already_entered else decision
        if not re.search(rules.quiz_pattern, text, flags=re.IGNORECASE):
            return Decision.WRONG_ANSWER, _("The answer does not match the right answer.")
    if already_entered and rules.one_entry_per_person:
        return Decision.DUPLICATE, _("This person already entered.")
    if rules.min_account_age_days and comment.account_age_days is None:
        return Decision.ELIGIBLE, _("Eligible (the platform does not tell the account's age).")
    return Decision.ELIGIBLE, ""
