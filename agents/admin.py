"""The admin for auditors: everything browsable, Staging and Production read-only.

Staging rows, Production, agent permissions and publish records change only through the
services (so every change is locked, attributed, recorded and fingerprinted); here they are
shown with their django-simple-history records. So do corpora, tools, actions and
guardrails: a change to one reaches the Staging of every agent that uses it, so it goes
through the catalogue pages (and their impact preview); here they are read-only with their
history and a link there. Organizations and projects stay editable.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agents import services
from agents.models import (
    ActionSetting,
    Agent,
    AgentPermission,
    Corpus,
    CorpusConnection,
    Guardrail,
    GuardrailSetting,
    Instruction,
    Organization,
    OrganizationMembership,
    Project,
    StagingConfiguration,
    Tool,
    ToolAction,
    ToolBinding,
)


class ReadOnlyAdminMixin:
    """Browse and audit only: no add, change or delete from the admin.

    The ``has_*_permission`` answers hide the forms and buttons; the write hooks below refuse
    as well, so a view that forgets to ask (as simple-history's history form view did: it
    saved on POST after checking only the view permission) still cannot write a row behind
    the services' back.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # No bulk actions: "delete selected" would bypass the services.
        return {}

    def save_form(self, request, form, change):
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        raise PermissionDenied

    def save_related(self, request, form, formsets, change):
        raise PermissionDenied

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Shows a row's django-simple-history records, and never writes from them.

    simple-history's "history form" page (``<id>/history/<history_id>/``) renders an editable
    form and saves it on POST after checking only the view-history permission;
    ``SIMPLE_HISTORY_REVERT_DISABLED`` merely hides the button. Here the page only shows
    (every field read-only) and any other method is refused before a form is even built.
    """

    # simple-history's list, minus an inline style attribute the CSP would refuse.
    object_history_list_template = "admin/history/object_history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields] + list(
            super().get_readonly_fields(request, obj)
        )


class MembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "organization__name"]
    filter_horizontal = ["members"]


class CatalogueAdmin(ReadOnlyHistoryAdmin):
    """A catalogue item, read-only with its history: a change reaches the Staging of every
    agent that uses the item, so it goes through the catalogue page and its impact preview
    (``agents.services.change_catalogue_item``), never a bare save here."""

    page: str  # the catalogue page's URL name

    @admin.display(description="change")
    def change_link(self, obj):
        args = [obj.tool_id, obj.pk] if self.page == "agents:catalogue-action" else [obj.pk]
        return format_html(
            '<a href="{}">Change on the catalogue page</a> (with its impact preview)',
            reverse(self.page, args=args),
        )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "change_link"]


@admin.register(Corpus)
class CorpusAdmin(CatalogueAdmin):
    list_display = ["name", "project", "created_at"]
    list_filter = ["project__organization", "project"]
    search_fields = ["name", "description"]
    page = "agents:catalogue-corpus"


class ToolActionInline(admin.TabularInline):
    model = ToolAction
    extra = 0
    can_delete = False
    fields = ["name", "config"]
    readonly_fields = ["name", "config"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tool)
class ToolAdmin(CatalogueAdmin):
    list_display = ["name", "kind", "organization", "action_count"]
    list_filter = ["kind", "organization"]
    search_fields = ["name", "description"]
    inlines = [ToolActionInline]
    page = "agents:catalogue-tool"

    @admin.display(description="actions")
    def action_count(self, obj):
        return obj.actions.count()


@admin.register(ToolAction)
class ToolActionAdmin(CatalogueAdmin):
    list_display = ["name", "tool"]
    list_filter = ["tool__organization", "tool"]
    search_fields = ["name", "tool__name"]
    page = "agents:catalogue-action"


@admin.register(Guardrail)
class GuardrailAdmin(CatalogueAdmin):
    list_display = ["name", "type", "organization"]
    list_filter = ["type", "organization"]
    search_fields = ["name", "type"]
    page = "agents:catalogue-guardrail"


@admin.register(Agent)
class AgentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "staging_name", "project", "published", "created_by", "created_at"]
    list_filter = ["project__organization", "project"]
    search_fields = ["staging__name", "production__snapshot__settings__name"]
    list_select_related = ["staging", "project__organization", "created_by", "production"]

    @admin.display(description="name (staging)", ordering="staging__name")
    def staging_name(self, obj):
        return obj.staging.name

    @admin.display(boolean=True)
    def published(self, obj):
        return hasattr(obj, "production")


class StagingRowAdmin(ReadOnlyHistoryAdmin):
    """A staging child row with its history button."""

    list_filter = ["agent__project__organization"]
    search_fields = ["agent__staging__name"]
    list_select_related = ["agent__staging"]


@admin.register(StagingConfiguration)
class StagingConfigurationAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "agent_id",
        "access_level",
        "revision",
        "updated_by_username",
        "updated_at",
    ]
    list_filter = ["access_level", "agent__project__organization", "updated_at"]
    search_fields = ["name", "description"]
    history_list_display = ["revision", "history_change_reason"]


@admin.register(Instruction)
class InstructionAdmin(StagingRowAdmin):
    list_display = ["title", "agent", "position"]
    search_fields = ["title", "content", "agent__staging__name"]


# One catalogue item's state per agent: the same admin for each kind, listing its item.
for item_model in (CorpusConnection, ToolBinding, ActionSetting, GuardrailSetting):
    admin.site.register(
        item_model,
        type(
            f"{item_model.__name__}Admin",
            (StagingRowAdmin,),
            {"list_display": ["agent", item_model.ITEM, "enabled"]},
        ),
    )


@admin.register(StagingConfiguration.history.model)
class StagingCheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every Staging edit as one row: who, when, what, on which agent."""

    list_display = ["history_date", "agent_id", "name", "revision", "history_username", "reason"]
    list_filter = ["history_date", "history_user", "history_type"]
    search_fields = ["name", "history_change_reason", "history_username"]
    date_hierarchy = "history_date"
    list_select_related = ["history_user"]

    @admin.display(description="change")
    def reason(self, obj):
        return obj.history_change_reason


@admin.register(AgentPermission)
class AgentPermissionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["agent", "user", "role", "granted_by", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "agent__staging__name"]
    list_select_related = ["agent__staging", "user", "granted_by"]


class AccountCreationForm(AdminUserCreationForm):
    """The admin's "add user" form, held to the rules of every other way an account is made:
    a normalised username, unique whatever its case, and no look-alike of an existing one."""

    def clean_username(self) -> str:
        try:
            return services.clean_new_username(self.cleaned_data.get("username"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("username", exc.messages)) from None


class AccountAdmin(UserAdmin):
    add_form = AccountCreationForm


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountAdmin)
