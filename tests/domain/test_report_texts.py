"""The annual report's written sections and the year's funding, through the API: the
coordinator writes « Nouveautés » in Markdown and reads it back sanitised, rewrites
« Perspectives », adds free sections in order; bad input is named and writes nothing; the
funding lines add up; another pole sees and touches nothing; a staff member reads but does
not write; every write is audited; the demo seed gives the demo poles their texts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from core.access.actions import Actor
from core.audit.models import AuditEvent
from core.domain.report.demo import seed_report
from core.domain.report.markdown import to_html
from core.domain.report.models import Funding, ReportNarrative
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

WRITE = """mutation($input: ReportNarrativeInput!, $id: ID) {
  writeReportNarrative(input: $input, id: $id) {
    narrative { id year kind { value label } title body bodyHtml position author { displayName } }
    errors { code field message } } }"""
LIST = """query($year: Int!) { reportNarratives(year: $year) {
  id kind { value } title bodyHtml position } }"""
DELETE = (
    """mutation($id: ID!) { deleteReportNarrative(id: $id) { deletedId errors { code field } } }"""
)
FUND = """mutation($input: FundingInput!, $id: ID) { recordFunding(input: $input, id: $id) {
  funding { id funder kind { value label } amountCents } errors { code field message } } }"""
FUNDING = """query($year: Int!) { yearFunding(year: $year) {
  totalCents lines { funder kind { label } amountCents } } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:report-{uuid.uuid4().hex[:8]}",
        display_name="Camille Coordinatrice",
        roles=frozenset(roles),
    )


def payload(result: dict[str, Any]) -> Any:
    assert "errors" not in result, result
    (value,) = result["data"].values()
    return value


