"""The quiz as the young people meet it: ``/p/<pole>/snu_sessions/<code>`` on a phone,
in French, without an account (``maillage_public_routes``, decision 143).

GET shows the phase open now (or when it opens); POST answers it. Every refusal shows
the form again with what was chosen, the reason at the top and next to the question
concerned. Plain HTML, no script: a cheap phone on a weak network answers too. The
pages are built for a 390 px screen first: one column, large touch targets, each
question a fieldset with its legend, radio buttons inside their labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core import sdk
from plugins.snu_sessions import quiz
from plugins.snu_sessions.models import QuizItem
from plugins.snu_sessions.pages import shown_local
from plugins.snu_sessions.vocabulary import SCALE, ItemKind, Phase

PAIRING_FIELD = "code_appariement"
WANT_CODE_FIELD = "garder_un_code"
REFUSED_STATUS = {"closed": 409, "full": 429, "duplicate": 409}


def _when(value: dt.datetime) -> str:
    # Shown in French time: the room is in France.
    return "le " + shown_local(quiz.as_utc(value).isoformat())


def _item(item: QuizItem, chosen: str, error: str | None, number: int) -> str:
    name = escape(item.key)
    if item.kind == ItemKind.KNOWLEDGE.value:
        options = [(str(i), c) for i, c in enumerate(item.choices)]
    else:
        options = [(str(v), label) for v, label in SCALE.items()]
    alert = f'<p class="error" id="{name}-erreur" role="alert">{escape(error)}</p>' if error else ""
    described = f' aria-describedby="{name}-erreur"' if error else ""
    choices = "".join(
        f'<label class="choice"><input type="radio" name="{name}" value="{escape(value)}"'
        f"{' checked' if value == chosen else ''}{' required' if i == 0 else ''}>"
        f"<span>{escape(label)}</span></label>"
        for i, (value, label) in enumerate(options)
    )
    return (
        f'<fieldset id="q-{name}"{described}><legend>{number}. {escape(item.text)}</legend>'
        f"{alert}{choices}</fieldset>"
    )


def _form(
    request: Request,
    open_quiz: quiz.OpenQuiz,
    phase: Phase,
    given: Mapping[str, str] | None = None,
    error: sdk.MaillageError | None = None,
    status: int = 200,
) -> Response:
    given = given or {}
    pole = sdk.pole_of(request)
    code = request.path_params["code"]
    body = [f"<p>{escape(pole.name)} — {escape(open_quiz.centre)}</p>"]
    if phase is Phase.BEFORE:
        body.append(
            "<p>Ce questionnaire est <strong>anonyme</strong> : on ne te demande ni ton nom "
            "ni rien qui permette de te reconnaître. Réponds comme tu le penses, il n'y a pas "
            "de piège. Tu répondras aux mêmes questions à la fin de la journée.</p>"
        )
    else:
        body.append(
            "<p>Les mêmes questions qu'au début de la journée, pour voir ce qui a changé. "
            "Toujours <strong>anonyme</strong>.</p>"
        )
    if error is not None:
        body.append(
            '<div class="error" role="alert"><p><strong>Ta réponse n\'est pas encore '
            f"envoyée.</strong> {escape(error.message.rstrip('.'))}.</p>"
            + (
                f'<p><a href="#{_anchor(error.field)}">Aller à la question</a></p>'
                if error.field and error.field != "phase"
                else ""
            )
            + "</div>"
        )
    action = f"/p/{escape(pole.slug)}/snu_sessions/{escape(code)}"
    # The server checks (French messages naming the question), not the browser.
    body.append(f'<form method="post" action="{action}" novalidate>')
    body.append(f'<input type="hidden" name="phase" value="{phase.value}">')
    for number, item in enumerate(open_quiz.items, start=1):
        message = error.message if error and error.field == quiz.item_field(item) else None
        body.append(_item(item, given.get(item.key, ""), message, number))
    if phase is Phase.BEFORE:
        checked = " checked" if given.get(WANT_CODE_FIELD) else ""
        body.append(
            f"<fieldset><legend>Relier tes deux réponses (facultatif)</legend>"
            f'<label class="choice"><input type="checkbox" name="{WANT_CODE_FIELD}" value="oui"'
            f"{checked}><span>Je veux un code au hasard, que je garderai pour le questionnaire "
            "de fin de journée.</span></label>"
            '<p class="hint">Le code ne dit rien sur toi : il sert seulement à comparer tes '
            "réponses d'avant et d'après.</p></fieldset>"
        )
    else:
        pairing_error = error.message if error and error.field == "pairingCode" else None
        body.append(
            f'<div id="q-{PAIRING_FIELD}">'
            f'<label class="field" for="{PAIRING_FIELD}">Ton code du matin (facultatif)</label>'
            '<p class="hint" id="code-aide">Si tu as noté un code ce matin, écris-le ici. '
            "Sinon, laisse vide.</p>"
            + (
                f'<p class="error" id="code-erreur" role="alert">{escape(pairing_error)}</p>'
                if pairing_error
                else ""
            )
            + f'<input type="text" id="{PAIRING_FIELD}" name="{PAIRING_FIELD}" '
            f'value="{escape(given.get(PAIRING_FIELD, ""))}" maxlength="12" '
            'autocomplete="off" autocapitalize="characters" spellcheck="false" '
            f'aria-describedby="code-aide{" code-erreur" if pairing_error else ""}"></div>'
        )
    body.append("<button type=submit>Envoyer mes réponses</button></form>")
    title = "Questionnaire du début" if phase is Phase.BEFORE else "Questionnaire de fin"
    return sdk.public_page(title, "".join(body), status)


def _anchor(field: str | None) -> str:
    if field == "pairingCode":
        return f"q-{PAIRING_FIELD}"
    return f"q-{(field or '').removeprefix('item.')}"


def _closed(request: Request, open_quiz: quiz.OpenQuiz, status: int = 200) -> Response:
    pole = sdk.pole_of(request)
    now = quiz.utcnow()
    lines = []
    for window in open_quiz.windows:
        label = Phase(window.phase).label
        if quiz.as_utc(window.closes_at) <= now:
            lines.append(f"<li>{escape(label)} : fermé depuis {_when(window.closes_at)}</li>")
        else:
            lines.append(
                f"<li>{escape(label)} : ouvre {_when(window.opens_at)}, "
                f"ferme {_when(window.closes_at)}</li>"
            )
    if open_quiz.cancelled:
        body = (
            f"<p>{escape(pole.name)} — {escape(open_quiz.centre)}</p>"
            "<p>Cette journée est annulée : le questionnaire ne prend pas de réponse.</p>"
        )
        return sdk.public_page("Questionnaire fermé", body, status)
    body = (
        f"<p>{escape(pole.name)} — {escape(open_quiz.centre)}</p>"
        "<p>Ce questionnaire n'est pas ouvert en ce moment.</p>"
        + (f"<ul>{''.join(lines)}</ul>" if lines else "")
        + "<p>Demande à la personne qui anime quand répondre.</p>"
    )
    return sdk.public_page("Questionnaire fermé", body, status)


async def _open(request: Request) -> quiz.OpenQuiz | None:
    async with sdk.pole_of(request).session() as session:
        return await quiz.open_quiz(session, request.path_params["code"], quiz.utcnow())


async def enter(request: Request) -> Response:
    """The pole's quiz entrance: type the code shown in the room."""
    pole = sdk.pole_of(request)
    typed = quiz.normal_code(request.query_params.get("code", ""))
    if typed:
        return RedirectResponse(f"/p/{pole.slug}/snu_sessions/{typed}", status_code=303)
    body = (
        f"<p>{escape(pole.name)}</p>"
        f'<form method="get" action="/p/{escape(pole.slug)}/snu_sessions/">'
        '<label class="field" for="code">Code affiché dans la salle</label>'
        '<input type="text" id="code" name="code" maxlength="12" autocomplete="off" '
        'autocapitalize="characters" spellcheck="false" required>'
        "<button type=submit>Ouvrir le questionnaire</button></form>"
    )
    return sdk.public_page("Questionnaire SNU", body)


