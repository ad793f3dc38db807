"""Pages for webhook endpoints: the list and new-endpoint form, one endpoint (edit, rotate its
secret, test, delete, its delivery log), one delivery with its attempts, redelivery.

Thin: a selector reads what the user manages (anything else is a 404, as if it never
existed), a form parses the input, a ``webhooks.services`` call writes and checks the right
again. A signing secret is shown once, in the answer to the POST that made it: never in a
message, the session, a URL or a log; like every page a signed-in user gets, that answer
is marked ``no-store`` (``ejento_staging.middleware``).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.permissions import admin_organization_ids
from ejento_staging.pages import page, paginate
from webhooks import selectors, services
from webhooks.forms import (
    ConfirmForm,
    DeliveryFilterForm,
    EditEndpointForm,
    NewEndpointForm,
)
from webhooks.models import Delivery, Endpoint

DELIVERIES_PER_PAGE = 25
ROTATE_LABEL = "I understand: receivers need the new secret"
# Deliveries that have settled, so sending them again is a choice (not a race with a worker).
REDELIVERABLE = (Delivery.Status.FAILED, Delivery.Status.SUCCEEDED)


def _list_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("webhooks:list")


def _endpoint_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("webhooks:endpoint", args=[kwargs["endpoint_id"]])


def _delivery_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("webhooks:delivery", args=[kwargs["endpoint_id"], kwargs["delivery_id"]])


def _endpoint_or_404(request: HttpRequest, endpoint_id: Any) -> Endpoint:
    endpoint = selectors.managed_endpoint(request.user, endpoint_id)
    if endpoint is None:
        raise Http404("Webhook endpoint not found.")
    return endpoint


# --- the list and a new endpoint -------------------------------------------------------------


def _new_endpoint_form(request: HttpRequest, data: Any = None) -> NewEndpointForm:
    user = request.user
    organizations = list(selectors.endpoint_organizations(user))
    ids = [organization.pk for organization in organizations]
    admin_of = set(ids) if user.is_superuser else admin_organization_ids(user)
    return NewEndpointForm(
        data,
        prefix="new",
        organizations=organizations,
        agents=list(selectors.endpoint_scope_agents(user, ids)) if ids else [],
        admin_of=admin_of,
    )


def _list_page(request: HttpRequest, form: NewEndpointForm, *, status: int = 200) -> HttpResponse:
    context = {
        "nav": "webhooks",
        "endpoints": selectors.managed_endpoints(request.user),
        "new_form": form,
        "can_create": bool(form.fields["organization"].choices),
    }
    return render(request, "webhooks/list.html", context, status=status)


@page(back=_list_url)
@require_GET
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, _new_endpoint_form(request))


@page(back=_list_url)
@require_POST
def endpoint_create(request: HttpRequest) -> HttpResponse:
    form = _new_endpoint_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = services.create_endpoint(
                acting_user=request.user,
                organization_id=data["organization"],
                agent=data["agent"],
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            endpoint = selectors.managed_endpoint(request.user, endpoint.pk)
            return _endpoint_page(request, endpoint, secret=secret, created=True)
    return _list_page(request, form, status=400)


# --- one endpoint ----------------------------------------------------------------------------


def _endpoint_page(
    request: HttpRequest,
    endpoint: Endpoint,
    *,
    edit_form: EditEndpointForm | None = None,
    rotate_form: ConfirmForm | None = None,
    secret: str | None = None,
    created: bool = False,
    status: int = 200,
) -> HttpResponse:
    filter_form = DeliveryFilterForm(request.GET)
    chosen = None
    if filter_form.is_valid():
        chosen = filter_form.cleaned_data["status"] or None
    else:
        status = 400
    deliveries = selectors.deliveries_of(endpoint, chosen)
    if not filter_form.is_valid():
        deliveries = deliveries.none()
    edit_form = edit_form or EditEndpointForm(
        prefix="edit", initial=EditEndpointForm.initial_from(endpoint)
    )
    rotate_form = rotate_form or ConfirmForm(prefix="rotate", label=ROTATE_LABEL)
    context = {
        "nav": "webhooks",
        "endpoint": endpoint,
        "edit_form": edit_form,
        "rotate_form": rotate_form,
        "refused_forms": [edit_form, rotate_form],
        "now": timezone.now(),
        "filter_form": filter_form,
        "filtered": bool(chosen),
        "page_obj": paginate(request, deliveries, DELIVERIES_PER_PAGE),
        "redeliverable": REDELIVERABLE,
        "secret": secret,
        "created": created,
    }
    return render(request, "webhooks/endpoint.html", context, status=status)


@page(back=_list_url)
@require_GET
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return _endpoint_page(request, _endpoint_or_404(request, endpoint_id))


@page(back=_endpoint_url)
@require_POST
def endpoint_update(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    form = EditEndpointForm(request.POST, prefix="edit")
    if form.is_valid():
        try:
            services.update_endpoint(
                acting_user=request.user, endpoint=endpoint, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)
    return _endpoint_page(request, endpoint, edit_form=form, status=400)


@page(back=_endpoint_url)
@require_POST
def rotate_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    form = ConfirmForm(request.POST, prefix="rotate", label=ROTATE_LABEL)
    if not form.is_valid():
        return _endpoint_page(request, endpoint, rotate_form=form, status=400)
    secret = services.rotate_secret(acting_user=request.user, endpoint=endpoint)
    return _endpoint_page(request, endpoint, secret=secret)


@page(back=_endpoint_url)
@require_POST
def send_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    services.send_test_event(acting_user=request.user, endpoint=endpoint)
    messages.success(request, "Test event queued: it appears in the delivery log below.")
    return redirect("webhooks:endpoint", endpoint_id=endpoint.pk)


@page(back=_endpoint_url)
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """GET: what deleting means, and the button; POST: delete."""
    endpoint = _endpoint_or_404(request, endpoint_id)
    if request.method != "POST":
        context = {
            "nav": "webhooks",
            "endpoint": endpoint,
            "deliveries": selectors.deliveries_of(endpoint).count(),
        }
        return render(request, "webhooks/delete.html", context)
    services.delete_endpoint(acting_user=request.user, endpoint=endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted with its delivery log.")
    return redirect("webhooks:list")


# --- deliveries ------------------------------------------------------------------------------


def _delivery_or_404(endpoint: Endpoint, delivery_id: Any) -> Delivery:
    delivery = selectors.delivery_for(endpoint, delivery_id)
    if delivery is None:
        raise Http404("Delivery not found.")
    return delivery


@page(back=_endpoint_url)
@require_GET
def delivery_detail(request: HttpRequest, endpoint_id: int, delivery_id: Any) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    delivery = _delivery_or_404(endpoint, delivery_id)
    context = {
        "nav": "webhooks",
        "endpoint": endpoint,
        "delivery": delivery,
        "attempts": list(delivery.log.all()),
        "body": json.dumps(delivery.event.payload, indent=2, ensure_ascii=False),
        "redeliverable": REDELIVERABLE,
    }
    return render(request, "webhooks/delivery.html", context)


@page(back=_delivery_url)
@require_POST
def redeliver(request: HttpRequest, endpoint_id: int, delivery_id: Any) -> HttpResponse:
    endpoint = _endpoint_or_404(request, endpoint_id)
    delivery = _delivery_or_404(endpoint, delivery_id)
    services.redeliver(acting_user=request.user, delivery=delivery)
    messages.success(request, "Redelivery queued, with the same webhook-id.")
    return redirect("webhooks:delivery", endpoint_id=endpoint.pk, delivery_id=delivery.pk)
