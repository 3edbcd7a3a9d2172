"""Demo content: the roastery's first policy version (its own domain, Saturday opening hours)."""

from __future__ import annotations

from kopiena.core.demo import DEMO_BUSINESS_HOURS, DemoContext
from kopiena.policy.defaults import DEFAULT_DATA
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_version
from kopiena.policy.services import policy_save

DEMO_DOMAINS = ["grauzdetava.example.lv"]


def load_policy(ctx: DemoContext) -> None:
    """Save version 1 once; later runs leave whatever the demo's users changed since."""
    if policy_current_version(workspace=ctx.workspace) is not None:
        return
    data = PolicyDocument.model_validate(DEFAULT_DATA).to_data()
    data["publishing"]["links"]["own_domains"] = DEMO_DOMAINS
    hours = data["engagement"]["business_hours"]
    hours["country"] = DEMO_BUSINESS_HOURS["country"]
    hours["weekly"] = {
        day: [{"start": start, "end": end} for start, end in windows]
        for day, windows in DEMO_BUSINESS_HOURS["weekly"].items()
    }
    policy_save(
        access=None,
        workspace=ctx.workspace,
        document=PolicyDocument.model_validate(data),
        author=ctx.owner,
        summary="Our shop's domain; open on Saturdays 10–14",
    )
    ctx.log("Saved the communication policy (version 1).")
