"""URLs of the webhooks API, under ``/api/v2/`` (see ``webhooks.api``).

Ids are matched as plain path segments and read by the views, so a malformed one gets the
API's JSON 404 rather than the site's HTML page.
"""

from django.urls import path

from webhooks.api import deliveries, endpoints, event_types

ENDPOINTS = "organizations/<str:organization_id>/webhooks"
ENDPOINT = f"{ENDPOINTS}/<str:endpoint_id>"
DELIVERY = f"{ENDPOINT}/deliveries/<str:delivery_id>"

urlpatterns = [
    path("webhook-event-types", event_types.EventTypeListView.as_view(), name="api-webhook-types"),
    path(ENDPOINTS, endpoints.EndpointListView.as_view(), name="api-webhooks"),
    path(ENDPOINT, endpoints.EndpointDetailView.as_view(), name="api-webhook"),
    path(
        f"{ENDPOINT}/rotate-secret",
        endpoints.RotateSecretView.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path(f"{ENDPOINT}/test", endpoints.TestEventView.as_view(), name="api-webhook-test"),
    path(
        f"{ENDPOINT}/deliveries",
        deliveries.DeliveryListView.as_view(),
        name="api-webhook-deliveries",
    ),
    path(DELIVERY, deliveries.DeliveryDetailView.as_view(), name="api-webhook-delivery"),
    path(
        f"{DELIVERY}/redeliver",
        deliveries.RedeliverView.as_view(),
        name="api-webhook-redeliver",
    ),
]