async def test_the_team_writes_its_sections_and_reads_them_in_print_order(
    client: GraphQLClient, two_poles: TwoPoles, db: Database
) -> None:
    pole, who = two_poles.a, actor("coordinator")

    async def write(input: dict[str, Any], id: str | None = None) -> Any:
        return payload(
            await client.execute(WRITE, {"input": input, "id": id}, tenant=pole, actor=who)
        )

    news = await write(
        {
            "year": 2025,
            "kind": "news",
            "body": "# Une année\n\nUne **permanence** à Lens.<script>alert(1)</script>\n\n"
            "[le site](https://exemple.fr) [piège](javascript:alert(1)) ![x](https://x/y.png)",
        }
    )
    assert news["errors"] == []
    narrative = news["narrative"]
    assert narrative["title"] == "Nouveautés de l'année"
    assert narrative["kind"] == {"value": "news", "label": "Nouveautés de l'année"}
    html = narrative["bodyHtml"]
    assert "<h3>Une année</h3>" in html
    assert "<strong>permanence</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as typed, inert
    assert 'href="javascript' not in html and "<img" not in html
    assert '<a href="https://exemple.fr" rel="noopener noreferrer">le site</a>' in html
    # What was typed is kept as typed: the next edit starts from it.
    assert "<script>alert(1)</script>" in narrative["body"]

    outlook = await write({"year": 2025, "kind": "outlook", "body": "1. former\n2. mesurer"})
    again = await write({"year": 2025, "kind": "outlook", "body": "Étendre les sessions."})
    assert again["narrative"]["id"] == outlook["narrative"]["id"], "one « Perspectives » a year"
    first = await write(
        {"year": 2025, "kind": "free", "title": "Le partenariat avec la CAF", "body": "…"}
    )
    second = await write(
        {"year": 2025, "kind": "free", "title": "Une journée d'étude", "body": "…", "position": 0}
    )
    assert first["errors"] == second["errors"] == []

    listed = payload(await client.execute(LIST, {"year": 2025}, tenant=pole, actor=who))
    assert [(n["kind"]["value"], n["title"]) for n in listed] == [
        ("news", "Nouveautés de l'année"),
        ("outlook", "Perspectives"),
        ("free", "Une journée d'étude"),
        ("free", "Le partenariat avec la CAF"),
    ]
    assert payload(await client.execute(LIST, {"year": 2024}, tenant=pole, actor=who)) == []

    removed = payload(
        await client.execute(DELETE, {"id": first["narrative"]["id"]}, tenant=pole, actor=who)
    )
    assert removed == {"deletedId": first["narrative"]["id"], "errors": []}

    async with db.session(pole.id) as session:
        events = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.fields).where(
                    AuditEvent.object_type == "ReportNarrative"
                )
            )
        ).all()
    actions = sorted(a for a, _ in events)
    assert actions.count("report.narrative.create") == 4
    assert actions.count("report.narrative.update") == 1
    assert actions.count("report.narrative.delete") == 1
    # Field names, never the text.
    assert all("Lens" not in str(fields) for _, fields in events)


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, two_poles: TwoPoles, db: Database
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    cases = [
        ({"year": 1999, "kind": "news", "body": "x"}, "VALIDATION", "year"),
        ({"year": 2025, "kind": "nouveautes", "body": "x"}, "VALIDATION", "kind"),
        ({"year": 2025, "kind": "free", "body": "x"}, "VALIDATION", "title"),
        ({"year": 2025, "kind": "news", "body": "x" * 10_001}, "VALIDATION", "body"),
    ]
    for input, code, field in cases:
        answer = payload(await client.execute(WRITE, {"input": input}, tenant=pole, actor=who))
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [(code, field)], input
    unknown = payload(
        await client.execute(
            WRITE, {"input": {"year": 2025, "kind": "x", "body": ""}}, tenant=pole, actor=who
        )
    )
    assert "news, stories, outlook, free" in unknown["errors"][0]["message"]

    await client.execute(
        WRITE,
        {"input": {"year": 2025, "kind": "free", "title": "Bilan", "body": "…"}},
        tenant=pole,
        actor=who,
    )
    clash = payload(
        await client.execute(
            WRITE,
            {"input": {"year": 2025, "kind": "free", "title": "Bilan", "body": "autre"}},
            tenant=pole,
            actor=who,
        )
    )
    assert [(e["code"], e["field"]) for e in clash["errors"]] == [("CONFLICT", "title")]

    for input, field in (
        ({"year": 2025, "funder": "CAF", "kind": "grant", "amountCents": -1}, "amountCents"),
        ({"year": 2025, "funder": " ", "kind": "grant", "amountCents": 1}, "funder"),
        ({"year": 2025, "funder": "CAF", "kind": "don", "amountCents": 1}, "kind"),
    ):
        answer = payload(await client.execute(FUND, {"input": input}, tenant=pole, actor=who))
        assert [e["field"] for e in answer["errors"]] == [field]
    async with db.session(pole.id) as session:
        assert len((await session.execute(select(ReportNarrative))).all()) == 1
        assert (await session.execute(select(Funding))).first() is None


