"""Why a read or a change of an agent was refused."""

from ejento_staging.exceptions import DomainError


class NotPublished(DomainError):
    """The agent has no Production yet."""

    status_code = 404
    code = "not_published"
    default_detail = "This agent has not been published yet."
