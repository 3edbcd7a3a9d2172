"""The audit log's actions and object types as words in the reader's language (issue 16, item 9).

The log stores stable codes (``inbox.thread_assign``, ``listening.competitorpost``); the page shows these
labels. ``post.<state>`` and ``inbox.reply_<state>`` actions are named by the state they moved to. A code
without a label is shown humanised (see kopiena.core.words).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.core.words import humanise

ACTIONS = {
    "account.connect": gettext_lazy("Account connected"),
    "analytics.export": gettext_lazy("Analytics table exported"),
    "account.credentials_refresh": gettext_lazy("Account credentials refreshed"),
    "account.disconnect": gettext_lazy("Account disconnected"),
    "account.needs_reconnect": gettext_lazy("Account needs reconnecting"),
    "account.reconnect": gettext_lazy("Account reconnected"),
    "account.sync_failed": gettext_lazy("Account sync failed"),
    "account.sync_recovered": gettext_lazy("Account sync working again"),
    "account.update": gettext_lazy("Account changed"),
    "api_token.create": gettext_lazy("API token created"),
    "api_token.revoke": gettext_lazy("API token revoked"),
    "calendar_feed.create": gettext_lazy("Calendar feed created"),
    "calendar_feed.regenerate": gettext_lazy("Calendar feed address changed"),
    "calendar_feed.revoke": gettext_lazy("Calendar feed revoked"),
    "contest.entries_export": gettext_lazy("Contest entries exported"),
    "contest.entry_overrule": gettext_lazy("Contest entry decision overruled"),
    "delivery.failed": gettext_lazy("Publishing failed"),
    "delivery.unconfirmed": gettext_lazy("Publishing not confirmed"),
    "inbox.item_correct": gettext_lazy("Classification corrected"),
    "inbox.item_hide": gettext_lazy("Comment hidden"),
    "inbox.item_reply": gettext_lazy("Reply written"),
    "inbox.items_ingest": gettext_lazy("Comments received"),
    "inbox.reply_approve": gettext_lazy("Reply approved"),
    "inbox.reply_send_back": gettext_lazy("Reply sent back"),
    "inbox.sla_breach": gettext_lazy("Response target missed"),
    "inbox.tag_create": gettext_lazy("Tag created"),
    "inbox.thread_assign": gettext_lazy("Conversation assigned"),
    "inbox.thread_close": gettext_lazy("Conversation closed"),
    "inbox.thread_escalate": gettext_lazy("Conversation escalated"),
    "inbox.thread_note_add": gettext_lazy("Note added"),
    "inbox.thread_tag": gettext_lazy("Conversation tagged"),
    "integrations.account_grants_set": gettext_lazy("Account access changed"),
    "invitation.accept": gettext_lazy("Invitation accepted"),
    "invitation.create": gettext_lazy("Invitation sent"),
    "keys.rotate": gettext_lazy("Encryption keys rotated"),
    "listening.competitor_account_add": gettext_lazy("Competitor account added"),
    "listening.competitor_create": gettext_lazy("Competitor added"),
    "listening.competitor_delete": gettext_lazy("Competitor removed"),
    "listening.competitors_export": gettext_lazy("Competitors exported"),
    "listening.leaders_export": gettext_lazy("Community leaders exported"),
    "listening.mention_answered_elsewhere": gettext_lazy("Mention answered elsewhere"),
    "listening.mention_spam_review": gettext_lazy("Mention reviewed as spam"),
    "listening.mentions_export": gettext_lazy("Mentions exported"),
    "listening.mentions_store": gettext_lazy("Mentions received"),
    "listening.person_create": gettext_lazy("Person added"),
    "listening.person_handle_add": gettext_lazy("Profile added to a person"),
    "listening.person_merge": gettext_lazy("People merged"),
    "listening.person_note_add": gettext_lazy("Note about a person added"),
    "listening.person_task_create": gettext_lazy("Task created"),
    "listening.person_task_done": gettext_lazy("Task done"),
    "listening.queries_export": gettext_lazy("Listening queries exported"),
    "listening.query_create": gettext_lazy("Listening query created"),
    "listening.query_delete": gettext_lazy("Listening query deleted"),
    "listening.query_update": gettext_lazy("Listening query changed"),
    "listening.source_create": gettext_lazy("Source added"),
    "listening.source_set_enabled": gettext_lazy("Source switched on or off"),
    "listening.sources_import_opml": gettext_lazy("Sources imported (OPML)"),
    "listening.spike_detect": gettext_lazy("Spike in mentions"),
    "listening.trend_post_idea": gettext_lazy("Trend saved as an idea"),
    "membership.add": gettext_lazy("Member added"),
    "membership.change_role": gettext_lazy("Role changed"),
    "membership.remove": gettext_lazy("Member removed"),
    "notifications.preferences_save": gettext_lazy("Notification preferences saved"),
    "notifications.settings_save": gettext_lazy("Notification settings saved"),
    "notifications.webhook_create": gettext_lazy("Outgoing webhook added"),
    "notifications.webhook_delete": gettext_lazy("Outgoing webhook removed"),
    "planning.ideas_refresh": gettext_lazy("Ideas refreshed"),
    "planning.slot_regenerate": gettext_lazy("Proposal regenerated"),
    "planning.week_accept": gettext_lazy("Week plan accepted"),
    "planning.week_generate": gettext_lazy("Week plan proposed"),
    "policy.save": gettext_lazy("Policy saved"),
    "post.comment": gettext_lazy("Comment on a post"),
    "post.import": gettext_lazy("Posts imported"),
    "queue_slot.add": gettext_lazy("Queue time added"),
    "queue_slot.remove": gettext_lazy("Queue time removed"),
    "reports.branding_update": gettext_lazy("Report branding changed"),
    "reports.report_create": gettext_lazy("Report created"),
    "reports.report_delete": gettext_lazy("Report deleted"),
    "reports.report_send": gettext_lazy("Report sent"),
    "reports.report_update": gettext_lazy("Report changed"),
    "reports.share_link_create": gettext_lazy("Report link shared"),
    "reports.share_link_revoke": gettext_lazy("Report link revoked"),
    "saved_reply.create": gettext_lazy("Saved reply created"),
    "saved_reply.delete": gettext_lazy("Saved reply deleted"),
    "webhook_endpoint.create": gettext_lazy("Webhook address created"),
    "workspace.create": gettext_lazy("Workspace created"),
    "workspace.update": gettext_lazy("Workspace changed"),
    "planning.event_add": gettext_lazy("Local event added"),
    "planning.event_delete": gettext_lazy("Local event removed"),
    "planning.feed_add": gettext_lazy("Event feed added"),
    "planning.feed_delete": gettext_lazy("Event feed removed"),
    "planning.idea_create": gettext_lazy("Idea added"),
    "planning.idea_status": gettext_lazy("Idea status changed"),
    "planning.idea_from_item": gettext_lazy("Idea from a comment"),
    "planning.promo_use": gettext_lazy("Promotion used in a post"),
    "planning.consent_create": gettext_lazy("Consent recorded"),
    "planning.consent_withdraw": gettext_lazy("Consent withdrawn"),
    "planning.post_consent": gettext_lazy("Consent linked to a post"),
    "post.create": gettext_lazy("Post created"),
    "post.update": gettext_lazy("Post changed"),
    "post.submit": gettext_lazy("Post sent for approval"),
    "post.approve": gettext_lazy("Post approved"),
    "post.send_back": gettext_lazy("Post sent back"),
    "post.schedule": gettext_lazy("Post scheduled"),
    "post.reschedule": gettext_lazy("Post moved to another time"),
    "post.cancel": gettext_lazy("Post cancelled"),
    "contest.create": gettext_lazy("Contest created"),
    "contest.update": gettext_lazy("Contest changed"),
    "contest.checklist": gettext_lazy("Contest checklist ticked"),
    "contest.approve": gettext_lazy("Contest approved"),
    "contest.start": gettext_lazy("Contest started"),
    "contest.collect": gettext_lazy("Contest entries collected"),
    "contest.close": gettext_lazy("Contest closed"),
    "contest.draw": gettext_lazy("Winners drawn"),
    "contest.winner_mark": gettext_lazy("Winner marked"),
    "contest.redraw": gettext_lazy("Winner drawn again"),
    "contest.announce": gettext_lazy("Winners announced"),
    "contest.erase_personal_data": gettext_lazy("Contest personal data erased"),
}

OBJECT_TYPES = {
    "analytics.table": gettext_lazy("Analytics table"),
    "teams.user": gettext_lazy("Person"),
    "teams.workspace": gettext_lazy("Workspace"),
    "teams.membership": gettext_lazy("Membership"),
    "teams.invitation": gettext_lazy("Invitation"),
    "teams.apitoken": gettext_lazy("API token"),
    "notifications.notice": gettext_lazy("Notification"),
    "notifications.personsettings": gettext_lazy("Notification settings"),
    "notifications.preference": gettext_lazy("Notification preference"),
    "notifications.webhookendpoint": gettext_lazy("Outgoing webhook"),
    "integrations.connectedaccount": gettext_lazy("Connected account"),
    "integrations.credential": gettext_lazy("Account credentials"),
    "integrations.webhookendpoint": gettext_lazy("Webhook address"),
    "integrations.oauthapp": gettext_lazy("OAuth app"),
    "integrations.accountgrant": gettext_lazy("Account access"),
    "policy.policyversion": gettext_lazy("Policy version"),
    "publishing.post": gettext_lazy("Post"),
    "publishing.variant": gettext_lazy("Post variant"),
    "publishing.delivery": gettext_lazy("Delivery"),
    "publishing.approvalrequest": gettext_lazy("Approval request"),
    "publishing.postcomment": gettext_lazy("Comment on a post"),
    "publishing.calendarfeed": gettext_lazy("Calendar feed"),
    "publishing.queueslot": gettext_lazy("Queue time"),
    "planning.eventfeed": gettext_lazy("Event feed"),
    "planning.localevent": gettext_lazy("Local event"),
    "planning.consent": gettext_lazy("Consent"),
    "planning.idea": gettext_lazy("Idea"),
    "planning.proposal": gettext_lazy("Proposal"),
    "inbox.thread": gettext_lazy("Conversation"),
    "inbox.item": gettext_lazy("Comment"),
    "inbox.reply": gettext_lazy("Reply"),
    "inbox.savedreply": gettext_lazy("Saved reply"),
    "inbox.tag": gettext_lazy("Tag"),
    "inbox.threadnote": gettext_lazy("Note"),
    "inbox.itemcorrection": gettext_lazy("Classification correction"),
    "listening.competitor": gettext_lazy("Competitor"),
    "listening.competitoraccount": gettext_lazy("Competitor account"),
    "listening.competitorpost": gettext_lazy("Competitor post"),
    "listening.mention": gettext_lazy("Mention"),
    "listening.spike": gettext_lazy("Spike in mentions"),
    "listening.person": gettext_lazy("Person"),
    "listening.personhandle": gettext_lazy("Person's profile"),
    "listening.personnote": gettext_lazy("Note about a person"),
    "listening.persontask": gettext_lazy("Task"),
    "listening.trendidea": gettext_lazy("Trend idea"),
    "listening.listeningquery": gettext_lazy("Listening query"),
    "listening.listeningsource": gettext_lazy("Listening source"),
    "contests.contest": gettext_lazy("Contest"),
    "contests.regulation": gettext_lazy("Contest regulations"),
    "contests.entry": gettext_lazy("Contest entry"),
    "contests.winner": gettext_lazy("Winner"),
    "contests.drawround": gettext_lazy("Draw"),
    "reports.branding": gettext_lazy("Report branding"),
    "reports.clientreport": gettext_lazy("Client report"),
    "reports.sharelink": gettext_lazy("Report link"),
}


def action_label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    if code.startswith("post."):
        from kopiena.publishing.models import PostState

        state = code.removeprefix("post.")
        if state in PostState.values:
            return _("Post: %(state)s") % {"state": PostState(state).label}
    if code.startswith("inbox.reply_"):
        from kopiena.inbox.models import ReplyState

        state = code.removeprefix("inbox.reply_")
        if state in ReplyState.values:
            return _("Reply: %(state)s") % {"state": ReplyState(state).label}
    return humanise(code).capitalize()


def object_type_label(code: str) -> str:
    if code in OBJECT_TYPES:
        return str(OBJECT_TYPES[code])
    return humanise(code.rpartition(".")[2] or code).capitalize()
