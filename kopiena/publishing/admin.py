"""Read-mostly admin for operators: find a delivery, read its attempt log. Changes go through services."""

from django.contrib import admin

from kopiena.publishing.models import Delivery, DeliveryAttempt, Post


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "outcome", "worker", "started_at", "finished_at", "error_code", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = ["id", "workspace", "content_type", "state", "scheduled_at", "author"]
    list_filter = ["state", "content_type"]
    search_fields = ["text", "theme", "campaign"]
    date_hierarchy = "scheduled_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "workspace", "account", "state", "due_at", "attempts", "failure_code", "claimed_by"]
    list_filter = ["state", "failure_code"]
    search_fields = ["idempotency_key", "remote_id"]
    inlines = [DeliveryAttemptInline]
