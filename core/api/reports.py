"""``/reports/*``: printable documents, behind the same authentication and actions as
the API (a cookie session or a bearer token, a pole, the action), every read audited.

* ``/reports/reception-plans/<id>.html`` and ``.pdf`` (``?version=n`` for an older one).
* ``/reports/action-plans/<id>.html`` and ``.pdf`` with ``?year=2026``: a year's evaluation
  of the action plan (no person's data: not audited as a read).
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.access.actions import Caller
from core.api.authn import authenticate
from core.domain.actionplan import report as actionplan_report
from core.domain.plans import service as plans
from core.errors import MaillageError, NotFoundError, UnauthenticatedError, ValidationError


def _error(exc: MaillageError) -> Response:
    status = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}.get(str(exc.code), 400)
    body = {"error": {"code": str(exc.code), "message": exc.message, "field": exc.field}}
    return JSONResponse(body, status_code=status)


async def reception_plan(request: Request) -> Response:
    auth, host, db = request.app.state.auth, request.app.state.host, request.app.state.db
    principal = await authenticate(request, auth)
    try:
        if principal.actor is None or principal.refused_credential:
            raise UnauthenticatedError("authentification requise", field="credential")
        tenant = principal.tenant
        caller = Caller(principal.actor, host.actions)
        caller.require(plans.READ)
        if tenant is None:
            raise NotFoundError("aucun pôle choisi", field="tenant")
        try:
            plan_id = uuid.UUID(request.path_params["plan"])
        except ValueError:
            raise NotFoundError("projet introuvable", field="planId") from None
        raw_version = request.query_params.get("version")
        version = int(raw_version) if raw_version and raw_version.isdigit() else None
        async with db.session(tenant.id) as session:
            doc = await plans.document(session, caller, plan_id, version)
            await session.commit()
    except MaillageError as exc:
        return _error(exc)
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    if request.path_params["format"] == "pdf":
        return Response(
            plans.render_pdf(doc),
            media_type="application/pdf",
            headers={
                **headers,
                "Content-Disposition": f'inline; filename="projet-accueil-{plan_id}.pdf"',
            },
        )
    return HTMLResponse(plans.render_html(doc), headers=headers)


async def action_plan_evaluation(request: Request) -> Response:
    auth, host, db = request.app.state.auth, request.app.state.host, request.app.state.db
    principal = await authenticate(request, auth)
    try:
        if principal.actor is None or principal.refused_credential:
            raise UnauthenticatedError("authentification requise", field="credential")
        tenant = principal.tenant
        caller = Caller(principal.actor, host.actions)
        caller.require(actionplan_report.READ)
        if tenant is None:
            raise NotFoundError("aucun pôle choisi", field="tenant")
        try:
            period_id = uuid.UUID(request.path_params["period"])
        except ValueError:
            raise NotFoundError("plan introuvable", field="periodId") from None
        raw_year = request.query_params.get("year", "")
        if not raw_year.isdigit():
            raise ValidationError("l'année du bilan (?year=2026)", field="year")
        async with db.session(tenant.id) as session:
            doc = await actionplan_report.evaluation(session, caller, period_id, int(raw_year))
    except MaillageError as exc:
        return _error(exc)
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    if request.path_params["format"] == "pdf":
        return Response(
            actionplan_report.render_pdf(doc),
            media_type="application/pdf",
            headers={
                **headers,
                "Content-Disposition": f'inline; filename="bilan-{doc.year}-{period_id}.pdf"',
            },
        )
    return HTMLResponse(actionplan_report.render_html(doc), headers=headers)


def report_routes() -> list[BaseRoute]:
    return [
        Route("/reports/reception-plans/{plan}.{format}", reception_plan, methods=["GET"]),
        Route("/reports/action-plans/{period}.{format}", action_plan_evaluation, methods=["GET"]),
    ]
