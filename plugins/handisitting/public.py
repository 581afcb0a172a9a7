"""« Devenir intervenant·e handisitting »: the pole's public application form, at
``/p/<pole>/handisitting/candidature``, without an account (``maillage_public_routes``,
decisions 143 and 204).

A student (or someone with disability experience) applies herself: the application is
recorded through :func:`sitters.apply`, with the first vetting status (« Candidature
reçue »), by the candidate (``ONLINE_ACTOR``) and not by a staff member; staff find it
in their list of sitters. Bad input shows the form again with what was typed, the
messages at the top (each a link to its field) and next to each field; nothing is
written. Against stuffing: a honeypot field people never see, a limit of applications
per client address and hour in each pole, counted in the database, and the cross-site
guard of every form. Plain HTML, no script, a 390 px screen first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core import sdk
from plugins.handisitting import checks, sitters
from plugins.handisitting.vocabulary import Background

PATH = "candidature"
ONLINE_ACTOR = "candidat·e (formulaire en ligne)"
ONLINE_REASON = "Candidature envoyée par l'intervenant·e (formulaire en ligne)"
# A campus network shares one address among many students: a few an hour pass, a
# script posting hundreds does not.
APPLICATIONS_PER_HOUR = 10
HONEYPOT = "site_web"
TEXT_FIELDS = (
    "prenom",
    "nom",
    "courriel",
    "telephone",
    "commune",
    "distance",
    "formation",
    "precisions",
    "langues",
)
# The service names the GraphQL input's fields; the form has its own names.
FORM_FIELD = {
    "input.firstName": "prenom",
    "input.lastName": "nom",
    "input.email": "courriel",
    "input.phone": "telephone",
    "input.communeInsee": "commune",
    "input.travelKm": "distance",
    "input.background": "formation",
    "input.backgroundDetail": "precisions",
    "input.languages": "langues",
    "input.skills": "competences",
}
ORDER = (*TEXT_FIELDS, "competences", "consentement")


def address(pole: sdk.PublicPole) -> str:
    """The form's path under the pole (staff share it with the public address)."""
    return f"/p/{pole.slug}/handisitting/{PATH}"


Given = Mapping[str, str | list[str]]


def _text(given: Given, name: str) -> str:
    value = given.get(name, "")
    return value if isinstance(value, str) else ""


def _message(text: str) -> str:
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else text


def _field(
    name: str,
    label: str,
    given: Given,
    errors: Mapping[str, str],
    *,
    kind: str = "text",
    hint: str = "",
    required: bool = False,
    extra: str = "",
) -> str:
    error = errors.get(name)
    described = " ".join(
        part for part in (f"{name}-aide" if hint else "", f"{name}-erreur" if error else "") if part
    )
    mark = ' <span class="hint">(obligatoire)</span>' if required else ""
    return (
        f'<div id="champ-{name}"><label class="field" for="{name}">{escape(label)}{mark}</label>'
        + (f'<p class="hint" id="{name}-aide">{escape(hint)}</p>' if hint else "")
        + (f'<p class="error" id="{name}-erreur">{escape(error)}</p>' if error else "")
        + f'<input type="{kind}" id="{name}" name="{name}" value="{escape(_text(given, name))}"'
        + (f' aria-describedby="{described}"' if described else "")
        + (' aria-invalid="true"' if error else "")
        + (" required" if required else "")
        + f"{extra}></div>"
    )


def _summary(errors: Mapping[str, str]) -> str:
    if not errors:
        return ""
    items = "".join(
        f'<li><a href="#{name}">{escape(errors[name])}</a></li>' for name in ORDER if name in errors
    ) + "".join(
        f"<li>{escape(message)}</li>" for name, message in errors.items() if name not in ORDER
    )
    return (
        '<div class="error" role="alert" aria-labelledby="erreurs-titre" tabindex="-1">'
        '<h2 id="erreurs-titre">Votre candidature n\'est pas encore envoyée</h2>'
        f"<p>Corrigez ce qui suit :</p><ul>{items}</ul></div>"
    )


