"""Webhook endpoints, events and deliveries in the admin: for auditing, never for writing.

Endpoints are managed through the services (API and pages), which check who may. The
signing secrets are never shown here: they are excluded from every form and list.
"""

from django.contrib import admin

from agents.admin import ReadOnlyAdminMixin
from ejento_staging.admin_display import pretty_json
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event

SECRET_FIELDS = ("secret", "previous_secret")


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["url", "organization", "agent", "enabled", "failing_since", "created_by"]
    list_filter = ["enabled", "organization"]
    search_fields = ["url", "description"]
    exclude = SECRET_FIELDS
    readonly_fields = [
        "organization",
        "agent",
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_reason",
        "failing_since",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*SECRET_FIELDS)


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "type", "organization", "agent"]
    list_filter = ["type", "organization"]
    date_hierarchy = "created_at"
    readonly_fields = ["id", "type", "organization", "agent", "created_at", "body"]
    exclude = ["payload"]

    @admin.display(description="payload as sent")
    def body(self, obj):
        return pretty_json(obj.payload)


class DeliveryAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = [
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "succeeded",
        "error",
        "response_excerpt",
    ]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "endpoint__organization"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [
        "id",
        "event",
        "endpoint",
        "status",
        "attempts",
        "failures_in_row",
        "next_attempt_at",
        "lease_until",
        "created_at",
        "finished_at",
        "last_error",
    ]
    exclude = ["task_id"]
    inlines = [DeliveryAttemptInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("endpoint__secret", "endpoint__previous_secret")
