"""Publish policies, their changes, review requests, verdicts and check results in the admin:
for auditing, never for writing. Every write goes through ``reviews.services``, which checks
the role and locks the agent so a publish decides on exactly the facts its record keeps."""

from django.contrib import admin

from agents.admin import ReadOnlyAdminMixin
from ejento_staging.admin_display import pretty_json
from reviews.models import CheckRun, PolicyChange, PublishPolicy, ReviewRequest, Verdict


class AgentLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An append-only log of one agent's reviews, newest first by date. Each row names its
    agent, whose name is on its Staging: loaded with the row, not once per row."""

    date_hierarchy = "created_at"
    list_select_related = ["agent__staging"]


@admin.register(PublishPolicy)
class PublishPolicyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "agent",
        "required_approvals",
        "authors_may_approve",
        "required_checks",
        "blocking_builtin_checks",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["required_approvals", "authors_may_approve", "agent__project__organization"]
    list_select_related = ["agent__staging", "updated_by"]
    readonly_fields = [
        "agent",
        "required_approvals",
        "authors_may_approve",
        "required_checks",
        "blocking_builtin_checks",
        "updated_at",
        "updated_by",
    ]


@admin.register(PolicyChange)
class PolicyChangeAdmin(AgentLogAdmin):
    list_display = ["changed_at", "agent", "changed_by_username"]
    list_filter = ["agent__project__organization"]
    search_fields = ["changed_by_username"]
    date_hierarchy = "changed_at"
    readonly_fields = [
        "agent",
        "changed_by",
        "changed_by_username",
        "changed_at",
        "policy_before",
        "policy_after",
    ]
    exclude = ["before", "after"]

    @admin.display(description="before")
    def policy_before(self, obj):
        return pretty_json(obj.before)

    @admin.display(description="after")
    def policy_after(self, obj):
        return pretty_json(obj.after)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(AgentLogAdmin):
    list_display = ["created_at", "agent", "requested_by_username", "status", "closed_at"]
    list_filter = ["status", "agent__project__organization"]
    search_fields = ["description", "requested_by_username", "=fingerprint"]
    readonly_fields = [
        "agent",
        "status",
        "fingerprint",
        "staging_revision",
        "description",
        "requested_by",
        "requested_by_username",
        "created_at",
        "closed_at",
        "closed_by",
        "closed_by_username",
    ]


@admin.register(Verdict)
class VerdictAdmin(AgentLogAdmin):
    list_display = ["created_at", "agent", "reviewer_username", "kind", "staging_revision"]
    list_filter = ["kind", "agent__project__organization"]
    search_fields = ["comment", "reviewer_username", "=fingerprint"]
    readonly_fields = [
        "agent",
        "review_request",
        "kind",
        "comment",
        "fingerprint",
        "staging_revision",
        "reviewer",
        "reviewer_username",
        "created_at",
    ]


@admin.register(CheckRun)
class CheckRunAdmin(AgentLogAdmin):
    list_display = ["created_at", "agent", "name", "state", "created_by_username"]
    list_filter = ["state", "agent__project__organization"]
    search_fields = ["name", "description", "created_by_username", "=fingerprint"]
    readonly_fields = [
        "agent",
        "name",
        "state",
        "description",
        "target_url",
        "fingerprint",
        "created_by",
        "created_by_username",
        "created_at",
    ]