async def show(request: Request) -> Response:
    found = await _open(request)
    if found is None:
        return sdk.public_page("Questionnaire introuvable", _UNKNOWN, 404)
    if found.phase is None:
        return _closed(request, found)
    return _form(request, found, found.phase)


_UNKNOWN = (
    "<p>Aucun questionnaire ne correspond à ce code. Vérifie le code affiché dans la salle, "
    "ou scanne à nouveau le QR code.</p>"
)


async def post(request: Request) -> Response:
    async with request.form() as data:
        given: dict[str, str] = {
            key: value for key, value in data.multi_items() if isinstance(value, str)
        }
    code = request.path_params["code"]
    pole = sdk.pole_of(request)
    try:
        sdk.refuse_other_sites(request)
        kept = await quiz.answer(
            pole,
            code,
            phase=given.get("phase", ""),
            given=given,
            pairing_code=given.get(PAIRING_FIELD, ""),
            want_code=bool(given.get(WANT_CODE_FIELD)),
        )
    except sdk.NotFoundError:
        return sdk.public_page("Questionnaire introuvable", _UNKNOWN, 404)
    except quiz.QuizRefused as exc:
        return await _refused(request, given, exc)
    except sdk.MaillageError as exc:
        return await _again(request, given, exc, 400 if exc.code == "VALIDATION" else 403)
    return _thanks(given.get("phase", ""), kept)


async def _again(
    request: Request, given: Mapping[str, str], error: sdk.MaillageError, status: int
) -> Response:
    found = await _open(request)
    if found is None:
        return sdk.public_page("Questionnaire introuvable", _UNKNOWN, 404)
    try:
        phase = Phase(given.get("phase", ""))
    except ValueError:
        phase = found.phase or Phase.BEFORE
    return _form(request, found, phase, given, error, status)


async def _refused(request: Request, given: Mapping[str, str], exc: quiz.QuizRefused) -> Response:
    status = REFUSED_STATUS[exc.reason]
    if exc.reason == "duplicate":
        return await _again(request, given, exc, status)
    found = await _open(request)
    if found is None:
        return sdk.public_page("Questionnaire introuvable", _UNKNOWN, 404)
    if exc.reason == "closed":
        return _closed(request, found, status)
    return sdk.public_page(
        "Questionnaire complet",
        "<p>Ce questionnaire a déjà reçu toutes les réponses prévues pour la salle : "
        "ta réponse n'a pas été enregistrée. Merci quand même !</p>",
        status,
    )


def _thanks(phase: str, kept: str | None) -> Response:
    body = ['<p class="ok" role="status">Tes réponses sont enregistrées. Merci !</p>']
    if kept:
        body.append(
            "<p>Ton code pour le questionnaire de fin de journée :</p>"
            f'<p class="code" aria-label="Code : {" ".join(kept)}">{escape(kept)}</p>'
            "<p>Note-le ou prends une photo de cet écran. Tu pourras aussi répondre sans.</p>"
        )
    elif phase == Phase.BEFORE.value:
        body.append("<p>Rendez-vous à la fin de la journée pour le second questionnaire.</p>")
    return sdk.public_page("Merci !", "".join(body))


def routes() -> Sequence[BaseRoute]:
    return [
        Route("/", enter, methods=["GET"]),
        Route("/{code}", show, methods=["GET"]),
        Route("/{code}", post, methods=["POST"]),
    ]
