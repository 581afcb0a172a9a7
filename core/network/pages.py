"""The network's screens, through the named operations of graphql/operations/
Network.graphql: the comparison of the poles (and its CSV), the releases to approve,
and the pole's own release — prepared, previewed (which cells are hidden and why),
submitted. The network's pages need no pole: its people have none."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from starlette.responses import Response

from core.api.pages import FormErrors, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.network.actions import APPROVE, PREPARE, READ

TEMPLATES = Path(__file__).with_name("templates")
MAX_SPAN = 10
NOTICES = {
    "approved": "La publication est approuvée : elle est publiée et verrouillée.",
    "prepared": "La publication est calculée et protégée : vérifiez l'aperçu, puis soumettez-la.",
    "submitted": "La publication est soumise au réseau.",
}


def _int(raw: str, default: int) -> int:
    return int(raw) if raw.strip().isdigit() else default


async def _comparison(view: PageView) -> tuple[dict[str, Any], dict[str, Any], FormErrors]:
    overview = (await view.run("NetworkOverview")).data or {}
    network = overview.get("network") or {}
    figures = [e["figure"] for e in network.get("catalogue") or []]
    figure = view.value("chiffre") or (figures[0] if figures else "")
    last = _int(view.value("jusqu_a"), 2025)
    first = _int(view.value("depuis"), last - 1)
    errors = FormErrors()
    if first > last or last - first >= MAX_SPAN:
        errors.add("depuis", f"Choisissez de 1 à {MAX_SPAN} années, la première avant la dernière.")
        first = last
    answer = await view.run(
        "NetworkComparison",
        figure=figure,
        years=list(range(first, last + 1)),
        coords=view.value("case"),
    )
    if answer.errors:
        for error in answer.errors:
            errors.add(None, str(error["message"]))
    values = {
        "network": network,
        "figures": figures,
        "figure": figure,
        "first": first,
        "last": last,
        "coords": view.value("case"),
    }
    return values, (answer.data or {}).get("networkComparison") or {}, errors


async def comparison_page(view: PageView) -> Response:
    values, found, errors = await _comparison(view)
    return view.render(
        "network/comparison.html",
        status_code=400 if errors else 200,
        title="Comparer les pôles",
        found=found,
        errors=errors,
        **values,
    )


async def comparison_csv(view: PageView) -> Response:
    values, found, errors = await _comparison(view)
    if errors:
        return Response("; ".join(m for _, m in errors.summary()), status_code=400)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["pôle", "département", "année", "valeur", "pour 10 000 habitants", "évolution", "note"]
    )
    for row in found.get("rows") or []:
        for cell in row["years"]:
            writer.writerow(
                [
                    row["pole"]["name"],
                    row["pole"]["departementCode"],
                    cell["year"],
                    "" if cell["value"] is None else cell["value"],
                    "" if cell["per10000"] is None else str(cell["per10000"]).replace(".", ","),
                    "" if cell["change"] is None else str(cell["change"]).replace(".", ","),
                    cell["reason"] or ("" if cell["published"] else "non publié"),
                ]
            )
    for total in found.get("totals") or []:
        writer.writerow(
            [
                "Total des cases publiées",
                "",
                total["year"],
                total["value"],
                "" if total["per10000"] is None else str(total["per10000"]).replace(".", ","),
                "",
                "incomplet : des cases sont masquées ou non publiées"
                if total["incomplete"]
                else "",
            ]
        )
    name = f"reseau-{values['figure']}-{values['first']}-{values['last']}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def releases_page(view: PageView) -> Response:
    errors = FormErrors()
    if view.request.method == "POST" and view.can(APPROVE):
        answer = await view.run("ApproveNetworkRelease", id=view.value("id"))
        errors = FormErrors.of(answer, "approveNetworkRelease", form_fields=())
        if not errors:
            return view.redirect("/reseau/publications", ok="approved")
    answer = await view.run("NetworkReleaseList")
    return view.render(
        "network/releases.html",
        status_code=400 if errors else 200,
        title="Publications des pôles",
        releases=(answer.data or {}).get("networkReleases") or [],
        errors=errors,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


async def pole_release_page(view: PageView) -> Response:
    errors = FormErrors()
    if view.request.method == "POST":
        if view.value("id"):
            answer = await view.run("SubmitNetworkRelease", id=view.value("id"))
            errors = FormErrors.of(answer, "submitNetworkRelease", form_fields=())
            done = "submitted"
        else:
            answer = await view.run(
                "PrepareNetworkRelease", period=view.value("periode"), reason=view.value("raison")
            )
            errors = FormErrors.of(
                answer,
                "prepareNetworkRelease",
                form_fields=("periode", "raison"),
                aliases={"period": "periode", "reason": "raison"},
            )
            done = "prepared"
        if not errors:
            return view.redirect("/pole/reseau", ok=done)
    answer = await view.run("PoleNetworkReleases")
    if answer.errors:
        for error in answer.errors:
            errors.add(None, str(error["message"]))
    return view.render(
        "network/pole.html",
        status_code=400 if errors else 200,
        title="Publication au réseau national",
        releases=(answer.data or {}).get("poleNetworkReleases") or [],
        period=view.value("periode", "2025"),
        reason=view.value("raison"),
        errors=errors,
        notice=NOTICES.get(view.request.query_params.get("ok", "")),
    )


def contribution() -> PageContribution:
    network = ("NetworkOverview", "NetworkComparison")
    return PageContribution(
        pages=[
            Page("/reseau", comparison_page, action=READ, operations=network, needs_pole=False),
            Page(
                "/reseau/comparaison.csv",
                comparison_csv,
                action=READ,
                operations=network,
                needs_pole=False,
            ),
            Page(
                "/reseau/publications",
                releases_page,
                methods=("GET", "POST"),
                action=READ,
                operations=("NetworkReleaseList", "ApproveNetworkRelease"),
                needs_pole=False,
            ),
            Page(
                "/pole/reseau",
                pole_release_page,
                methods=("GET", "POST"),
                action=PREPARE,
                operations=(
                    "PoleNetworkReleases",
                    "PrepareNetworkRelease",
                    "SubmitNetworkRelease",
                ),
            ),
        ],
        templates=TEMPLATES,
    )


def navigation() -> list[NavEntry]:
    return [
        NavEntry("Réseau : comparer", "/reseau", action=READ, order=90),
        NavEntry("Réseau : publications", "/reseau/publications", action=READ, order=91),
        NavEntry("Publication au réseau", "/pole/reseau", action=PREPARE, order=92),
    ]
