"""``/q/<token>``: the questionnaire form a family or a structure opens from its link,
in French, with no account.

GET shows the one questionnaire version the link names; POST answers it, once. The
link's token is the only credential and it reaches nothing else. A cross-site form
cannot post for someone (it would need the token, a 256-bit secret in the URL), and
posts from another site are refused anyway (core.app.cross_site); the page sends its
address as referrer to itself only, so the token never leaks to another site. Unknown,
expired, used or tampered links all get the same page. On any refusal the form comes
back with what the person gave: nothing typed is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.app.auth_pages import page
from core.app.auth_routes import status_of
from core.app.authn import client_address
from core.app.cross_site import refuse_other_sites
from core.domain.questionnaires import links
from core.domain.questionnaires.answers import field_of
from core.domain.questionnaires.models import QuestionnaireItem
from core.domain.questionnaires.vocabulary import SCALE, YES_NO
from core.errors import ConflictError, MaillageError
from core.tenancy.database import Database

_EXTRA_STYLE = (
    "<style>fieldset{border:1px solid #ddd;margin-top:1.2rem;padding:.6rem 1rem}"
    "legend{font-weight:700}.q{margin:1rem 0}.q>p{font-weight:600;margin:.2rem 0}"
    ".q label{display:block;font-weight:400;margin:.2rem 0}.q input{width:auto;margin-right:.4rem}"
    "textarea{width:100%;min-height:5rem;box-sizing:border-box;font:inherit}</style>"
)
INVALID_STATUS = 409
log = logging.getLogger("maillage.questionnaires")


def _invalid() -> Response:
    return page(
        "Questionnaire",
        f"<p>{escape(links.refused().message)}.</p>"
        "<p>Si vous pensez qu'il s'agit d'une erreur, contactez le pôle qui vous l'a envoyé.</p>",
        INVALID_STATUS,
    )


def _item_html(item: QuestionnaireItem, given: Sequence[str], error: str | None) -> str:
    name = escape(item.key)
    star = " *" if item.required else ""
    if item.kind == "scale":
        options = [(str(n), f"{n} — {label}") for n, label in SCALE.items()]
    elif item.kind == "yes_no":
        options = [("yes", YES_NO[1]), ("no", YES_NO[0])]
    else:
        options = [(str(v), str(label)) for v, label in item.choices]
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    if item.kind == "text":
        value = escape(given[0]) if given else ""
        control = (
            f'<label for="{name}" style="font-weight:600">{escape(item.label)}{star}</label>'
            f'<textarea id="{name}" name="{name}" maxlength="5000">{value}</textarea>'
        )
        return f'<div class="q">{alert}{control}</div>'
    kind = "checkbox" if item.kind == "multiple_choice" else "radio"
    choices = "".join(
        f'<label><input type="{kind}" name="{name}" value="{escape(value)}"'
        f"{' checked' if value in given else ''}>{escape(label)}</label>"
        for value, label in options
    )
    return f'<div class="q" role="group"><p>{escape(item.label)}{star}</p>{alert}{choices}</div>'


def _form(
    token: str,
    form: links.LinkForm,
    given: Mapping[str, Sequence[str]] | None = None,
    error: MaillageError | None = None,
    status: int = 200,
) -> Response:
    given = given or {}
    body = [_EXTRA_STYLE, f"<p>{escape(form.pole_name)}</p>"]
    if form.intro:
        body.append(f"<p>{escape(form.intro)}</p>")
    shown_by_item = {field_of(item.key) for _, items in form.sections for item in items}
    items_field = error is not None and error.field in shown_by_item
    if error is not None:
        summary = (
            "Certaines réponses sont à compléter : voir ci-dessous."
            if items_field
            else f"{error.message.rstrip('.')}. Vos réponses sont conservées ci-dessous."
        )
        body.append(f'<p class="error" role="alert">{escape(summary)}</p>')
    body.append(f'<form method="post" action="/q/{escape(token)}">')
    for section, items in form.sections:
        body.append(f"<fieldset><legend>{escape(section.title)}</legend>")
        for item in items:
            message = error.message if error and error.field == field_of(item.key) else None
            body.append(_item_html(item, given.get(item.key, ()), message))
        body.append("</fieldset>")
    body.append(
        "<button type=submit>Envoyer mes réponses</button></form>"
        '<p class="note">Les questions marquées d\'un astérisque sont obligatoires. '
        "Ce lien ne sert qu'une fois.</p>"
    )
    return page(form.title, "".join(body), status)


async def show(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        form = await links.open_link(request.app.state.db, token)
    except ConflictError:
        return _invalid()
    return _form(token, form)


async def answer(request: Request) -> Response:
    token = request.path_params["token"]
    async with request.form() as data:
        given: dict[str, list[str]] = {}
        for key, value in data.multi_items():
            if isinstance(value, str):
                given.setdefault(key, []).append(value)
    db = request.app.state.db
    try:
        refuse_other_sites(request)
        await links.answer_link(db, token, given, client_address=client_address(request))
    except ConflictError as exc:
        if exc.field == "token":
            return _invalid()
        return await _again(db, token, given, exc)
    except MaillageError as exc:
        return await _again(db, token, given, exc)
    except Exception:
        # Ours, not theirs: say so, and give the family its answers back to send again.
        log.exception("questionnaire answer failed", extra={"event": "questionnaire_failed"})
        trouble = MaillageError("Une erreur est survenue de notre côté ; renvoyez dans un instant")
        return await _again(db, token, given, trouble)
    return page(
        "Merci !",
        "<p>Vos réponses sont enregistrées. Merci d'avoir pris le temps de répondre.</p>",
    )


async def _again(
    db: Database, token: str, given: Mapping[str, Sequence[str]], error: MaillageError
) -> Response:
    """The form again, filled with what was given, and why it was refused."""
    try:
        form = await links.open_link(db, token)
    except ConflictError:
        return _invalid()
    return _form(token, form, given, error, status_of(error))


def questionnaire_routes() -> list[BaseRoute]:
    return [
        Route("/q/{token}", show, methods=["GET"]),
        Route("/q/{token}", answer, methods=["POST"]),
    ]
