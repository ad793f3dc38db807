"""Why a publish was held back by its agent's policy, or a review step was refused."""

from ejento_staging.exceptions import DomainError


class PublishRefusal(DomainError):
    """A refused publish; the answer says whether Staging still differs from Production.

    Defined here, below ``publishing``, because the publish policy refuses publishes too
    (``PolicyNotMet``) and its answers must keep the same shape as publishing's own.
    """

    has_changes: bool

    def as_dict(self):
        return {"has_changes": self.has_changes, **super().as_dict()}


class PolicyNotMet(PublishRefusal):
    """The publish policy is not met for the state being published.

    ``extra`` carries what is missing (``Readiness.refusal``).
    """

    has_changes = True


class ApprovalRequired(PolicyNotMet):
    code = "approval_required"
    default_detail = "This change needs more approvals before it can be published."


class ChecksNotPassed(PolicyNotMet):
    code = "checks_not_passed"
    default_detail = "Required checks have not passed on this change."


class StaleState(DomainError):
    """A verdict or a review request named a state of Staging that has moved on since."""

    code = "stale_review"
    default_detail = (
        "Staging changed since you reviewed it. Review the new changes, then try again."
    )


class UnknownFingerprint(DomainError):
    """A check result for a state this agent is not (and was never asked to be) reviewed in."""

    code = "unknown_fingerprint"
    default_detail = (
        "This fingerprint is neither the agent's current review state nor one it was asked to "
        "be reviewed in; post results for the fingerprint of its staging-diff."
    )


class NothingToReview(DomainError):
    code = "nothing_to_review"
    default_detail = "Staging is identical to Production; there is nothing to review."


class ReviewRequestClosed(DomainError):
    code = "review_request_closed"
    default_detail = "This review request is no longer open."
