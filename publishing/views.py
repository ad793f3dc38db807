"""Pages for review and publish, the publish history and restore/revert of a publish.

(Scheduling a publish from the review page: ``publishing.schedule_views``; the edit history
and its checkpoints: ``publishing.history_views``.)

Thin like the editor's views: a role check, one selector or service call, then a page or a
redirect with a message. Every diff on these pages goes through ``publishing.presenters``
and the one ``includes/diff_table.html``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.models import Agent
from agents.permissions import Role, get_agent_for
from ejento_staging.pages import (
    NOT_LIVE_YET,
    agent_context,
    confirm_page,
    is_confirmed,
    page,
    paginate,
)
from publishing import confirmations, selectors, services
from publishing.blame_views import with_blame_links
from publishing.compare_views import history_picker, publish_choices
from publishing.exceptions import StaleReview
from publishing.forms import (
    BREAK_GLASS_AUTO_ID,
    PublishFilterForm,
    PublishForm,
    RestoreForm,
    ScheduleForm,
)
from publishing.history_views import filtered_rows
from publishing.models import ScheduledPublish
from publishing.pagination import SequencePaginator
from publishing.policy_views import policy_card
from publishing.presenters import present_contributors, present_diff
from publishing.selectors_schedules import schedules_of
from reviews.exceptions import PolicyNotMet
from reviews.presenters import present_gate
from reviews.selectors import readiness

PUBLISHES_PER_PAGE = 20


def _review_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return reverse("publishing:review", args=[kwargs["agent_id"]])


def _restore_url(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    url = reverse("publishing:restore", args=[kwargs["agent_id"], kwargs["change_track_id"]])
    mode = request.POST.get("mode")
    return f"{url}?mode={mode}" if mode in services.MODES else url


# --- review and publish ----------------------------------------------------------------------


# How many finished schedules the review page lists under the pending one.
RECENT_SCHEDULES = 5

# Why a scheduled publish did not go live, for the people who scheduled it.
FAILURE_REASONS = {
    "stale_review": "Staging or Production changed after the review, so what was reviewed "
    "no longer matched. Nothing was published; review the changes and schedule again.",
    "nothing_to_publish": "Staging was already identical to Production at that time: there "
    "was nothing to publish.",
    "permission_denied": "The person who scheduled it could no longer publish this agent "
    "(their role or account changed). Nothing was published.",
}


def scheduled_card(agent: Agent) -> dict[str, Any]:
    """The pending schedule (if any) and the last finished ones, for the review page.

    One query: only one schedule can be pending and none can be made while it is, so the
    pending one is always the newest.
    """
    schedules = list(schedules_of(agent)[: RECENT_SCHEDULES + 1])
    pending = None
    if schedules and schedules[0].status == ScheduledPublish.Status.PENDING:
        pending = schedules.pop(0)
    finished = [
        {
            "schedule": schedule,
            "reason": FAILURE_REASONS.get(schedule.failure_code, schedule.failure_detail),
        }
        for schedule in schedules[:RECENT_SCHEDULES]
    ]
    return {"pending_schedule": pending, "finished_schedules": finished}


def review_page(
    request: HttpRequest,
    agent: Agent,
    role: Role,
    *,
    review: selectors.Review | None = None,
    form: PublishForm | None = None,
    break_glass_form: PublishForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review page; a refused publish or schedule passes its form back, with errors."""
    review = review or selectors.review_staging(agent, with_authors=True)
    initial = {"fingerprint": review.fingerprint}
    context = agent_context(agent, role, tab="review", environment="review")
    context.update(
        {
            "review": review,
            "sections": with_blame_links(
                agent,
                review.staging,
                present_diff(
                    review.diff,
                    authors=review.attribution.authors if review.attribution else None,
                ),
            ),
            "contributors": review.attribution.contributors if review.attribution else (),
            "total": len(review.diff.changes),
            "publish_form": form or PublishForm(initial=initial),
            "break_glass_form": break_glass_form
            or PublishForm(initial=initial, auto_id=BREAK_GLASS_AUTO_ID),
            "schedule_form": schedule_form or ScheduleForm(initial=initial),
            "can_discard": review.production is not None and review.diff.has_changes,
            "publish_question": confirmations.publish_question(review.diff),
            "publish_detail": confirmations.publish_detail(review.production is None),
            "discard_question": confirmations.discard_question(review.diff),
            "discard_detail": confirmations.DISCARD_DETAIL,
            **scheduled_card(agent),
            **policy_card(
                agent,
                role,
                request.user,
                fingerprint=review.fingerprint,
                staging=review.staging,
                has_changes=review.diff.has_changes,
            ),
        }
    )
    return render(request, "publishing/review.html", context, status=status)