def _notice(pole: sdk.PublicPole) -> str:
    """The information the GDPR asks for, where the data is collected (art. 13)."""
    months = int(pole.settings.get("retention_months", 24))
    return (
        '<section aria-labelledby="donnees-titre"><h2 id="donnees-titre">Vos données</h2>'
        f"<p>{escape(pole.name)} enregistre ces informations pour étudier votre candidature, "
        "vous proposer un entretien puis, si vous êtes agréé·e, vous proposer des gardes "
        "d'enfants en situation de handicap près de chez vous. Seule l'équipe du pôle les "
        "lit ; une famille ne voit que votre prénom et ce qui sert à la garde.</p>"
        f"<p>Elles sont conservées tant que vous intervenez, puis {months} mois après votre "
        "dernière garde (ou, sans garde, après votre candidature), et effacées ensuite.</p>"
        "<p>Vous pouvez à tout moment demander au pôle de les consulter, les corriger, en "
        "recevoir une copie ou les effacer, et retirer votre candidature. Vous pouvez aussi "
        "saisir la CNIL (cnil.fr).</p></section>"
    )


def _form(
    pole: sdk.PublicPole,
    skills: Mapping[str, str],
    given: Given,
    errors: Mapping[str, str],
    status: int = 200,
) -> Response:
    chosen = given.get("competences", [])
    chosen = chosen if isinstance(chosen, list) else [chosen]
    background = _text(given, "formation")
    body = [
        f"<p>{escape(pole.name)} met en relation des familles d'enfants en situation de "
        "handicap et des étudiant·es (formations médicales, médico-sociales, sociales ou "
        "dans le champ du handicap) ou des personnes ayant une solide expérience du "
        "handicap, pour des gardes à domicile.</p>",
        _summary(errors),
        f'<form method="post" action="{escape(address(pole))}" novalidate>',
        "<fieldset><legend>Vous</legend>",
        _field(
            "prenom", "Prénom", given, errors, required=True, extra=' autocomplete="given-name"'
        ),
        _field("nom", "Nom", given, errors, required=True, extra=' autocomplete="family-name"'),
        _field(
            "courriel",
            "Adresse électronique",
            given,
            errors,
            kind="email",
            required=True,
            hint="Le pôle vous écrit à cette adresse ; elle sert aussi à votre compte si vous "
            "êtes agréé·e.",
            extra=' autocomplete="email"',
        ),
        _field(
            "telephone",
            "Téléphone",
            given,
            errors,
            kind="tel",
            hint="Pour vous appeler et fixer l'entretien.",
            extra=' autocomplete="tel"',
        ),
        "</fieldset><fieldset><legend>Où vous intervenez</legend>",
        _field(
            "commune",
            "Commune où vous habitez",
            given,
            errors,
            required=True,
            hint="Son nom (ou son code postal), dans le département du pôle.",
            extra=' autocomplete="address-level2"',
        ),
        _field(
            "distance",
            "Distance que vous acceptez de parcourir (km)",
            given,
            errors,
            required=True,
            hint="De 0 à 200 km.",
            extra=' inputmode="numeric"',
        ),
        "</fieldset><fieldset><legend>Votre parcours</legend>",
        _select(background, errors),
        _area("precisions", "Vos études ou votre expérience, en quelques mots", given, errors),
        _field(
            "langues",
            "Langues parlées",
            given,
            errors,
            hint="Séparées par des virgules, par exemple « français, anglais, LSF ».",
        ),
        "</fieldset>",
        _skills(skills, chosen, errors),
        _notice(pole),
        _consent(given, errors),
        # People never see this field; a script filling every field does (decision 204).
        '<div class="visually-hidden" aria-hidden="true">'
        f'<label for="{HONEYPOT}">Ne pas remplir</label>'
        f'<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" value="" tabindex="-1" '
        'autocomplete="off"></div>',
        "<button type=submit>Envoyer ma candidature</button></form>",
    ]
    return sdk.public_page("Devenir intervenant·e handisitting", "".join(body), status)


def _select(chosen: str, errors: Mapping[str, str]) -> str:
    error = errors.get("formation")
    options = "".join(
        f'<option value="{b.value}"{" selected" if b.value == chosen else ""}>'
        f"{escape(b.label)}</option>"
        for b in Background
    )
    return (
        '<div id="champ-formation"><label class="field" for="formation">Études ou expérience '
        '<span class="hint">(obligatoire)</span></label>'
        + (f'<p class="error" id="formation-erreur">{escape(error)}</p>' if error else "")
        + '<select id="formation" name="formation" required'
        + (' aria-describedby="formation-erreur" aria-invalid="true"' if error else "")
        + f'><option value="">— Choisir —</option>{options}</select></div>'
    )


def _area(name: str, label: str, given: Given, errors: Mapping[str, str]) -> str:
    error = errors.get(name)
    return (
        f'<div id="champ-{name}"><label class="field" for="{name}">{escape(label)}</label>'
        f'<p class="hint" id="{name}-aide">Formation suivie et année, expérience du handicap.</p>'
        + (f'<p class="error" id="{name}-erreur">{escape(error)}</p>' if error else "")
        + f'<textarea id="{name}" name="{name}" rows="4" aria-describedby="{name}-aide'
        + (f' {name}-erreur" aria-invalid="true"' if error else '"')
        + f">{escape(_text(given, name))}</textarea></div>"
    )


