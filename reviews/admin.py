"""Publish policies, their changes, review requests, verdicts and check results in the admin:
for auditing, never for writing. Every write goes through ``reviews.services``, which checks
the role and locks the agent so a publish decides on exactly the facts its record keeps."""

import json

from django.contrib import admin
from django.utils.html import format_html

from agents.admin import ReadOnlyAdminMixin
from reviews.models import CheckRun, PolicyChange, PublishPolicy, ReviewRequest, Verdict


def _pretty(value):
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


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
class PolicyChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["changed_at", "agent", "changed_by_username"]
    list_filter = ["agent__project__organization"]
    search_fields = ["changed_by_username"]
    date_hierarchy = "changed_at"
    list_select_related = ["agent__staging"]
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
        return _pretty(obj.before)

    @admin.display(description="after")
    def policy_after(self, obj):
        return _pretty(obj.after)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "agent", "requested_by_username", "status", "closed_at"]
    list_filter = ["status", "agent__project__organization"]
    search_fields = ["description", "requested_by_username", "=fingerprint"]
    date_hierarchy = "created_at"
    list_select_related = ["agent__staging"]
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
class VerdictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "agent", "reviewer_username", "kind", "staging_revision"]
    list_filter = ["kind", "agent__project__organization"]
    search_fields = ["comment", "reviewer_username", "=fingerprint"]
    date_hierarchy = "created_at"
    list_select_related = ["agent__staging"]
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
class CheckRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "agent", "name", "state", "created_by_username"]
    list_filter = ["state", "agent__project__organization"]
    search_fields = ["name", "description", "created_by_username", "=fingerprint"]
    date_hierarchy = "created_at"
    list_select_related = ["agent__staging"]
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
