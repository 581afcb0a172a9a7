"""``/reports/*``: printable documents, behind the same authentication and actions as
the API (a cookie session or a bearer token, a pole, the action), every read audited.

* ``/reports/reception-plans/<id>.html`` and ``.pdf`` (``?version=n`` for an older one);
* ``/reports/families/<id>/export.json``, ``.html`` and ``.pdf``: everything held about
  a family (subject access), for ``gdpr.manage`` only.
* ``/reports/outreach.html`` and ``.pdf`` (``?year=2026``, or ``?start=…&end=…``): the
  session and event tables of the activity report (aggregates, no names).
* ``/reports/invoices/<id>.html`` and ``.pdf``.
* ``/reports/action-plans/<id>.html`` and ``.pdf`` with ``?year=2026``: a year's evaluation
  of the action plan (no person's data: not audited as a read).
* ``/reports/activity/<year>.html``, ``.pdf``, ``.xlsx`` and ``.docx``: the annual activity
  report (``?copie=publiee``: the published copy, small counts of persons hidden).

Every HTML document is a template of its feature on the documents' pipeline
(core.api.documents), under the pole's letterhead; its PDF is that same HTML, rendered
by WeasyPrint in a worker thread (a few hundred milliseconds of CPU that must not stall
the event loop). The documents' font is served at ``/static/documents/fonts/``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from core.access.actions import Caller
from core.api import documents
from core.api.ids import try_uuid
from core.app.authn import authenticate
from core.domain.actionplan import report as actionplan_report
from core.domain.adhesions import document as invoices
from core.domain.adhesions.checks import READ as ADHESIONS_READ
from core.domain.gdpr import service as gdpr
from core.domain.letterhead.service import letterhead
from core.domain.outreach import report as outreach_report
from core.domain.outreach import service as outreach
from core.domain.plans import service as plans
from core.domain.report import document as report_document
from core.domain.report import docx as report_docx
from core.domain.report import xlsx as report_xlsx
from core.domain.report.builder import build_report
from core.domain.report.service import READ as REPORT_READ
from core.errors import MaillageError, NotFoundError, UnauthenticatedError, ValidationError
from core.tenancy.models import Tenant


def _error(exc: MaillageError) -> Response:
    status = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}.get(str(exc.code), 400)
    body = {"error": {"code": str(exc.code), "message": exc.message, "field": exc.field}}
    return JSONResponse(body, status_code=status)


HEADERS = documents.HEADERS
DOCUMENT_FORMATS = ("html", "pdf")


def _format(request: Request, allowed: tuple[str, ...] = DOCUMENT_FORMATS) -> str:
    fmt = str(request.path_params["format"])
    if fmt not in allowed:
        raise NotFoundError(f"format inconnu ({' ou '.join(allowed)})", field="format")
    return fmt


async def _document(fmt: str, html: str, filename: str) -> Response:
    """The document as its HTML page, or that same HTML as PDF."""
    return await documents.response(fmt, html, filename)  # type: ignore[no-any-return]


async def _signed_in(request: Request, action: str | None) -> tuple[Tenant, Caller]:
    """The request's pole and caller, holding ``action`` (None: the service checks) — or
    the coded error."""
    principal = await authenticate(request, request.app.state.auth)
    if principal.actor is None or principal.refused_credential:
        raise UnauthenticatedError("authentification requise", field="credential")
    caller = Caller(principal.actor, request.app.state.host.actions)
    if action is not None:
        caller.require(action)
    if principal.tenant is None:
        raise NotFoundError("aucun pôle choisi", field="tenant")
    return principal.tenant, caller


async def reception_plan(request: Request) -> Response:
    db = request.app.state.db
    try:
        # The pole's staff (families.read) or the structure's (plans.shared.read): the
        # service tells them apart.
        fmt = _format(request)
        tenant, caller = await _signed_in(request, None)
        try:
            plan_id = uuid.UUID(request.path_params["plan"])
        except ValueError:
            raise NotFoundError("projet introuvable", field="planId") from None
        raw_version = request.query_params.get("version")
        version = int(raw_version) if raw_version and raw_version.isdigit() else None
        async with db.session(tenant.id) as session:
            doc = await plans.document(session, caller, plan_id, version)
            head = await letterhead(session, tenant)
            await session.commit()
    except MaillageError as exc:
        return _error(exc)
    return await _document(fmt, plans.render_html(doc, head), f"projet-accueil-{plan_id}")


async def family_export(request: Request) -> Response:
    db, host = request.app.state.db, request.app.state.host
    try:
        fmt = _format(request, ("json", *DOCUMENT_FORMATS))
        tenant, caller = await _signed_in(request, gdpr.MANAGE)
        family_id = try_uuid(request.path_params["family"])
        if family_id is None:
            raise NotFoundError("introuvable dans ce pôle", field="familyId")
        sources = [source for _owner, source in host.contributions.personal_data]
        async with db.session(tenant.id) as session:
            export = await gdpr.export_family(session, caller, sources, family_id, pole=tenant.name)
            head = await letterhead(session, tenant)
            await session.commit()
    except MaillageError as exc:
        return _error(exc)
    name = f"donnees-famille-{family_id}"
    if fmt == "json":
        return JSONResponse(
            export.as_json(),
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}.json"'},
        )
    return await _document(fmt, gdpr.render_html(export, head), name)


def _query_date(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError("date attendue (AAAA-MM-JJ)", field=name) from None


async def outreach_tables(request: Request) -> Response:
    db = request.app.state.db
    try:
        fmt = _format(request)
        tenant, caller = await _signed_in(request, outreach.READ)
        raw_year = request.query_params.get("year")
        if raw_year is not None and not raw_year.isdigit():
            raise ValidationError("année attendue", field="year")
        start, end = outreach.period(
            int(raw_year) if raw_year else None,
            _query_date(request, "start"),
            _query_date(request, "end"),
        )
        async with db.session(tenant.id) as session:
            sessions = await outreach.session_table(session, caller, start=start, end=end)
            events = await outreach.event_table(session, caller, start=start, end=end)
            head = await letterhead(session, tenant)
    except MaillageError as exc:
        return _error(exc)
    html = outreach_report.render_html(head, sessions, events)
    return await _document(fmt, html, f"sensibilisations-{start}")


async def invoice(request: Request) -> Response:
    db = request.app.state.db
    try:
        fmt = _format(request)
        tenant, caller = await _signed_in(request, ADHESIONS_READ)
        try:
            invoice_id = uuid.UUID(request.path_params["invoice"])
        except ValueError:
            raise NotFoundError("facture introuvable", field="invoiceId") from None
        async with db.session(tenant.id) as session:
            doc = await invoices.document(session, caller, tenant, invoice_id)
            head = await letterhead(session, tenant)
            await session.commit()
    except MaillageError as exc:
        return _error(exc)
    name = doc.invoice.number or f"brouillon-{invoice_id}"
    return await _document(fmt, invoices.render_html(doc, head), f"facture-{name}")


async def action_plan_evaluation(request: Request) -> Response:
    db = request.app.state.db
    try:
        fmt = _format(request)
        tenant, caller = await _signed_in(request, actionplan_report.READ)
        try:
            period_id = uuid.UUID(request.path_params["period"])
        except ValueError:
            raise NotFoundError("plan introuvable", field="periodId") from None
        raw_year = request.query_params.get("year", "")
        if not raw_year.isdigit():
            raise ValidationError("l'année du bilan (?year=2026)", field="year")
        async with db.session(tenant.id) as session:
            doc = await actionplan_report.evaluation(session, caller, period_id, int(raw_year))
            head = await letterhead(session, tenant)
    except MaillageError as exc:
        return _error(exc)
    html = actionplan_report.render_html(doc, head)
    return await _document(fmt, html, f"bilan-{doc.year}-{period_id}")


REPORT_FORMATS = ("html", "pdf", "xlsx", "docx")
OFFICE = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


async def activity_report(request: Request) -> Response:
    db, host = request.app.state.db, request.app.state.host
    try:
        fmt = _format(request, REPORT_FORMATS)
        tenant, caller = await _signed_in(request, REPORT_READ)
        raw_year = str(request.path_params["year"])
        if not raw_year.isdigit():
            raise ValidationError("l'année du rapport (/reports/activity/2025.pdf)", field="year")
        publish = request.query_params.get("copie") == "publiee"
        async with db.session(tenant.id) as session:
            report = await build_report(
                host, session, caller, tenant, int(raw_year), publish=publish
            )
    except MaillageError as exc:
        return _error(exc)
    name = f"rapport-activite-{report.year}" + ("-publie" if publish else "")
    if fmt in OFFICE:
        render = report_xlsx.render_xlsx if fmt == "xlsx" else report_docx.render_docx
        content = await run_in_threadpool(render, report)
        disposition = f'attachment; filename="{name}.{fmt}"'
        return Response(
            content,
            media_type=OFFICE[fmt],
            headers={**HEADERS, "Content-Disposition": disposition},
        )
    return await _document(fmt, report_document.render_html(report), name)


def report_routes() -> list[BaseRoute]:
    return [
        Route("/reports/reception-plans/{plan}.{format}", reception_plan, methods=["GET"]),
        Route("/reports/families/{family}/export.{format}", family_export, methods=["GET"]),
        Route("/reports/outreach.{format}", outreach_tables, methods=["GET"]),
        Route("/reports/invoices/{invoice}.{format}", invoice, methods=["GET"]),
        Route("/reports/action-plans/{period}.{format}", action_plan_evaluation, methods=["GET"]),
        Route("/reports/activity/{year}.{format}", activity_report, methods=["GET"]),
        # The documents' font, for the screen and the browser's print (no CDN).
        Mount(
            documents.FONT_URL_PREFIX.rstrip("/"),
            StaticFiles(directory=documents.FONTS_DIR),
            name="document-fonts",
        ),
    ]
