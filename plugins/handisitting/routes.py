"""``/plugins/handisitting/documents/<id>``: a sitter's document, unsealed for a person
holding ``handisitting.manage`` in the pole that owns it (decision 136).

The engine's gate has already resolved the pole (and refused a pole that did not
enable the plugin); the pole's session finds only its own rows, so another pole's
document answers 404 like one that never existed. Each download is audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import sdk
from plugins.handisitting import checks, sitters
from plugins.handisitting.access import MANAGE
from plugins.handisitting.models import Document


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


ROUTES = [Route("/documents/{id}", download, methods=["GET"])]
