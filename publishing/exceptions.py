"""Why a publish or a rollback was refused."""

from ejento_staging.exceptions import DomainError
from reviews.exceptions import PublishRefusal


class NothingToPublish(PublishRefusal):
    """Staging equals Production: a publish would change nothing."""

    code = "nothing_to_publish"
    default_detail = "Staging is identical to Production; there is nothing to publish."
    has_changes = False


class StaleReview(PublishRefusal):
    """Staging (or Production) moved since the diff the publisher reviewed."""

    code = "stale_review"
    default_detail = (
        "Staging changed since you reviewed it. Review the new changes, then publish again."
    )
    has_changes = True


class RevertConflict(DomainError):
    """A field the reverted publish changed has been changed again since."""

    code = "conflict"
    default_detail = (
        "Some of what this publish changed has been changed again since; nothing was reverted."
    )


class DefinitionChanged(RevertConflict):
    """What would be restored holds a catalogue definition that differs from the catalogue's
    today. Staging cannot hold a definition of its own, so nothing is written; the
    ``conflicts`` name each component (an organization admin can change it in the catalogue).
    """

    code = "definition_changed"
    default_detail = (
        "A shared component is defined differently in the catalogue today than in what you "
        "are restoring; nothing was restored."
    )


class NothingToDiscard(DomainError):
    code = "nothing_to_discard"
    default_detail = "Staging is identical to Production; there is nothing to discard."


class ScheduleExists(DomainError):
    """The agent already has a pending scheduled publish."""

    code = "schedule_exists"
    default_detail = (
        "This agent already has a scheduled publish. Cancel it before scheduling another."
    )


class ScheduleNotPending(DomainError):
    """The schedule already ran, failed or was cancelled."""

    code = "schedule_not_pending"
    default_detail = "This scheduled publish is no longer pending."
