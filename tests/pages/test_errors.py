"""The one mapping of service exceptions for every page (``ejento_staging.pages.page``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from agents.forms import SettingsForm
from agents.models import Instruction
from ejento_staging.pages import page
from publishing.exceptions import NothingToPublish

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_for(owner):
    def make():
        request = RequestFactory().get("/agents/1/")
        request.user = owner
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return request

    return make


def test_an_unknown_object_is_a_404(request_for):
    @page
    def view(request):
        raise Instruction.DoesNotExist("No such instruction on this agent.")

    with pytest.raises(Http404, match="No such instruction"):
        view(request_for())


def test_a_refused_action_is_a_message_and_a_redirect(request_for):
    @page(back=lambda request, kwargs: f"/agents/{kwargs['agent_id']}/review/")
    def view(request, agent_id):
        raise NothingToPublish()

    request = request_for()
    response = view(request, agent_id=7)
    assert response.status_code == 302 and response["Location"] == "/agents/7/review/"
    assert [str(m) for m in request._messages] == [NothingToPublish.default_detail]


def test_a_validation_error_no_form_caught_is_a_400_page_not_a_500(request_for):
    @page
    def view(request):
        raise ValidationError({"snapshot": ["The tool(s) [3] no longer exist in the catalogue."]})

    response = view(request_for())
    assert response.status_code == 400
    assert b"no longer exist in the catalogue" in response.content


def test_signed_out_requests_never_reach_the_view(rf):
    @page
    def view(request):  # pragma: no cover - must not run
        return HttpResponse("secret")

    request = rf.get("/agents/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302


def test_service_messages_land_on_the_field_they_name():
    form = SettingsForm({"settings-name": "x", "settings-model": "m"}, prefix="settings")
    assert form.is_valid()
    form.add_service_errors(
        ValidationError(
            {
                "model_config": ["temperature: Must be between 0 and 2."],
                "name": ["This field may not be blank."],
                "id": ["No such instruction on this agent."],
            }
        )
    )
    assert form.errors["temperature"] == ["Must be between 0 and 2."]
    assert form.errors["name"] == ["This field may not be blank."]
    assert form.non_field_errors() == ["No such instruction on this agent."]
