"""The pole's letterhead on its printed documents, through the real API and the real
document routes: the coordinator sets it (name, address, colour, logo), every document
prints it in HTML and in a PDF that is A4, tagged, with its font embedded and its pages
numbered; the PDF is the same HTML; bad input is refused field by field and nothing is
kept; another pole's letterhead never appears (ORM filter on SQLite, RLS too on
PostgreSQL)."""

from __future__ import annotations

import base64
import io
import uuid
from typing import Any

from PIL import Image
from sqlalchemy import select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.families.models import Family
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles
from tests.pdf import html_text, read, words

SET = """mutation($input: LetterheadInput!) { setLetterhead(input: $input) {
  letterhead { name address contact colour accentColour logo updatedBy }
  errors { code field message } } }"""
GET = "{ letterhead { name address contact colour accentColour logo updatedAt } }"
OUTREACH = "/reports/outreach.{}?year=2026"


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:lh-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice",
        roles=frozenset(roles),
    )


def image(size: tuple[int, int], colour: tuple[int, int, int], kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


async def set_letterhead(
    client: GraphQLClient, pole: Any, who: Actor, **values: Any
) -> dict[str, Any]:
    result = await client.execute(SET, {"input": values}, tenant=pole, actor=who)
    return result["data"]["setLetterhead"]


async def outreach(client: GraphQLClient, pole: Any) -> tuple[str, bytes]:
    headers = await client.auth_headers(pole, actor("staff"))
    html = await client.http.get(OUTREACH.format("html"), headers=headers)
    pdf = await client.http.get(OUTREACH.format("pdf"), headers=headers)
    assert html.status_code == 200 and pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    return html.text, pdf.content


async def test_the_coordinator_sets_the_letterhead_and_the_documents_print_it(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    before = (await client.execute(GET, tenant=pole, actor=who))["data"]["letterhead"]
    assert before["name"] == pole.name and before["logo"] is None
    assert before["colour"] == "#1d4f91" and before["updatedAt"] is None

    done = await set_letterhead(
        client,
        pole,
        who,
        name="Pôle ressources handicap de l'Artois",
        address="2 rue des Essais\n62000 Arras",
        contact="contact@prh-artois.example — 03 00 00 00 00",
        colour="#990000",
        logoBase64=b64(image((120, 40), (153, 0, 0))),
    )
    assert done["errors"] == []
    shown = done["letterhead"]
    assert shown["name"] == "Pôle ressources handicap de l'Artois"
    assert shown["colour"] == "#990000" and shown["accentColour"] == "#e8eef7"
    assert shown["logo"].startswith("data:image/png;base64,")
    assert shown["updatedBy"] == "Coordinatrice"
    async with db.session(pole.id) as session:
        audited = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "letterhead.set"))
        ).all()
    assert [e.fields for e in audited] == [["address", "colour", "contact", "logo", "name"]]

    html, content = await outreach(client, pole)
    pdf = read(content)
    # A4 (the tables print landscape), tagged PDF/UA, French, titled.
    assert pdf.is_a4() and pdf.sizes[0][0] > pdf.sizes[0][1]
    assert pdf.tagged and pdf.struct_tree and pdf.lang == "fr"
    assert pdf.title == "Sensibilisations et formations — Pôle ressources handicap de l'Artois"
    # Every font is the shipped one, embedded.
    assert pdf.fonts and all(pdf.fonts.values()), pdf.fonts
    assert all("Atkinson-Hyperlegible" in name for name in pdf.fonts), pdf.fonts
    # The pages are numbered, and the letterhead is there: name, address, colour, logo.
    assert f"Page {pdf.pages} sur {pdf.pages}" in pdf.text
    assert "Pôle ressources handicap de l'Artois" in pdf.text and "62000 Arras" in pdf.text
    assert (0.6, 0.0, 0.0) in pdf.colours
    assert pdf.images == [(120, 40)]
    # The HTML is the same document: its letterhead, and every word of it in the PDF.
    assert "--pole: #990000" in html and 'src="data:image/png;base64,' in html
    assert 'alt="Logo : Pôle ressources handicap de l&#39;Artois"' in html
    assert words(html_text(html)) <= words(pdf.text)

    # An empty text returns to the pole's own value; the logo can be removed.
    reset = await set_letterhead(client, pole, who, name="", colour="", removeLogo=True)
    assert reset["errors"] == []
    assert reset["letterhead"]["name"] == pole.name and reset["letterhead"]["logo"] is None
    assert reset["letterhead"]["address"] == "2 rue des Essais\n62000 Arras"
    _html, content = await outreach(client, pole)
    assert read(content).images == []


