"""The reviews API under ``/api/v2/`` (see ``reviews.api``).

Ids are matched as plain path segments and read by the views, so a malformed one gets the
API's JSON 404 rather than the site's HTML page.
"""

from django.urls import path

from reviews.api import checks, policy, readiness, review_requests, verdicts

AGENT = "agents/<str:agent_id>"
REQUEST = f"{AGENT}/review-requests/<str:request_id>"

urlpatterns = [
    path(f"{AGENT}/publish-policy", policy.PublishPolicyView.as_view(), name="api-publish-policy"),
    path(
        f"{AGENT}/publish-policy/changes",
        policy.PolicyChangeListView.as_view(),
        name="api-publish-policy-changes",
    ),
    path(f"{AGENT}/readiness", readiness.ReadinessView.as_view(), name="api-readiness"),
    path(
        f"{AGENT}/review-requests",
        review_requests.ReviewRequestListView.as_view(),
        name="api-review-requests",
    ),
    path(REQUEST, review_requests.ReviewRequestDetailView.as_view(), name="api-review-request"),
    path(
        f"{REQUEST}/withdraw",
        review_requests.ReviewRequestWithdrawView.as_view(),
        name="api-review-request-withdraw",
    ),
    path(f"{AGENT}/verdicts", verdicts.VerdictListView.as_view(), name="api-verdicts"),
    path(f"{AGENT}/checks", checks.CheckListView.as_view(), name="api-checks"),
]
