"""The network's screens, through the named operations of graphql/operations/
Network.graphql: the comparison of the poles (and its CSV), the releases to approve,
and the pole's own release — prepared, previewed (which cells are hidden and why),
submitted. The network's pages need no pole: its people have none."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from core.api import documents
from core.api.documents.sheets import XLSX_MEDIA_TYPE
from core.api.pages import FormErrors, PageView
from core.contributions import NavEntry, Page, PageContribution
from core.network import outputs, synthesis, territory
from core.network.actions import APPROVE, PREPARE, READ
from core.network.comparison import DEFAULT_PEERS, MAX_PEERS

TEMPLATES = Path(__file__).with_name("templates")
MAX_SPAN = 10
DOCUMENT_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
NOTICES = {
    "approved": "La publication est approuvée : elle est publiée et verrouillée.",
    "prepared": "La publication est calculée et protégée : vérifiez l'aperçu, puis soumettez-la.",
    "submitted": "La publication est soumise au réseau.",
    "discarded": "La version en préparation est abandonnée : rien n'a été envoyé au réseau.",
    "imported": "Le document signé est vérifié : la publication est importée, publiée et "
    "verrouillée.",
    "already": "Ce document était déjà importé : rien n'a changé.",
    "territory": "Le territoire est enregistré : les prochaines publications en prendront "
    "la population.",
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
    peer_of = view.value("pairs_de")
    peers = _int(view.value("pairs"), DEFAULT_PEERS)
    errors = FormErrors()
    if first > last or last - first >= MAX_SPAN:
        errors.add("depuis", f"Choisissez de 1 à {MAX_SPAN} années, la première avant la dernière.")
        first = last
    if not 1 <= peers <= MAX_PEERS:
        errors.add("pairs", f"Choisissez de 1 à {MAX_PEERS} pairs.")
        peers = DEFAULT_PEERS
    answer = await view.run(
        "NetworkComparison",
        figure=figure,
        years=list(range(first, last + 1)),
        coords=view.value("case"),
        peerOf=peer_of or None,
        peers=peers,
    )
    if answer.errors:
        for error in answer.errors:
            field = {"peerOf": "pairs_de", "peers": "pairs"}.get(str(error.get("field")))
            errors.add(field, str(error["message"]))
    values = {
        "network": network,
        "figures": figures,
        "figure": figure,
        "first": first,
        "last": last,
        "coords": view.value("case"),
        "peer_of": peer_of,
        "peers": peers,
    }
    return values, (answer.data or {}).get("networkComparison") or {}, errors


def _query(values: dict[str, Any]) -> str:
    """The comparison's query string, for its downloads."""
    return urlencode(
        {
            "chiffre": values["figure"],
            "depuis": values["first"],
            "jusqu_a": values["last"],
            "case": values["coords"],
            "pairs_de": values["peer_of"],
            "pairs": values["peers"],
        }
    )


async def comparison_page(view: PageView) -> Response:
    values, found, errors = await _comparison(view)
    heading = outputs.title(found, values["coords"]) if found else ""
    return view.render(
        "network/comparison.html",
        status_code=400 if errors else 200,
        title="Comparer les pôles",
        found=found,
        errors=errors,
        query=_query(values),
        bars=outputs.bars_chart(found, heading, "graphique-pour-10000") if found else None,
        lines=outputs.lines_chart(found, heading, "graphique-evolution") if found else None,
        max_lines=outputs.MAX_LINES,
        max_peers=MAX_PEERS,
        **values,
    )


def _download(view_values: dict[str, Any], ext: str) -> str:
    group = f"-pairs-{view_values['peer_of']}" if view_values["peer_of"] else ""
    return (
        f"reseau-{view_values['figure']}-{view_values['first']}-{view_values['last']}{group}.{ext}"
    )


async def comparison_csv(view: PageView) -> Response:
    values, found, errors = await _comparison(view)
    if errors:
        return Response("; ".join(m for _, m in errors.summary()), status_code=400)
    return Response(
        outputs.csv_text(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_download(values, "csv")}"'},
    )


async def comparison_xlsx(view: PageView) -> Response:
    values, found, errors = await _comparison(view)
    if errors:
        return Response("; ".join(m for _, m in errors.summary()), status_code=400)
    content = await run_in_threadpool(outputs.xlsx, found, values["coords"])
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_download(values, "xlsx")}"'},
    )


async def _synthesis(view: PageView) -> tuple[str, int]:
    year = _int(view.value("annee"), 2025)
    overview = (await view.run("NetworkOverview")).data or {}
    network = overview.get("network") or {}
    specs = {name: spec for name, (_, spec) in view.context.host.contributions.indicators.items()}
    sections = []
    for entry in network.get("catalogue") or []:
        answer = await view.run("NetworkComparison", figure=entry["figure"], years=[year])
        found = (answer.data or {}).get("networkComparison")
        if found:
            sections.append(synthesis.section(entry["figure"], found, specs))
    return synthesis.render(network, year, sections), year


