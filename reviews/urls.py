"""Pages: the publish policy, the review requests, and the review page's review forms."""

from django.urls import path

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

urlpatterns = [
    path(f"agents/<id:agent_id>/{route}", view, name=name) for route, view, name in PAGES
]