async def test_every_printed_document_route_carries_the_letterhead_in_html_and_pdf(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """The family data export (here as PDF too) on the same pipeline: same words in both."""
    pole, who = two_poles.a, actor("coordinator")
    await set_letterhead(client, pole, who, name="PRH Artois", colour="#006600")
    async with db.session(pole.id) as session:
        family = Family(name="Famille Essai", search_name="famille essai", commune_insee="62119")
        session.add(family)
        await session.commit()
    # gdpr.manage is sensitive: an explicit grant on top of the role.
    exporter = Actor(
        subject="test:lh-exporter",
        display_name="Coordinatrice",
        roles=frozenset({"coordinator"}),
        grants=frozenset({"gdpr.manage"}),
    )
    headers = await client.auth_headers(pole, exporter)
    base = f"/reports/families/{family.id}/export"
    html = await client.http.get(f"{base}.html", headers=headers)
    pdf = await client.http.get(f"{base}.pdf", headers=headers)
    assert html.status_code == 200 and pdf.status_code == 200
    facts = read(pdf.content)
    assert facts.is_a4() and facts.sizes[0][0] < facts.sizes[0][1] and facts.tagged
    assert "Famille Essai" in facts.text and "PRH Artois" in facts.text
    assert (0.0, 0.4, 0.0) in facts.colours
    assert words(html_text(html.text)) <= words(facts.text)
    assert (await client.http.get(f"{base}.docx", headers=headers)).status_code == 404


async def test_a_pole_never_prints_another_pole_s_letterhead(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    a, b = two_poles.a, two_poles.b
    await set_letterhead(
        client,
        a,
        actor("coordinator"),
        name="Pôle A Lettre",
        logoBase64=b64(image((120, 40), (200, 0, 0))),
    )
    # B has set nothing yet: its own defaults, no logo, nothing of A.
    html, content = await outreach(client, b)
    assert read(content).images == [] and "Pôle A Lettre" not in read(content).text
    assert "data:image" not in html and "Pôle A Lettre" not in html
    await set_letterhead(
        client,
        b,
        actor("coordinator"),
        name="Pôle B Lettre",
        logoBase64=b64(image((90, 30), (0, 0, 200))),
    )
    for pole, mine, theirs, (size, other) in (
        (a, "Pôle A Lettre", "Pôle B Lettre", ((120, 40), (90, 30))),
        (b, "Pôle B Lettre", "Pôle A Lettre", ((90, 30), (120, 40))),
    ):
        html, content = await outreach(client, pole)
        pdf = read(content)
        assert mine in pdf.text and theirs not in pdf.text and theirs not in html
        assert pdf.images == [size] and other not in pdf.images
        shown = await client.execute(GET, tenant=pole, actor=actor("staff"))
        assert shown["data"]["letterhead"]["name"] == mine


def _big_png() -> bytes:
    """Over the logo limit (512 Ko) but under the request body limit (1 Mio) in base64."""
    import os

    buffer = io.BytesIO()
    Image.frombytes("RGB", (450, 450), os.urandom(450 * 450 * 3)).save(buffer, "PNG")
    return buffer.getvalue()


BAD = {
    "not an image": ({"logoBase64": b64(b"<svg onload=alert(1)>")}, "logoBase64"),
    "a GIF": ({"logoBase64": b64(image((10, 10), (0, 0, 0), "GIF"))}, "logoBase64"),
    "too heavy": ({"logoBase64": b64(_big_png())}, "logoBase64"),
    "too wide": ({"logoBase64": b64(image((4200, 10), (0, 0, 0)))}, "logoBase64"),
    "not base64": ({"logoBase64": "@@@ pas du base64"}, "logoBase64"),
    "a colour name": ({"colour": "red"}, "colour"),
    "a short colour": ({"accentColour": "#12345"}, "accentColour"),
    "a name too long": ({"name": "x" * 201}, "name"),
    "logo and removal": (
        {"logoBase64": b64(image((10, 10), (0, 0, 0))), "removeLogo": True},
        "logoBase64",
    ),
}


async def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    # One pole and app for every case (each case is one request): the suite stays short.
    pole, who = two_poles.a, actor("coordinator")
    for case, (values, field) in BAD.items():
        done = await set_letterhead(client, pole, who, address="Gardée ?", **values)
        assert [(e["code"], e["field"]) for e in done["errors"]] == [("VALIDATION", field)], case
        assert done["letterhead"] is None, case
    shown = (await client.execute(GET, tenant=pole, actor=who))["data"]["letterhead"]
    assert shown["address"] != "Gardée ?" and shown["logo"] is None


async def test_only_the_coordinator_and_the_pole_admin_set_the_letterhead(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole = two_poles.a
    for role in ("staff", "psychologist", "family"):
        refused = await client.execute(
            SET, {"input": {"name": "X"}}, tenant=pole, actor=actor(role)
        )
        assert error_codes(refused) == ["FORBIDDEN"], role
    done = await set_letterhead(client, pole, actor("pole_admin"), name="Par l'administrateur")
    assert done["errors"] == []
    family = await client.execute(GET, tenant=pole, actor=actor("family"))
    assert error_codes(family) == ["FORBIDDEN"]