async def synthesis_page(view: PageView) -> Response:
    html, _year = await _synthesis(view)
    return HTMLResponse(html, headers=DOCUMENT_HEADERS)


async def synthesis_pdf(view: PageView) -> Response:
    html, year = await _synthesis(view)
    content = await run_in_threadpool(documents.pdf, html)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            **DOCUMENT_HEADERS,
            "Content-Disposition": f'inline; filename="synthese-reseau-{year}.pdf"',
        },
    )


async def _export(view: PageView) -> tuple[Response | None, FormErrors]:
    answer = await view.run("ExportNetworkRelease", id=view.value("exporter"))
    errors = FormErrors.of(answer, "exportNetworkRelease", form_fields=())
    signed = ((answer.data or {}).get("exportNetworkRelease") or {}).get("signed")
    if errors or not signed:
        return None, errors
    return Response(
        signed["content"],
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{signed["filename"]}"',
            "Cache-Control": "no-store",
        },
    ), errors


async def _import(view: PageView) -> tuple[str | None, FormErrors]:
    errors = FormErrors()
    upload = view.files.get("document")
    if upload is None or upload.too_large:
        errors.add("document", "Choisissez le fichier JSON signé (1 Mo au plus).")
        return None, errors
    try:
        content = upload.data.decode("utf-8")
    except UnicodeDecodeError:
        errors.add("document", "Le fichier n'est pas un texte JSON (UTF-8).")
        return None, errors
    answer = await view.run("ImportNetworkRelease", content=content)
    # Whatever the check that refused it (key, signature, version, audit), the file is
    # the field: the message goes next to it.
    for error in FormErrors.of(answer, "importNetworkRelease", form_fields=()).summary():
        errors.add("document", error[1])
    if errors:
        return None, errors
    created = ((answer.data or {}).get("importNetworkRelease") or {}).get("created")
    return ("imported" if created else "already"), errors


async def releases_page(view: PageView) -> Response:
    errors = FormErrors()
    if view.request.method == "POST" and view.value("exporter"):
        exported, errors = await _export(view)
        if exported is not None:
            return exported
    elif view.request.method == "POST" and view.value("importer") and view.can(APPROVE):
        done, errors = await _import(view)
        if done is not None:
            return view.redirect("/reseau/publications", ok=done)
    elif view.request.method == "POST" and view.can(APPROVE):
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
        if view.value("id") and view.value("action") == "abandonner":
            answer = await view.run("DiscardNetworkRelease", id=view.value("id"))
            errors = FormErrors.of(answer, "discardNetworkRelease", form_fields=())
            done = "discarded"
        elif view.value("id"):
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


async def territory_page(view: PageView) -> Response:
    errors = FormErrors()
    communes, epcis = "", ""
    if view.request.method == "POST":
        communes, epcis = view.value("communes"), view.value("epci")
        answer = await view.run(
            "DeclarePoleNetworkTerritory",
            communes=territory.codes(communes),
            epcis=territory.codes(epcis),
        )
        errors = FormErrors.of(
            answer,
            "declarePoleNetworkTerritory",
            form_fields=("communes", "epci"),
            aliases={"epcis": "epci"},
        )
        if not errors:
            return view.redirect("/pole/reseau/territoire", ok="territory")
    found = (await view.run("PoleNetworkTerritory")).data or {}
    current = found.get("poleNetworkTerritory") or {}
    if view.request.method != "POST":
        communes = " ".join(p["inseeCode"] for p in current.get("communes") or [])
        epcis = " ".join(p["code"] for p in current.get("epcis") or [])
    return view.render(
        "network/territory.html",
        status_code=400 if errors else 200,
        title="Territoire du pôle pour le réseau",
        territory=current,
        communes=communes,
        epcis=epcis,
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
                "/reseau/comparaison.xlsx",
                comparison_xlsx,
                action=READ,
                operations=network,
                needs_pole=False,
            ),
            Page(
                "/reseau/synthese",
                synthesis_page,
                action=READ,
                operations=network,
                needs_pole=False,
            ),
            Page(
                "/reseau/synthese.pdf",
                synthesis_pdf,
                action=READ,
                operations=network,
                needs_pole=False,
            ),
            Page(
                "/reseau/publications",
                releases_page,
                methods=("GET", "POST"),
                action=READ,
                operations=(
                    "NetworkReleaseList",
                    "ApproveNetworkRelease",
                    "ExportNetworkRelease",
                    "ImportNetworkRelease",
                ),
                needs_pole=False,
            ),
            Page(
                "/pole/reseau/territoire",
                territory_page,
                methods=("GET", "POST"),
                action=PREPARE,
                operations=("PoleNetworkTerritory", "DeclarePoleNetworkTerritory"),
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
                    "DiscardNetworkRelease",
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