@page
@require_GET
def review(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    return review_page(request, agent, role)


def _publish_form_again(
    request: HttpRequest, agent: Agent, role: Role, form: PublishForm, *, status: int
) -> HttpResponse:
    """The review page as it is now, with the publish form that was sent kept as typed (in
    its place: the ordinary one, or the break-glass one) and the fresh fingerprint."""
    fresh = selectors.review_staging(agent, with_authors=True)
    typed = {name: form.data.get(name, "") for name in ("notes", "break_glass_reason")}
    again = PublishForm(
        initial={**typed, "fingerprint": fresh.fingerprint},
        auto_id=form.auto_id,
    )
    if form.auto_id == BREAK_GLASS_AUTO_ID:
        return review_page(
            request, agent, role, review=fresh, break_glass_form=again, status=status
        )
    return review_page(request, agent, role, review=fresh, form=again, status=status)


@page(back=_review_url)
@require_POST
def publish(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    breaking_glass = bool(request.POST.get("break_glass"))
    form = PublishForm(request.POST, auto_id=BREAK_GLASS_AUTO_ID if breaking_glass else "id_%s")
    # Breaking glass is confirmed by its own required checkbox; an ordinary publish asks here
    # unless its dialog did. Only a publish that would go ahead is confirmed: a stale review
    # or an unmet policy goes on to the service, which refuses it and says why.
    if form.is_valid() and not breaking_glass and not is_confirmed(request):
        current = selectors.review_staging(agent)
        fingerprint = form.cleaned_data["fingerprint"]
        if (
            current.diff.has_changes
            and current.fingerprint == fingerprint
            and readiness(
                agent, fingerprint=fingerprint, staging=current.staging, with_authors=False
            ).met
        ):
            return confirm_page(
                request,
                agent_context(agent, role, tab="review", environment="review"),
                question=confirmations.publish_question(current.diff),
                detail=confirmations.publish_detail(current.production is None),
                confirm_label="Publish",
                cancel_url=reverse("publishing:review", args=[agent.pk]),
                danger=False,
            )
    if form.is_valid():
        try:
            record = services.publish_agent(
                agent=agent,
                acting_user=request.user,
                notes=form.cleaned_data["notes"],
                expected_fingerprint=form.cleaned_data["fingerprint"],
                break_glass_reason=form.cleaned_data["break_glass_reason"],
            )
        except StaleReview as exc:
            # Show what Staging is now, keeping the notes the publisher wrote.
            messages.error(request, exc.detail)
            return _publish_form_again(request, agent, role, form, status=409)
        except PolicyNotMet as exc:
            blockers = exc.extra.get("blockers") or [exc.detail]
            messages.error(
                request,
                "Not published: the publish policy is not met. " + " ".join(blockers),
            )
            return _publish_form_again(request, agent, role, form, status=409)
        except PermissionDenied as exc:
            # A publisher breaking glass: only owners may, so say so where they stand.
            messages.error(request, f"Not published: {exc}")
            return _publish_form_again(request, agent, role, form, status=403)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            glass = " without meeting the publish policy (break glass)"
            glass = glass if record.broke_glass else ""
            messages.success(
                request,
                f"Published to Production as #{record.sequence}{glass}: {record.summary}.",
            )
            return redirect(
                "publishing:publish-detail",
                agent_id=agent.pk,
                change_track_id=record.change_track_id,
            )
    if breaking_glass:
        return review_page(request, agent, role, break_glass_form=form, status=400)
    return review_page(request, agent, role, form=form, status=400)


@page(back=_review_url)
@require_POST
def discard(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.PUBLISHER)
    if not is_confirmed(request):
        current = selectors.review_staging(agent)
        # Nothing to discard goes on to the service, which says why.
        if current.production is not None and current.diff.has_changes:
            return confirm_page(
                request,
                agent_context(agent, role, tab="review", environment="review"),
                question=confirmations.discard_question(current.diff),
                detail=confirmations.DISCARD_DETAIL,
                confirm_label="Discard",
                cancel_url=reverse("publishing:review", args=[agent.pk]),
            )
    services.discard_staging(agent=agent, acting_user=request.user)
    messages.success(request, "Unpublished changes discarded: Staging matches Production again.")
    return redirect("publishing:review", agent_id=agent.pk)


# --- publish history -------------------------------------------------------------------------


@page
@require_GET
def publishes(request: HttpRequest, agent_id: int) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    form = PublishFilterForm(request.GET, publishers=selectors.publishers(agent))
    records, status = filtered_rows(
        form, lambda **filters: selectors.publish_records(agent=agent, **filters)
    )
    unfiltered = form.is_valid() and all(value is None for value in form.filters().values())
    paginator = SequencePaginator if unfiltered else Paginator
    context = agent_context(agent, role, tab="publishes", environment="production")
    page_obj = paginate(request, records, PUBLISHES_PER_PAGE, paginator)
    context.update(
        {
            "filter_form": form,
            "filtered": form.filtered,
            "page_obj": page_obj,
            "live_id": agent.production.change_track_id if context["published"] else None,
            **history_picker(context["published"], publish_choices(page_obj)),
        }
    )
    return render(request, "publishing/publishes.html", context, status=status)


@page
@require_GET
def publish_detail(request: HttpRequest, agent_id: int, change_track_id: Any) -> HttpResponse:
    agent, role = get_agent_for(request.user, agent_id, Role.EDITOR)
    record = selectors.get_publish_record(agent=agent, change_track_id=change_track_id)
    context = agent_context(agent, role, tab="publishes", environment="production")
    context.update(
        {
            "record": record,
            "gate": present_gate(record.gate),
            "contributors": present_contributors(record.contributors),
            "sections": present_diff(record.changes),
            "is_live": context["published"]
            and agent.production.change_track_id == record.change_track_id,
        }
    )
    return render(request, "publishing/publish_detail.html", context)


# --- restore / revert a publish --------------------------------------------------------------


def _restore_page(
    request: HttpRequest,
    agent: Agent,
    role: Role,
    record: Any,
    form: RestoreForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = agent_context(agent, role, tab="publishes", environment="staging")
    context.update({"record": record, "form": form, "plan": None})
    if form.is_valid():
        plan = services.plan_rollback(agent=agent, record=record, mode=form.cleaned_data["mode"])
        context.update(
            {
                "plan": plan,
                "mode": plan.mode,
                "confirm_question": (
                    f"Undo publish #{record.sequence} in Staging?"
                    if plan.mode == services.REVERT
                    else f"Restore Staging to publish #{record.sequence}?"
                ),
                "confirm_detail": confirmations.staging_effect(plan.staging_diff),
                "staging_sections": present_diff(plan.staging_diff),
                "production_sections": present_diff(plan.production_diff),
            }
        )
    else:
        status = 400
    return render(request, "publishing/restore.html", context, status=status)


@page(back=_restore_url)
@require_http_methods(["GET", "HEAD", "POST"])
def restore(request: HttpRequest, agent_id: int, change_track_id: Any) -> HttpResponse:
    """GET: preview a restore or revert (``?mode=``); POST: do it, onto Staging only."""
    required = Role.PUBLISHER if request.method == "POST" else Role.EDITOR
    agent, role = get_agent_for(request.user, agent_id, required)
    record = selectors.get_publish_record(agent=agent, change_track_id=change_track_id)
    if request.method != "POST":
        form = RestoreForm(request.GET if "mode" in request.GET else {"mode": "restore"})
        return _restore_page(request, agent, role, record, form)
    form = RestoreForm(request.POST)
    if form.is_valid():
        try:
            plan = services.rollback_agent(
                agent=agent, acting_user=request.user, record=record, mode=form.cleaned_data["mode"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return _restore_page(request, agent, role, record, form, status=400)
        verb = "restored to" if plan.mode == services.RESTORE else "reverted the changes of"
        messages.success(request, f"Staging {verb} publish #{record.sequence}. {NOT_LIVE_YET}")
        return redirect("publishing:review", agent_id=agent.pk)
    return _restore_page(request, agent, role, record, form, status=400)
