"""« Rappels »: the whole list behind the home page's reminder cards, by pages, of the
kinds chosen, each reminder marked done or snoozed from its row. Everything through
named operations (graphql/operations/Home.graphql)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from core.api.forms import date_field
from core.api.pages import EMPTY_CONNECTION, FormErrors, Pager, PageView, global_id
from core.contributions import Page
from core.domain.casework.service import MANAGE, READ
from core.domain.casework.tasks import TASK_KINDS

NOTICES = {
    "done": "Le rappel est marqué comme traité.",
    "snoozed": "Le rappel est reporté.",
}
# A reminder snoozed from the list comes back a week later unless another day is chosen.
SNOOZE_DAYS = 7


def task_link(task: dict[str, Any]) -> str | None:
    """The page of the record a reminder is about: a task names it by its plain id,
    a page's URL carries the node id."""
    if task.get("requestId"):
        return f"/demandes/{global_id('Request', task['requestId'])}"
    if task.get("receptionPlanId"):
        return f"/projets-accueil/{global_id('ReceptionPlan', task['receptionPlanId'])}"
    if task.get("followUpId"):
        return f"/suivis/{global_id('FollowUp', task['followUpId'])}"
    return None


def _back(kinds: list[str], after: str, **extra: str) -> str:
    query = [("type", kind) for kind in kinds] + ([("apres", after)] if after else [])
    query += list(extra.items())
    return "/rappels" + (f"?{urlencode(query)}" if query else "")


async def task_list(view: PageView) -> Response:
    kinds = [kind for kind in view.values("type") if kind in TASK_KINDS]
    after = view.value("apres")
    errors = FormErrors()
    row = view.value("ligne")
    until = view.value("until")
    if view.request.method == "POST" and view.can(MANAGE):
        key = view.value("key")
        if view.value("action") == "reporter":
            field = f"until-{row}"
            day = date_field(errors, field, until, required=True)
            if not errors:
                answer = await view.run("SnoozeTask", key=key, until=day)
                errors = FormErrors.of(
                    answer, "snoozeTask", form_fields=[field], aliases={"until": field}
                )
                if not errors:
                    return view.redirect(_back(kinds, after, ok="snoozed"))
        else:
            answer = await view.run("CompleteTask", key=key)
            errors = FormErrors.of(answer, "completeTask", form_fields=[])
            if not errors:
                return view.redirect(_back(kinds, after, ok="done"))
    answer = await view.run("TaskList", kinds=kinds or None, after=after or None)
    found = (answer.data or {}).get("dueTasks") or EMPTY_CONNECTION
    if answer.errors and not errors:
        errors = FormErrors.of(answer, form_fields=[])
    later = (dt.date.today() + dt.timedelta(days=SNOOZE_DAYS)).isoformat()
    return view.render(
        "tasks/list.html",
        status_code=400 if errors else 200,
        title="Rappels",
        tasks=[{**edge["node"], "link": task_link(edge["node"])} for edge in found["edges"]],
        total=found["totalCount"],
        pages=Pager.of(view, "/rappels", found, {"type": kinds}),
        kind_options=[{"value": value, "label": label} for value, label in TASK_KINDS.items()],
        kinds=kinds,
        after=after,
        errors=errors,
        # The row whose form failed keeps the date typed there.
        given_row=row,
        given_until=until,
        later=later,
        can_manage=view.can(MANAGE),
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


PAGES = [
    Page(
        "/rappels",
        task_list,
        methods=("GET", "POST"),
        action=READ,
        operations=("TaskList", "CompleteTask", "SnoozeTask"),
    )
]
