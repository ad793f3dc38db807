"""Pages: the publish policy, the review requests, and the review page's review forms."""

from ejento_staging.routes import routes_under
from reviews import views

app_name = "reviews"

# (path under agents/<id:agent_id>/, view, name), in the order Django tries them.
PAGES = [
    ("policy/", views.policy, "policy"),
    ("reviews/", views.review_requests, "requests"),
    ("reviews/request/", views.request_review, "request"),
    ("reviews/<id:request_id>/withdraw/", views.withdraw_request, "request-withdraw"),
    ("reviews/verdict/", views.give_verdict, "verdict"),
]

urlpatterns = routes_under("agents/<id:agent_id>", PAGES)
