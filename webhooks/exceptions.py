"""Why a webhook action was refused in the current state (409, with a ``code``)."""

from ejento_staging.exceptions import DomainError


class EndpointDisabled(DomainError):
    """Nothing is sent to a disabled endpoint, not even a test or a redelivery."""

    code = "endpoint_disabled"
    default_detail = "The endpoint is disabled. Enable it before sending it anything."


class DeliveryInProgress(DomainError):
    """A worker is sending this delivery right now; redeliver once it has settled."""

    code = "delivery_in_progress"
    default_detail = "This delivery is being sent right now. Try again once it has settled."
