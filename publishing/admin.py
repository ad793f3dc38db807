"""Production and publish records in the admin: listed, filtered, searchable - and never
changeable."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from agents.admin import ReadOnlyAdminMixin
from ejento_staging.admin_display import pretty_json
from publishing.models import ProductionConfiguration, PublishRecord, ScheduledPublish


@admin.register(ProductionConfiguration)
class ProductionConfigurationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["agent_id", "name", "change_track_id", "published_by", "published_at"]
    list_filter = ["published_at", "published_by"]
    search_fields = ["snapshot__settings__name"]
    readonly_fields = [
        "agent",
        "change_track_id",
        "published_by",
        "published_at",
        "fingerprint",
        "configuration",
    ]
    exclude = ["snapshot"]

    def name(self, obj):
        return obj.snapshot.get("settings", {}).get("name")

    @admin.display(description="configuration")
    def configuration(self, obj):
        return pretty_json(obj.snapshot)


# What the publish policy said comes first on a record's page: a break-glass publish is what
# an audit looks for.
GATE_FIELDS = ["broke_glass", "break_glass_reason", "gate_as_published"]


@admin.register(PublishRecord)
class PublishRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "published_at",
        "agent",
        "sequence",
        "published_by_username",
        "summary",
        "restored_from",
        "broke_glass",
    ]
    list_filter = [
        "broke_glass",
        "published_at",
        "published_by",
        "agent__project__organization",
        "agent",
    ]
    search_fields = ["notes", "summary", "published_by_username", "=change_track_id"]
    date_hierarchy = "published_at"
    list_select_related = ["agent__staging", "restored_from"]
    readonly_fields = [
        *GATE_FIELDS,
        "change_track_id",
        "agent",
        "sequence",
        "published_by",
        "published_by_username",
        "published_at",
        "notes",
        "summary",
        "counts",
        "changes_table",
        "configuration",
        "fingerprint",
        "previous",
        "restored_from",
        "restored_mode",
        "schedule",
        "contributors",
        "staging_revision",
        "previous_hash",
        "record_hash",
    ]
    fieldsets = [
        ("Publish policy", {"fields": GATE_FIELDS}),
        (None, {"fields": readonly_fields[len(GATE_FIELDS) :]}),
    ]
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The list never needs the snapshot or the change list.
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("snapshot", "changes", "gate", "contributors")
        return queryset

    @admin.display(description="break-glass reason")
    def break_glass_reason(self, obj):
        glass = (obj.gate or {}).get("break_glass")
        if not glass:
            return "-"
        blockers = format_html_join("", "<li>{}</li>", ((b,) for b in glass.get("blockers", [])))
        return format_html(
            "<strong>Published without approval (break glass):</strong> {}"
            "<br>What was missing: <ul>{}</ul>",
            glass.get("reason", ""),
            blockers,
        )

    @admin.display(description="gate (policy, approvals and checks it was published with)")
    def gate_as_published(self, obj):
        if not obj.gate:
            return "- (no publish policy and no review at the time)"
        return pretty_json(obj.gate)

    @admin.display(description="changes")
    def changes_table(self, obj):
        if not obj.changes:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((c.get("section"), c.get("change"), c.get("label")) for c in obj.changes),
        )
        return format_html("<table>{}</table>", rows)

    @admin.display(description="configuration as published")
    def configuration(self, obj):
        return pretty_json(obj.snapshot)


@admin.register(ScheduledPublish)
class ScheduledPublishAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["publish_at", "agent", "status", "scheduled_by_username", "failure_code"]
    list_filter = ["status", "agent__project__organization"]
    date_hierarchy = "publish_at"
    list_select_related = ["agent"]
    readonly_fields = [
        "agent",
        "status",
        "publish_at",
        "expected_fingerprint",
        "notes",
        "scheduled_by",
        "scheduled_by_username",
        "created_at",
        "failure_code",
        "failure_detail",
        "finished_at",
        "cancelled_by",
        "publish_record",
    ]
    exclude = ["task_id"]
