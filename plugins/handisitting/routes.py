"""``/plugins/handisitting/documents/<id>``: a sitter's document, unsealed for a person
holding ``handisitting.manage`` in the pole that owns it (decision 136).

``/plugins/handisitting/releves/<request>.html`` and ``.pdf`` (``?annee=2026``): the
monthly hours statement of the request's family, on the platform's document pipeline
under the pole's letterhead, for a person holding ``handisitting.read`` (decision 178).

The engine's gate has already resolved the pole (and refused a pole that did not
enable the plugin); the pole's session finds only its own rows, so another pole's
document answers 404 like one that never existed. Each download is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import sdk
from plugins.handisitting import bookings, checks, sitters
from plugins.handisitting.access import MANAGE, READ
from plugins.handisitting.models import Document
from plugins.handisitting.models import Request as FamilyRequest


def _refuse(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def download(request: Request) -> Response:
    ctx: sdk.Context = request.state.context
    if not ctx.can(MANAGE):
        return _refuse(403, "FORBIDDEN", "action requise : handisitting.manage")
    try:
        document_id = uuid.UUID(request.path_params["id"])
    except ValueError:
        return _refuse(404, "NOT_FOUND", "introuvable dans ce pôle")
    async with ctx.db_session() as session:
        document = await session.scalar(select(Document).where(Document.id == document_id))
        if document is None or document.content is None:
            return _refuse(404, "NOT_FOUND", "introuvable dans ce pôle")
        data = sdk.unseal(ctx.settings.secret_key, document.content, sitters.seal_context(document))
        checks.audit(
            session,
            ctx.require(MANAGE).subject,
            "download_document",
            "sitter",
            document.sitter_id,
            ["document.file"],
        )
        await session.commit()
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    name = f"{document.kind}-{document.issued_on.isoformat()}.{extension[document.content_type]}"
    return Response(
        data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


# « janvier » … « décembre », as core's dates print them.
MONTHS = tuple(sdk.date_fr(dt.date(2000, month, 1)).split()[1] for month in range(1, 13))
TEMPLATES = sdk.DocumentTemplates(Path(__file__).parent / "templates" / "documents")


async def hours_statement(request: Request) -> Response:
    """The family's hours of the request's year: sittings done, by month and sitter."""
    ctx: sdk.Context = request.state.context
    if not ctx.can(READ):
        return _refuse(403, "FORBIDDEN", "action requise : handisitting.read")
    fmt = request.path_params["format"]
    try:
        request_id = checks.node_uuid(request.path_params["id"], "HandisittingRequest", "id")
    except sdk.NotFoundError:
        request_id = None
    if fmt not in ("html", "pdf") or request_id is None:
        return _refuse(404, "NOT_FOUND", "introuvable dans ce pôle")
    raw_year = request.query_params.get("annee", str(dt.date.today().year))
    if not raw_year.isdigit() or not 2000 <= int(raw_year) <= 2100:
        return _refuse(400, "VALIDATION", "année de 2000 à 2100 (?annee=2026)")
    year = int(raw_year)
    async with ctx.db_session() as session:
        row = await session.scalar(select(FamilyRequest).where(FamilyRequest.id == request_id))
        if row is None:
            return _refuse(404, "NOT_FOUND", "introuvable dans ce pôle")
        family = await sdk.find_family(session, row.family_id, field="id", anonymised=True)
        lines = await bookings.family_hours(session, row.family_id, year)
        letterhead = await sdk.pole_letterhead(session, ctx.require_tenant())
        checks.audit(
            session,
            ctx.require(READ).subject,
            "read_hours_statement",
            "request",
            row.id,
            ["family.name", "sittings.hours", "sitter.name"],
        )
        await session.commit()
    statement = {"family": family.name, "year": year, "lines": lines, "months": MONTHS}
    html = TEMPLATES.render(
        "hours_statement.html", letterhead=letterhead, today=dt.date.today(), **statement
    )
    return await sdk.document_response(fmt, html, f"releve-heures-{year}")  # type: ignore[no-any-return]


ROUTES = [
    Route("/documents/{id}", download, methods=["GET"]),
    Route("/releves/{id}.{format}", hours_statement, methods=["GET"]),
]