def _skills(skills: Mapping[str, str], chosen: Sequence[str], errors: Mapping[str, str]) -> str:
    error = errors.get("competences")
    boxes = "".join(
        f'<label class="choice"><input type="checkbox" name="competences" value="{escape(code)}"'
        f"{' checked' if code in chosen else ''}><span>{escape(label)}</span></label>"
        for code, label in skills.items()
    )
    return (
        '<fieldset id="competences"'
        + (' aria-describedby="competences-erreur"' if error else "")
        + "><legend>Ce que vous savez faire (facultatif)</legend>"
        + (f'<p class="error" id="competences-erreur">{escape(error)}</p>' if error else "")
        + '<p class="hint">Cochez ce que votre formation ou votre expérience vous a appris. '
        "L'équipe en parlera avec vous à l'entretien.</p>" + boxes + "</fieldset>"
    )


def _consent(given: Given, errors: Mapping[str, str]) -> str:
    error = errors.get("consentement")
    checked = " checked" if _text(given, "consentement") else ""
    return (
        '<div id="champ-consentement">'
        + (f'<p class="error" id="consentement-erreur">{escape(error)}</p>' if error else "")
        + '<label class="choice"><input type="checkbox" id="consentement" name="consentement" '
        f'value="oui"{checked}'
        + (' aria-describedby="consentement-erreur" aria-invalid="true"' if error else "")
        + "><span>J'ai lu comment le pôle utilise mes données et j'envoie ma candidature."
        "</span></label></div>"
    )


async def _skills_of(pole: sdk.PublicPole) -> dict[str, str]:
    async with pole.session() as session:
        return await sitters.skills(session)


async def show(request: Request) -> Response:
    pole = sdk.pole_of(request)
    return _form(pole, await _skills_of(pole), {}, {})


def _given(items: Sequence[tuple[str, object]]) -> dict[str, str | list[str]]:
    given: dict[str, str | list[str]] = {name: "" for name in TEXT_FIELDS}
    chosen: list[str] = []
    for key, value in items:
        if not isinstance(value, str):
            continue
        if key == "competences":
            chosen.append(value)
        elif key in (*TEXT_FIELDS, "consentement", HONEYPOT):
            given[key] = value[: sdk.NOTE]
    given["competences"] = chosen
    return given


async def _check(
    pole: sdk.PublicPole, given: Given, skills: Mapping[str, str]
) -> tuple[dict[str, str], str, int]:
    """Every field's mistake at once (the service stops at the first): the messages by
    field, and the commune's INSEE code and the distance when they are right."""
    errors: dict[str, str] = {}

    def keep(name: str, check: Callable[[], object]) -> None:
        try:
            check()
        except sdk.ValidationError as exc:
            errors[name] = _message(exc.message)

    keep(
        "prenom", lambda: checks.words(_text(given, "prenom"), "p", label="Prénom", max_length=100)
    )
    keep("nom", lambda: checks.words(_text(given, "nom"), "n", label="Nom", max_length=100))
    keep("courriel", lambda: checks.email(_text(given, "courriel"), "c"))
    keep(
        "telephone",
        lambda: checks.words(
            _text(given, "telephone"), "t", label="Téléphone", max_length=30, required=False
        ),
    )
    keep("formation", lambda: checks.code(Background, _text(given, "formation"), "f"))
    if not _text(given, "formation"):
        errors["formation"] = "Choisissez vos études ou votre expérience."
    keep(
        "precisions",
        lambda: checks.words(
            _text(given, "precisions"), "d", label="Études", max_length=sdk.NOTE, required=False
        ),
    )
    chosen = given.get("competences", [])
    if any(code not in skills for code in chosen):
        errors["competences"] = "Une compétence cochée n'existe pas : rechargez la page."
    insee = ""
    typed = _text(given, "commune").strip()
    if not typed:
        errors["commune"] = "Indiquez la commune où vous habitez."
    else:
        found = await pole.find_communes(typed)
        if len(found) == 1:
            insee = found[0][0]
        elif not found:
            errors["commune"] = f"Aucune commune « {typed} » dans le département du pôle."
        else:
            listed = ", ".join(f"{name} ({code})" for code, name in found)
            errors["commune"] = f"Plusieurs communes correspondent : {listed}. Précisez."
    km = -1
    raw = _text(given, "distance").strip().removesuffix("km").strip()
    if not raw:
        errors["distance"] = "Indiquez une distance en kilomètres, de 0 à 200."
    elif not raw.isdigit() or not 0 <= int(raw) <= 200:
        errors["distance"] = "Distance en kilomètres, en chiffres, de 0 à 200 (par exemple 15)."
    else:
        km = int(raw)
    if not _text(given, "consentement"):
        errors["consentement"] = (
            "Cochez la case pour dire que vous avez lu comment le pôle utilise vos données."
        )
    return errors, insee, km


