"""The agent configuration domain.

Organization -> Project -> Agent, and the catalogue an agent's configuration points at
(corpora, tools with their actions, guardrails). Catalogue items have django-simple-history
records too (who, when, why), so a checkpoint of the edit history is rebuilt with the
definitions of its time.

Staging lives here: the rows editors change, ``StagingConfiguration`` (settings) and its
child rows (``Instruction``, ``CorpusConnection``, ``ToolBinding``, ``ActionSetting``,
``GuardrailSetting``). Every one of them is recorded by django-simple-history, so the admin
shows who changed what and when, and the edit history can rebuild any checkpoint.

Production lives in ``publishing.models``; it declares the ``agent.production`` relation,
which is how the permission rule and the agent's status read it without this app importing
``publishing``.

Models stay thin: fields, choices, constraints and ``__str__``. Every write goes through
``agents.services``.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from simple_history.models import HistoricalRecords

from ejento_staging.fields import user_reference

NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
INSTRUCTION_TITLE_MAX_LENGTH = 200
INSTRUCTION_CONTENT_MAX_LENGTH = 100_000


USERNAME_MAX_LENGTH = 150


class StagingHistoryBase(models.Model):
    """Extra columns on every Staging model's history.

    ``staging_revision``: the Staging revision of the edit. A checkpoint is a revision, so the
    state at any checkpoint is, per row, the newest record at or below it - exact, whatever
    the clocks did.

    ``history_username``: who made the edit, kept beside ``history_user`` (as publish records
    keep ``published_by_username``), because deleting a user sets that key to NULL and the
    edit history must still say who edited.
    """

    staging_revision = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    history_username = models.CharField(max_length=USERNAME_MAX_LENGTH, blank=True, default="")

    class Meta:
        abstract = True


class CatalogueHistoryBase(models.Model):
    """Extra column on the catalogue's history: who changed it, kept beside ``history_user``
    so the record still names them after their user is deleted (as Staging's history does).
    The reason (why) is simple-history's ``history_change_reason``."""

    history_username = models.CharField(max_length=USERNAME_MAX_LENGTH, blank=True, default="")

    class Meta:
        abstract = True


class Organization(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ADMIN = "admin", "Admin"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_org_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class Project(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_project_name")
        ]

    def __str__(self) -> str:
        return f"{self.organization} / {self.name}"


class Corpus(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="corpora")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(bases=[CatalogueHistoryBase])

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "corpora"

    def __str__(self) -> str:
        return self.name


class Tool(models.Model):
    class Kind(models.TextChoices):
        API = "api", "API"
        RAG = "rag", "RAG"
        WEB_SEARCH = "web_search", "Web search"
        ATTACHMENT = "attachment", "Attachment"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tools")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(bases=[CatalogueHistoryBase])

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ToolAction(models.Model):
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="actions")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    config = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords(bases=[CatalogueHistoryBase])

    class Meta:
        ordering = ["tool_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "name"], name="unique_action_name_per_tool")
        ]

    def __str__(self) -> str:
        return f"{self.tool.name}: {self.name}"


class Guardrail(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="guardrails"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    type = models.CharField(max_length=64)
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(bases=[CatalogueHistoryBase])

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """An agent's identity. Its configuration lives in ``staging`` and ``production``."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="agents")
    created_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)
    # Bookkeeping, not configuration: set by a rollback onto Staging, carried into the next
    # publish record as ``restored_from``, cleared by that publish or a discard.
    pending_restored_from = models.UUIDField(null=True, blank=True)
    pending_restored_mode = models.CharField(max_length=16, blank=True, default="")
    # Deleting an agent archives it: it disappears from the API, the pages and the live read,
    # while its publish records - an append-only audit trail - stay for the auditors.
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = user_reference()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        staging = getattr(self, "staging", None)
        return staging.name if staging is not None else f"Agent {self.pk}"

    def production_or_none(self) -> Any:
        """Production (``publishing.models.ProductionConfiguration``, which declares the
        ``production`` relation), or None before the first publish."""
        try:
            return self.production
        except ObjectDoesNotExist:
            return None


class AccessLevel(models.TextChoices):
    PRIVATE = "private", "Private"
    PROJECT = "project", "Project"
    ORGANIZATION = "organization", "Organization"
    PUBLIC = "public", "Public"


class StagingConfiguration(models.Model):
    """The settings part of an agent's Staging configuration.

    ``revision`` goes up by one on every staging edit, so each historical row of this model
    is one checkpoint of the edit history, whichever part of the configuration changed.
    """

    agent = models.OneToOneField(
        Agent, on_delete=models.CASCADE, primary_key=True, related_name="staging"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True, default="")
    model_config = models.JSONField(default=dict, blank=True)
    access_level = models.CharField(
        max_length=16, choices=AccessLevel.choices, default=AccessLevel.PRIVATE
    )
    tags = models.JSONField(default=list, blank=True)
    sharepoint_site_url = models.URLField(max_length=500, blank=True, default="")
    sharepoint_folder_path = models.CharField(max_length=500, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)
    # The revision at which a settings field last changed: the settings row's own version
    # (``revision`` moves on every edit, whatever it touched).
    settings_version = models.PositiveIntegerField(default=1)
    # Fingerprint of the whole Staging configuration (configuration.snapshot.fingerprint), kept
    # up to date by every edit, so "has unpublished changes" is a comparison with
    # ProductionConfiguration.fingerprint - no snapshot needed on lists and status reads.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = user_reference()
    # Kept beside the key, so the last editor is still named after their user is deleted.
    updated_by_username = models.CharField(max_length=USERNAME_MAX_LENGTH, blank=True, default="")
    history = HistoricalRecords(bases=[StagingHistoryBase])

    class Meta:
        verbose_name = "staging configuration"

    def __str__(self) -> str:
        return f"{self.name} (staging)"


class Instruction(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="instructions")
    title = models.CharField(max_length=INSTRUCTION_TITLE_MAX_LENGTH)
    content = models.TextField(max_length=INSTRUCTION_CONTENT_MAX_LENGTH)
    position = models.PositiveIntegerField(default=0)
    # The Staging revision of this row's last change (see ``AgentCatalogueItem.version``).
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(bases=[StagingHistoryBase])

    class Meta:
        ordering = ["agent_id", "position", "id"]
        indexes = [models.Index(fields=["agent", "position"], name="instruction_agent_pos")]

    def __str__(self) -> str:
        return self.title


class AgentCatalogueItem(models.Model):
    """One catalogue item's state in one agent's Staging: on or off (and, per kind, its
    settings). ``ITEM`` names the kind, which is also the name of its catalogue key."""

    ITEM: str
    enabled = models.BooleanField(default=True)
    # The Staging revision of this row's last change: an item's version, which an editor
    # sends back as the state they saw (any revision is a base for the three-way merge).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.agent_id} -> {self.ITEM} {getattr(self, f'{self.ITEM}_id')}"


def catalogue_item(
    item: str, catalogue: type[models.Model], agent_rows: str, catalogue_rows: str
) -> type[AgentCatalogueItem]:
    """The abstract base of one kind of catalogue item state, alike for every kind.

    Its agent (``agent.<agent_rows>``) and its catalogue object, called ``item``, which
    cannot be deleted while an agent points at it (``<item>.<catalogue_rows>``). An agent
    holds each catalogue object at most once; rows list by agent, then catalogue object.
    A base per kind, not one for all, because the links' names differ from kind to kind.
    """

    class Meta:
        abstract = True
        ordering = ["agent_id", f"{item}_id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", item], name=f"unique_{item}_per_agent")
        ]

    attributes = {
        "__module__": __name__,
        "ITEM": item,
        "agent": models.ForeignKey(Agent, on_delete=models.CASCADE, related_name=agent_rows),
        item: models.ForeignKey(catalogue, on_delete=models.PROTECT, related_name=catalogue_rows),
        "Meta": Meta,
    }
    return type(f"{catalogue.__name__}CatalogueItem", (AgentCatalogueItem,), attributes)


class CorpusConnection(catalogue_item("corpus", Corpus, "corpus_connections", "connections")):
    settings = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords(bases=[StagingHistoryBase])


class ToolBinding(catalogue_item("tool", Tool, "tool_bindings", "bindings")):
    history = HistoricalRecords(bases=[StagingHistoryBase])


class ActionSetting(catalogue_item("action", ToolAction, "action_settings", "settings")):
    """An agent's state for one action of a tool it has bound: enabled, and its config."""

    config = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords(bases=[StagingHistoryBase])


class GuardrailSetting(catalogue_item("guardrail", Guardrail, "guardrail_settings", "settings")):
    settings = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords(bases=[StagingHistoryBase])


class AgentPermission(models.Model):
    """A user's role on one agent. Each role includes the ones before it."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        EDITOR = "editor", "Editor"
        PUBLISHER = "publisher", "Publisher"
        OWNER = "owner", "Owner"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="permissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_permissions"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_by = user_reference()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agent_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "user"], name="unique_permission_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of agent {self.agent_id}"
