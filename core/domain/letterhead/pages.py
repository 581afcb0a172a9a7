"""« En-tête des documents »: what the pole's printed documents carry (name, address,
contact line, colours, logo) and, for those who may, setting it — the logo sent as a
file with the form. Through named operations (graphql/operations/Letterhead.graphql)."""

from __future__ import annotations

import base64
from pathlib import Path

from starlette.responses import Response

from core.api.pages import FormErrors, PageView
from core.contributions import Page, PageContribution
from core.domain.letterhead.service import MANAGE, MAX_LOGO_BYTES, READ

TEMPLATES = Path(__file__).with_name("templates")
FIELDS = ("name", "address", "contact", "colour", "accentColour")


async def letterhead(view: PageView) -> Response:
    errors = FormErrors()
    given = {name: view.value(name) for name in FIELDS}
    if view.request.method == "POST" and view.can(MANAGE):
        changes: dict[str, object] = dict(given)
        upload = view.files.get("logo")
        if upload is not None:
            # The API decodes the image and says what is wrong with it (format, size).
            if upload.too_large or len(upload.data) > MAX_LOGO_BYTES:
                errors.add("logo", f"Logo trop lourd : {MAX_LOGO_BYTES // 1024} Ko au plus.")
            else:
                changes["logoBase64"] = base64.b64encode(upload.data).decode("ascii")
        changes["removeLogo"] = view.value("removeLogo") == "oui" and upload is None
        if not errors:
            answer = await view.run("SetLetterhead", input=changes)
            errors = FormErrors.of(
                answer,
                "setLetterhead",
                form_fields=(*FIELDS, "logo"),
                aliases={"logoBase64": "logo"},
            )
            if not errors:
                return view.redirect("/en-tete", ok="saved")
    answer = await view.run("LetterheadSettings")
    current = (answer.data or {}).get("letterhead") or {}
    if view.request.method == "GET":
        given = {name: str(current.get(name) or "") for name in FIELDS}
    return view.render(
        "letterhead/settings.html",
        status_code=400 if errors else 200,
        title="En-tête des documents",
        current=current,
        given=given,
        errors=errors,
        can_manage=view.can(MANAGE),
        notice="L'en-tête est enregistré." if view.request.query_params.get("ok") else None,
    )


def contribution() -> PageContribution:
    return PageContribution(
        pages=[
            Page(
                "/en-tete",
                letterhead,
                methods=("GET", "POST"),
                action=READ,
                operations=("LetterheadSettings", "SetLetterhead"),
            )
        ],
        templates=TEMPLATES,
    )