async def post(request: Request) -> Response:
    pole = sdk.pole_of(request)
    async with request.form() as data:
        given = _given(data.multi_items())
    try:
        sdk.refuse_other_sites(request)
    except sdk.MaillageError as exc:
        return sdk.public_page("Envoi refusé", f"<p>{escape(exc.message)}</p>", 403)
    if _text(given, HONEYPOT):
        # A script filled the field nobody sees: it is told nothing, nothing is stored.
        return RedirectResponse(f"{address(pole)}/envoyee", status_code=303)
    skills = await _skills_of(pole)
    errors, insee, km = await _check(pole, given, skills)
    if errors:
        return _form(pole, skills, given, errors, 400)
    try:
        place = await pole.take_place(
            "handisitting.candidature",
            request.client.host if request.client else None,
            limit=APPLICATIONS_PER_HOUR,
            window=dt.timedelta(hours=1),
        )
    except sdk.MaillageError as exc:
        retry = getattr(exc, "retry_after", 3600)
        message = (
            "Trop de candidatures ont été envoyées depuis cette connexion : réessayez dans "
            f"{max(1, round(retry / 60))} minutes, ou appelez le pôle."
        )
        return _form(pole, skills, given, {"envoi": message}, 429)
    try:
        async with pole.session() as session:
            await sitters.apply(
                session,
                departement_code=pole.departement_code,
                first_name=_text(given, "prenom"),
                last_name=_text(given, "nom"),
                email=_text(given, "courriel"),
                phone=_text(given, "telephone"),
                commune_insee=insee,
                travel_km=km,
                background=_text(given, "formation"),
                background_detail=_text(given, "precisions"),
                languages=[x.strip() for x in _text(given, "langues").split(",") if x.strip()],
                skill_codes=list(given.get("competences", [])),
                availability=[],
                actor=ONLINE_ACTOR,
                reason=ONLINE_REASON,
            )
            await session.commit()
    except sdk.MaillageError as exc:
        # Nothing was written (the session rolled back); the place is given back.
        await pole.give_back(place)
        field = FORM_FIELD.get(exc.field or "", "envoi")
        message = _message(exc.message)
        if exc.code == "CONFLICT" and field == "courriel":
            message = (
                "Une candidature existe déjà avec cette adresse : le pôle l'a reçue et "
                "vous recontacte. Pour la modifier, appelez le pôle."
            )
        return _form(pole, skills, given, {field: message}, 409 if exc.code == "CONFLICT" else 400)
    return RedirectResponse(f"{address(pole)}/envoyee", status_code=303)


async def sent(request: Request) -> Response:
    pole = sdk.pole_of(request)
    body = (
        '<p class="ok" role="status">Votre candidature est envoyée. Merci !</p>'
        f"<h2>Et maintenant ?</h2><p>L'équipe de {escape(pole.name)} lit votre candidature "
        "et vous appelle (ou vous écrit) pour convenir d'un <strong>entretien</strong>.</p>"
        "<p>Pour l'entretien, préparez :</p><ul>"
        "<li>une pièce d'identité ;</li>"
        "<li>un extrait de casier judiciaire (bulletin n° 3), demandé sur "
        "casier-judiciaire.justice.gouv.fr : il est obligatoire pour travailler auprès "
        "d'enfants ;</li>"
        "<li>votre attestation de premiers secours (PSC1 ou équivalent), si vous l'avez ;</li>"
        "<li>votre diplôme ou votre certificat de scolarité.</li></ul>"
        "<p>L'équipe vérifie ces pièces avec vous, puis vous dit si vous êtes agréé·e. "
        "Ensuite, elle vous propose des gardes près de chez vous : vous restez libre "
        "d'accepter ou non.</p>"
    )
    return sdk.public_page("Candidature envoyée", body)


def routes() -> Sequence[BaseRoute]:
    return [
        Route(f"/{PATH}", show, methods=["GET"]),
        Route(f"/{PATH}", post, methods=["POST"]),
        Route(f"/{PATH}/envoyee", sent, methods=["GET"]),
    ]
