"""Pages of the review workflow: the publish policy, the review requests, and the POSTs of
the review page's forms (request a review, give or withdraw a verdict, withdraw a request).

The review page itself, with its "Publish policy" card, is ``publishing.views.review``:
``reviews`` never imports ``publishing``, so it names that page by its URL only. A refused
review step is an error message on the review page, never an error page: the reviewer is
looking at the very state the message is about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from configuration.snapshot import combine_fingerprints
from ejento_staging.exceptions import DomainError
from ejento_staging.pages import agent_context, page, paginate
from reviews import selectors, services
from reviews.exceptions import StaleState
from reviews.forms import PolicyForm, ReviewRequestForm, VerdictForm
from reviews.models import ReviewRequest, Verdict
from reviews.presenters import describe_policy, policy_change_in_words

POLICY_CHANGES_PER_PAGE = 20
REQUESTS_PER_PAGE = 20

STALE = {
    "request": "Review not requested: Staging or Production changed since you loaded the page. "
    "Look at the changes below, then ask again.",
    "verdict": "Your verdict was not recorded: Staging or Production changed since you "
    "loaded the page, so it would have spoken for a state you did not see. Review the "
    "changes below, then try again.",
}


def review_url(agent_id: Any) -> str:
    return reverse("publishing:review", args=[agent_id])


def _back_to_review(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return review_url(kwargs["agent_id"])


def _attempt(
    request: HttpRequest, call: Callable[[], Any], *, refused: str, stale: str
) -> Any | None:
    """Run a review step; whatever refuses it becomes an error message (None returned)."""
    try:
        return call()
    except StaleState:
        messages.error(request, stale)
    except DomainError as exc:
        messages.error(request, f"{refused}: {exc.detail}")
    except PermissionDenied as exc:
        messages.error(request, f"{refused}: {exc}" if str(exc) else refused + ".")
    except ValidationError as exc:
        messages.error(request, f"{refused}: {' '.join(exc.messages)}")
    return None


def _form_refused(request: HttpRequest, form: Any, refused: str) -> None:
    errors = [error for errors in form.errors.values() for error in errors]
    messages.error(request, f"{refused}: {' '.join(errors)}")


def _form_step(
    request: HttpRequest,
    agent: Agent,
    form: Any,
    service: Callable[..., Any],
    *,
    refused: str,
    stale: str,
    done: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """A review step sent by one of the review page's forms, whose fields are the service's
    arguments (the fingerprint sent back is the state the user saw, ``expected_fingerprint``).
    A malformed form, or a refusal, is an error message; the step done, ``done(cleaned_data)``
    is the success message. Either way, back to the review page."""
    if not form.is_valid():
        _form_refused(request, form, refused)
        return redirect(review_url(agent.pk))
    values = dict(form.cleaned_data)
    expected = values.pop("fingerprint")
    step = _attempt(
        request,
        lambda: service(
            agent=agent, acting_user=request.user, expected_fingerprint=expected, **values
        ),
        refused=refused,
        stale=stale,
    )
    if step is not None:
        messages.success(request, done(form.cleaned_data))
    return redirect(review_url(agent.pk))


# --- the review page's forms -----------------------------------------------------------------


@page(back=_back_to_review)
@require_POST
def request_review(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
    return _form_step(
        request,
        agent,
        ReviewRequestForm(request.POST),
        services.request_review,
        refused="Review not requested",
        stale=STALE["request"],
        done=lambda _data: (
            "Review requested: the agent's publishers see it on this page and the list."
        ),
    )


@page(back=_back_to_review)
@require_POST
def withdraw_request(request: HttpRequest, agent_id: int, request_id: int) -> HttpResponse:
    agent, _role = get_agent_for(request.user, agent_id, Role.EDITOR)
    review_request = ReviewRequest.objects.get(agent_id=agent.pk, pk=request_id)
    # The agent already loaded carries the role just checked: the service reuses it.
    review_request.agent = agent
    done = _attempt(
        request,
        lambda: services.withdraw_review_request(request=review_request, acting_user=request.user),
        refused="Review request not withdrawn",
        stale=STALE["request"],
    )
    if done is not None:
        messages.success(request, "Review request withdrawn.")
    return redirect(review_url(agent.pk))


VERDICT_DONE = {
    Verdict.Kind.APPROVED: "Approved: your approval counts for Staging exactly as it is now.",
    Verdict.Kind.CHANGES_REQUESTED: "Changes requested: your comment is on the review page.",
    Verdict.Kind.WITHDRAWN: "Your verdict is withdrawn.",
}


@page(back=_back_to_review)
@require_POST
def give_verdict(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, _role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    return _form_step(
        request,
        agent,
        VerdictForm(request.POST),
        services.give_verdict,
        refused="Your verdict was not recorded",
        stale=STALE["verdict"],
        done=lambda data: VERDICT_DONE[data["verdict"]],
    )


# --- the publish policy ----------------------------------------------------------------------


def _policy_page(
    request: HttpRequest,
    agent: Agent,
    role: Role,
    *,
    form: PolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = selectors.policy_for(agent)
    page_obj = paginate(request, selectors.policy_changes(agent), POLICY_CHANGES_PER_PAGE)
    context = agent_context(agent, role, tab="policy", environment="review")
    context.update(
        {
            "policy": current,
            "policy_text": describe_policy(current),
            "can_change_policy": role >= Role.OWNER,
            "form": form or PolicyForm.for_policy(current),
            "page_obj": page_obj,
            "changes": [
                {"change": change, "fields": policy_change_in_words(change.before, change.after)}
                for change in page_obj
            ],
        }
    )
    return render(request, "reviews/policy.html", context, status=status)


@page
@require_http_methods(["GET", "HEAD", "POST"])
def policy(request: HttpRequest, agent_id: int) -> HttpResponse:
    """GET: the policy and its history (editors and up); POST: change it (owners)."""
    required = Role.OWNER if request.method == "POST" else Role.EDITOR
    agent, role = get_agent_for(request.user, agent_id, required)
    if request.method != "POST":
        return _policy_page(request, agent, role)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            before = selectors.policy_for(agent)
            after = services.set_policy(agent=agent, acting_user=request.user, values=form.values())
        except ValidationError as exc:
            form.add_service_errors(exc)
            if "required_checks" in getattr(exc, "error_dict", {}):
                form.name_bad_checks()
        else:
            if after == before:
                messages.info(request, "Nothing changed: the policy already said that.")
            else:
                messages.success(request, f"Publish policy saved. {describe_policy(after)}")
            return redirect("reviews:policy", agent_id=agent.pk)
    return _policy_page(request, agent, role, form=form, status=400)


# --- review requests -------------------------------------------------------------------------


@page
@require_GET
def review_requests(request: HttpRequest, agent_id: int) -> HttpResponse:
    """The agent's review requests, the open one first, each with the verdicts it got."""
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    # The fingerprints both rows keep, as the staging-diff combines them: telling a stale
    # request from a current one needs no snapshot.
    production = agent.production_or_none()
    current = combine_fingerprints(
        production.fingerprint if production else None, agent.staging.fingerprint
    )
    rows = selectors.review_requests(agent).prefetch_related("verdicts")
    open_request = next((r for r in rows.filter(status=ReviewRequest.Status.OPEN)[:1]), None)
    page_obj = paginate(request, rows.exclude(status=ReviewRequest.Status.OPEN), REQUESTS_PER_PAGE)
    context = agent_context(agent, role, tab="reviews", environment="review")
    context.update(
        {
            "current_fingerprint": current,
            "open_request": open_request,
            "can_withdraw": open_request is not None
            and (role >= Role.PUBLISHER or open_request.requested_by_id == request.user.pk),
            "page_obj": page_obj,
        }
    )
    return render(request, "reviews/requests.html", context)