async def test_funding_lines_add_up_and_a_line_is_corrected_not_doubled(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("pole_admin")
    caf = payload(
        await client.execute(
            FUND,
            {"input": {"year": 2025, "funder": "CAF", "kind": "grant", "amountCents": 5_200_000}},
            tenant=pole,
            actor=who,
        )
    )
    await client.execute(
        FUND,
        {
            "input": {
                "year": 2025,
                "funder": "Conseil départemental",
                "kind": "grant",
                "amountCents": 6_500_000,
            }
        },
        tenant=pole,
        actor=who,
    )
    twice = payload(
        await client.execute(
            FUND,
            {"input": {"year": 2025, "funder": "CAF", "kind": "grant", "amountCents": 1}},
            tenant=pole,
            actor=who,
        )
    )
    assert [(e["code"], e["field"]) for e in twice["errors"]] == [("CONFLICT", "funder")]
    corrected = payload(
        await client.execute(
            FUND,
            {
                "id": caf["funding"]["id"],
                "input": {"year": 2025, "funder": "CAF", "kind": "grant", "amountCents": 5_300_000},
            },
            tenant=pole,
            actor=who,
        )
    )
    assert corrected["errors"] == []
    year = payload(await client.execute(FUNDING, {"year": 2025}, tenant=pole, actor=who))
    assert year["totalCents"] == 11_800_000
    assert [(line["funder"], line["amountCents"]) for line in year["lines"]] == [
        ("Conseil départemental", 6_500_000),
        ("CAF", 5_300_000),
    ]
    assert year["lines"][0]["kind"]["label"] == "Subvention"


async def test_another_pole_sees_and_touches_nothing_and_staff_only_read(
    client: GraphQLClient, two_poles: TwoPoles
) -> None:
    pole, other, who = two_poles.a, two_poles.b, actor("coordinator")
    written = payload(
        await client.execute(
            WRITE, {"input": {"year": 2025, "kind": "news", "body": "x"}}, tenant=pole, actor=who
        )
    )
    line = payload(
        await client.execute(
            FUND,
            {"input": {"year": 2025, "funder": "CAF", "kind": "grant", "amountCents": 1}},
            tenant=pole,
            actor=who,
        )
    )
    theirs = actor("coordinator")
    assert payload(await client.execute(LIST, {"year": 2025}, tenant=other, actor=theirs)) == []
    funding = payload(await client.execute(FUNDING, {"year": 2025}, tenant=other, actor=theirs))
    assert funding == {"totalCents": 0, "lines": []}
    for query, id in (
        (DELETE, written["narrative"]["id"]),
        (
            """mutation($id: ID!) { deleteFunding(id: $id) { deletedId errors { code field } } }""",
            line["funding"]["id"],
        ),
    ):
        answer = payload(await client.execute(query, {"id": id}, tenant=other, actor=theirs))
        assert answer == {"deletedId": None, "errors": [{"code": "NOT_FOUND", "field": "id"}]}
    rewrite = payload(
        await client.execute(
            WRITE,
            {
                "id": written["narrative"]["id"],
                "input": {"year": 2025, "kind": "news", "body": "y"},
            },
            tenant=other,
            actor=theirs,
        )
    )
    assert [e["code"] for e in rewrite["errors"]] == ["NOT_FOUND"]

    staff = actor("staff")
    assert len(payload(await client.execute(LIST, {"year": 2025}, tenant=pole, actor=staff))) == 1
    refused = await client.execute(
        WRITE, {"input": {"year": 2025, "kind": "news", "body": "z"}}, tenant=pole, actor=staff
    )
    assert error_codes(refused) == ["FORBIDDEN"]


def test_markdown_keeps_only_what_a_report_section_needs():
    html = to_html(
        '<b onclick="x">gras</b> *oui*\n\n<iframe src="https://x"></iframe>\n\n'
        "## Titre\n\n> cité\n\n- un\n- deux\n\n[courriel](mailto:pole@exemple.fr)"
    )
    # Typed markup is shown as text, never markup.
    assert "<b " not in html and "<iframe" not in html
    assert "&lt;b onclick" in html
    assert "<em>oui</em>" in html
    assert "<h3>Titre</h3>" in html
    assert "<blockquote>" in html and "<li>deux</li>" in html
    assert 'href="mailto:pole@exemple.fr"' in html


async def test_the_demo_poles_get_their_texts_once(db: Database, two_poles: TwoPoles) -> None:
    pole = two_poles.a
    pole.slug = "pas-de-calais"  # the seed picks the demo texts by slug
    for _ in range(2):
        async with db.session(pole.id) as session:
            await seed_report(pole, session)
            await session.commit()
    async with db.session(pole.id) as session:
        narratives = (await session.execute(select(ReportNarrative.year))).scalars().all()
        fundings = (await session.execute(select(Funding.amount_cents))).scalars().all()
    assert sorted(narratives) == [2024] * 3 + [2025] * 3
    assert len(fundings) == 6 and all(amount > 0 for amount in fundings)
