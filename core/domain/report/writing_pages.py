"""The screens where the team writes its part of a year's report, for those who may
(``report.write``): « Textes du rapport » (``/rapport/textes?annee=2026``), the year's
sections with who wrote each last and when, and the form to write one
(``/rapport/textes/ecrire?annee=2026&type=news`` or ``&section=<id>``), with a preview;
« Financements » (``/rapport/financements?annee=2026``), the funding lines to add,
correct (``&ligne=<id>``) or remove. Through the named operations of
graphql/operations/ReportTexts.graphql: every rule is the API's, whose coded errors come
back next to their field with what was typed."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from core.api.forms import decimal_field, year_param
from core.api.pages import FormErrors, PageView, number_fr
from core.contributions import Page
from core.domain.report.markdown import to_html
from core.domain.report.service import WRITE
from core.domain.report.vocabulary import NARRATIVE_KINDS, ONCE_A_YEAR

TEXT_FIELDS = ("title", "body")
FUNDING_FIELDS = ("funder", "kind", "amount", "notes")
NOTICES = {
    "saved": "La section est enregistrée.",
    "deleted": "La section est supprimée.",
    "recorded": "La ligne de financement est enregistrée.",
    "removed": "La ligne de financement est retirée.",
}


def _notice(view: PageView) -> str | None:
    return NOTICES.get(view.request.query_params.get("ok", ""))


async def report_texts(view: PageView) -> Response:
    """The year's sections: the three a report has each year (written or still to
    write), then the free ones, each with its author and date."""
    year = year_param(view)
    answer = await view.run("ReportTexts", year=year)
    written = (answer.data or {}).get("reportNarratives") or []
    by_kind = {n["kind"]["value"]: n for n in written if n["kind"]["value"] in ONCE_A_YEAR}
    fixed = [
        {"kind": kind, "label": label, "narrative": by_kind.get(kind)}
        for kind, label in NARRATIVE_KINDS.items()
        if kind in ONCE_A_YEAR
    ]
    return view.render(
        "report/texts.html",
        title=f"Textes du rapport {year}",
        year=year,
        fixed=fixed,
        free=[n for n in written if n["kind"]["value"] not in ONCE_A_YEAR],
        errors=FormErrors.of(answer, form_fields=()),
        notice=_notice(view),
    )


async def write_text(view: PageView) -> Response:
    """Write a section (``type``: one of the three of the year, or ``free``) or rewrite
    one (``section``: its id); « Prévisualiser » shows the text as the report will print
    it without saving; « Supprimer » removes it."""
    year = year_param(view)
    section_id = view.value("section")
    found = await view.run("ReportTexts", year=year)
    existing = next(
        (n for n in (found.data or {}).get("reportNarratives") or [] if n["id"] == section_id),
        None,
    )
    if section_id and existing is None:
        return view.not_found()
    kind = existing["kind"]["value"] if existing else view.value("type", "free")
    if kind not in NARRATIVE_KINDS:
        return view.not_found()
    if existing is None and kind in ONCE_A_YEAR:
        # « Perspectives » exists once a year: writing it again rewrites it.
        existing = next(
            (
                n
                for n in (found.data or {}).get("reportNarratives") or []
                if n["kind"]["value"] == kind
            ),
            None,
        )
    errors = FormErrors()
    given = {name: view.value(name) for name in TEXT_FIELDS}
    given["body"] = (view.form.get("body") or [""])[0]  # kept as typed, blank lines included
    preview = None
    back = f"/rapport/textes?annee={year}"
    if view.request.method == "POST":
        action = view.value("action")
        if action == "delete" and existing is not None:
            answer = await view.run("DeleteReportNarrative", id=existing["id"])
            errors = FormErrors.of(answer, "deleteReportNarrative", form_fields=())
            if not errors:
                return view.redirect("/rapport/textes", annee=str(year), ok="deleted")
        elif action == "preview":
            preview = to_html(given["body"])
        else:
            answer = await view.run(
                "WriteReportNarrative",
                input={
                    "year": year,
                    "kind": kind,
                    "title": given["title"] if kind == "free" else "",
                    "body": given["body"],
                },
                id=existing["id"] if existing else None,
            )
            errors = FormErrors.of(answer, "writeReportNarrative", form_fields=TEXT_FIELDS)
            if not errors:
                return view.redirect("/rapport/textes", annee=str(year), ok="saved")
    elif existing is not None:
        given = {"title": existing["title"], "body": existing["body"]}
    label = NARRATIVE_KINDS[kind]
    heading = (
        f"Modifier « {existing['title']} »"
        if existing
        else ("Ajouter une section libre" if kind == "free" else f"Écrire « {label} »")
    )
    return view.render(
        "report/write_text.html",
        status_code=400 if errors else 200,
        title=f"{heading} — rapport {year}",
        heading=heading,
        year=year,
        kind=kind,
        existing=existing,
        given=given,
        errors=errors,
        preview=preview,
        back=back,
    )


def _euros(cents: int | None) -> str:
    return "" if cents is None else number_fr(cents / 100, 2).replace("\u202f", "")


async def report_funding(view: PageView) -> Response:
    """The year's funding lines and their total; the form below adds one, or corrects
    the line named by ``ligne``; each line has its button to remove it."""
    year = year_param(view)
    errors = FormErrors()
    line_id = view.value("ligne")
    given = {name: view.value(name) for name in FUNDING_FIELDS}
    if view.request.method == "POST":
        if view.value("action") == "delete":
            answer = await view.run("DeleteFunding", id=view.value("id"))
            errors = FormErrors.of(answer, "deleteFunding", form_fields=())
            if not errors:
                return view.redirect("/rapport/financements", annee=str(year), ok="removed")
        else:
            euros = decimal_field(errors, "amount", given["amount"], required=True)
            if not errors:
                answer = await view.run(
                    "RecordFunding",
                    input={
                        "year": year,
                        "funder": given["funder"],
                        "kind": given["kind"],
                        "amountCents": round((euros or 0) * 100),
                        "notes": given["notes"],
                    },
                    id=line_id or None,
                )
                errors = FormErrors.of(
                    answer,
                    "recordFunding",
                    form_fields=FUNDING_FIELDS,
                    aliases={"amountCents": "amount"},
                )
                if not errors:
                    return view.redirect("/rapport/financements", annee=str(year), ok="recorded")
    found = await view.run("ReportFunding", year=year)
    data: dict[str, Any] = found.data or {}
    funding = data.get("yearFunding") or {"lines": [], "totalCents": 0}
    corrected = next((f for f in funding["lines"] if f["id"] == line_id), None)
    if line_id and corrected is None:
        return view.not_found()
    if view.request.method == "GET":
        if corrected is not None:
            given = {
                "funder": corrected["funder"],
                "kind": corrected["kind"]["value"],
                "amount": _euros(corrected["amountCents"]),
                "notes": corrected["notes"],
            }
        else:
            given["kind"] = given["kind"] or "grant"
    return view.render(
        "report/funding.html",
        status_code=400 if errors else 200,
        title=f"Financements {year}",
        year=year,
        funding=funding,
        kinds=data.get("fundingKinds") or [],
        corrected=corrected,
        given=given,
        errors=errors,
        notice=_notice(view),
    )


def pages() -> list[Page]:
    return [
        Page("/rapport/textes", report_texts, action=WRITE, operations=("ReportTexts",)),
        Page(
            "/rapport/textes/ecrire",
            write_text,
            methods=("GET", "POST"),
            action=WRITE,
            operations=("ReportTexts", "WriteReportNarrative", "DeleteReportNarrative"),
        ),
        Page(
            "/rapport/financements",
            report_funding,
            methods=("GET", "POST"),
            action=WRITE,
            operations=("ReportFunding", "RecordFunding", "DeleteFunding"),
        ),
    ]
