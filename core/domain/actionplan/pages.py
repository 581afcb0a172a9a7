"""« Plan d'action »: the plan covering a year, its orientations, objectives and actions
with the status each one got that year, recorded in one form (a status and a comment
per line), and the year's printable evaluation. Through named operations
(graphql/operations/ActionPlan.graphql)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.pages import FormErrors, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.domain.actionplan.service import MANAGE, READ

TEMPLATES = Path(__file__).with_name("templates")
# An API error on the n-th status sent (« statuses.3.comment ») names that line's field.
LINE_FIELD = re.compile(r"^statuses\.(\d+)\.(status|comment)$")


def _lines(orientations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's tree as lines, in the plan's order, each with its depth."""
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]], depth: int) -> None:
        for item in items:
            found.append({**item, "depth": depth})
            walk(item.get("children") or [], depth + 1)

    walk(orientations, 0)
    return found


def _year(view: PageView) -> int:
    raw = view.value("annee")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else dt.date.today().year


async def action_plan(view: PageView) -> Response:
    year = _year(view)
    answer = await view.run("ActionPlanYear", year=year)
    data = answer.data or {}
    plan = data.get("actionPlanForYear")
    lines = _lines(plan["orientations"]) if plan else []
    errors = FormErrors()
    given = {
        line["id"]: {
            "status": ((line.get("status") or {}).get("status") or {}).get("value", ""),
            "comment": (line.get("status") or {}).get("comment", ""),
        }
        for line in lines
    }
    if plan and view.request.method == "POST" and view.can(MANAGE):
        given = {
            line["id"]: {
                "status": view.value(f"status-{index}"),
                "comment": view.value(f"comment-{index}"),
            }
            for index, line in enumerate(lines)
        }
        sent = [(i, line) for i, line in enumerate(lines) if given[line["id"]]["status"]]
        cleared = [
            line["id"] for line in lines if line.get("status") and not given[line["id"]]["status"]
        ]
        saved = await view.run(
            "RecordActionPlanYear",
            periodId=plan["id"],
            input={
                "year": year,
                "statuses": [{"itemId": line["id"], **given[line["id"]]} for _, line in sent],
                "clearItemIds": cleared,
            },
        )
        errors = FormErrors.of(saved, form_fields=())  # refused variables, roles
        for error in ((saved.data or {}).get("recordActionPlanYear") or {}).get("errors") or []:
            message = str(error.get("message") or "").strip()
            message = message[:1].upper() + message[1:]
            where = LINE_FIELD.match(error.get("field") or "")
            index = sent[int(where.group(1))][0] if where else None
            errors.add(f"{where.group(2)}-{index}" if where else None, message)
        if not errors:
            return view.redirect("/plan-action", annee=str(year), ok="recorded")
    return view.render(
        "actionplan/year.html",
        status_code=400 if errors else 200,
        title=f"Plan d'action — {year}",
        year=year,
        plan=plan,
        lines=lines,
        statuses=data.get("actionPlanStatuses") or [],
        given=given,
        errors=errors,
        can_manage=view.can(MANAGE),
        notice="Le bilan de l'année est enregistré."
        if view.request.query_params.get("ok")
        else None,
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/plan-action",
                action_plan,
                methods=("GET", "POST"),
                action=READ,
                operations=("ActionPlanYear", "RecordActionPlanYear"),
            )
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [NavEntry("Plan d'action", "/plan-action", action=READ, order=80)]
