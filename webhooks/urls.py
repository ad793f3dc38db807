"""Pages: webhook endpoints, their delivery logs and deliveries (the API is ``api_urls``)."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

ENDPOINT = "webhooks/<id:endpoint_id>"
DELIVERY = f"{ENDPOINT}/deliveries/<uuid:delivery_id>"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="list"),
    path("webhooks/new/", views.endpoint_create, name="create"),
    path(f"{ENDPOINT}/", views.endpoint_detail, name="endpoint"),
    path(f"{ENDPOINT}/edit/", views.endpoint_update, name="update"),
    path(f"{ENDPOINT}/rotate/", views.rotate_secret, name="rotate"),
    path(f"{ENDPOINT}/test/", views.send_test, name="test"),
    path(f"{ENDPOINT}/delete/", views.endpoint_delete, name="delete"),
    path(f"{DELIVERY}/", views.delivery_detail, name="delivery"),
    path(f"{DELIVERY}/redeliver/", views.redeliver, name="redeliver"),
]
