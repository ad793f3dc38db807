"""The reviews API under ``/api/v2/`` (see ``reviews.api``).

Ids are matched as plain path segments and read by the views, so a malformed one gets the
API's JSON 404 rather than the site's HTML page.
"""

from ejento_staging.routes import routes_under
from reviews.api import checks, policy, readiness, review_requests, verdicts

AGENT = "agents/<str:agent_id>"
REQUEST = "review-requests/<str:request_id>"

# (path under AGENT, view class, name), in the order Django tries them.
ENDPOINTS = [
    ("publish-policy", policy.PublishPolicyView, "api-publish-policy"),
    ("publish-policy/changes", policy.PolicyChangeListView, "api-publish-policy-changes"),
    ("readiness", readiness.ReadinessView, "api-readiness"),
    ("review-requests", review_requests.ReviewRequestListView, "api-review-requests"),
    (REQUEST, review_requests.ReviewRequestDetailView, "api-review-request"),
    (
        f"{REQUEST}/withdraw",
        review_requests.ReviewRequestWithdrawView,
        "api-review-request-withdraw",
    ),
    ("verdicts", verdicts.VerdictListView, "api-verdicts"),
    ("checks", checks.CheckListView, "api-checks"),
]

urlpatterns = routes_under(AGENT, ENDPOINTS)
