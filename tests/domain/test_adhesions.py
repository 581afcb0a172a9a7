"""Adhesions, conventions, the price list, invoices and payments through the real API
and the real report routes: a commune's convention, a public structure's adhesion under
it, invoiced, printed and paid; families' first year free; coded errors with nothing
written; numbering gap-free under concurrency (both databases); isolation, roles, audited
reads, constant-statement pages."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.access.actions import Actor, Caller
from core.audit.models import AuditEvent
from core.domain.adhesions import billing
from core.domain.adhesions.models import (
    Adhesion,
    Convention,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Payment,
    PriceListItem,
)
from core.domain.families.models import Family
from core.domain.structures.models import Organisation
from core.tenancy.database import Database
from core.testing.client import GraphQLClient, error_codes
from tests.api.conftest import TwoPoles

PRICE = """mutation($input: PriceInput!) { setPrice(input: $input) {
  item { code label amountCents validFrom unit { label } } errors { code field } } }"""
CONVENTION = """mutation($input: ConventionInput!) { createConvention(input: $input) {
  convention { id partyName commune { inseeCode name } status { value label }
    yearlyAmountCents population
    ratePerInhabitant services { label } }
  errors { code field message } } }"""
STATUS = """mutation($id: ID!, $status: String!, $on: Date!) {
  setConventionStatus(id: $id, input: { status: $status, on: $on }) {
    convention { status { value label } signedOn endsOn } errors { code field } } }"""
ORGANISATION = """mutation($name: String!, $kind: String!, $c: String, $siren: String) {
  createOrganisation(input: { name: $name, kind: $kind, communeInsee: $c, siren: $siren }) {
    organisation { id commune { name } } errors { code field } } }"""
ADHERE = """mutation($input: AdhesionInput!) { registerAdhesion(input: $input) {
  adhesion { id year category { value label } memberName amountCents firstYearFree
    convention { title } invoice { number status { value } } }
  errors { code field message } } }"""
INVOICE = """mutation($input: InvoiceInput!, $on: Date) {
  createInvoice(input: $input, issueOn: $on) {
  invoice { id number status { value label } customerName totalCents balanceCents
    issuedOn dueOn htmlUrl pdfUrl lines { kind { value } label quantity unitCents totalCents } }
  errors { code field message } } }"""
ISSUE = """mutation($id: ID!, $on: Date!) { issueInvoice(id: $id, issuedOn: $on) {
  invoice { number status { value } } errors { code field } } }"""
CANCEL = """mutation($id: ID!, $on: Date!, $reason: String!) {
  cancelInvoice(id: $id, input: { on: $on, reason: $reason }) {
    invoice { number status { value } } errors { code field } } }"""
PAY = """mutation($input: PaymentInput!) { recordPayment(input: $input) {
  invoice { status { value label } paidCents balanceCents
    payments { amountCents method { label } } }
  errors { code field message } } }"""


def actor(*roles: str) -> Actor:
    return Actor(
        subject=f"test:adh-{uuid.uuid4().hex[:8]}",
        display_name="Coordinatrice de test",
        roles=frozenset(roles),
    )


async def run(client: GraphQLClient, pole: Any, who: Actor, query: str, **variables: Any) -> Any:
    result = await client.execute(query, variables, tenant=pole, actor=who)
    assert "errors" not in result, result
    (value,) = result["data"].values()
    return value


async def prices(client: GraphQLClient, pole: Any, who: Actor) -> None:
    for code, amount, unit in (
        ("adhesion_family", 500, "year"),
        ("adhesion_association", 10000, "year"),
        ("adhesion_public", 8000, "year"),
        ("kit_loan", 3500, "loan"),
        ("onsite_session_hour", 5000, "hour_speaker"),
    ):
        done = await run(
            client,
            pole,
            who,
            PRICE,
            input={"code": code, "amountCents": amount, "validFrom": "2025-01-01", "unit": unit},
        )
        assert done["errors"] == [], code


async def test_a_communes_convention_opens_a_public_adhesion_invoiced_and_printed(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    """Done-when: through GraphQL alone, a collective adhesion under a commune's
    convention, invoiced, its PDF read, paid in two payments."""
    pole, who = two_poles.a, actor("coordinator")
    await prices(client, pole, who)
    town = await run(
        client, pole, who, ORGANISATION, name="Commune de Béthune", kind="commune", c="62119"
    )
    town_id = town["organisation"]["id"]
    assert town["organisation"]["commune"] == {"name": "Béthune"}
    refused = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-03-01", "organisationId": town_id},
    )
    assert refused["errors"][0]["field"] == "organisationId"
    assert "convention" in refused["errors"][0]["message"]

    made = await run(
        client,
        pole,
        who,
        CONVENTION,
        input={
            "title": "Convention de partenariat Béthune 2026-2028",
            "communeInsee": "62119",
            "organisationId": town_id,
            "pricing": "per_inhabitant",
            "ratePerInhabitant": "0.03",
            "startsOn": "2026-01-01",
            "endsOn": "2028-12-31",
            "services": ["public_adhesions", "onsite_sessions"],
        },
    )
    convention = made["convention"]
    assert made["errors"] == []
    assert convention["partyName"] == "Commune de Béthune"
    assert convention["commune"] == {"inseeCode": "62119", "name": "Béthune"}
    assert convention["status"] == {"value": "draft", "label": "En préparation"}
    # 0,03 € × 25 224 inhabitants (territory data) = 756,72 €.
    assert convention["population"] == 25224 and convention["yearlyAmountCents"] == 75672
    assert convention["ratePerInhabitant"] == "0.0300"
    # A draft convention covers nobody yet.
    still = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-03-01", "organisationId": town_id},
    )
    assert still["errors"][0]["field"] == "organisationId"
    signed = await run(
        client, pole, who, STATUS, id=convention["id"], status="signed", on="2026-02-10"
    )
    assert signed["convention"]["status"]["label"] == "Signée"

    adhered = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-03-01", "organisationId": town_id},
    )
    adhesion = adhered["adhesion"]
    assert adhesion["category"]["value"] == "public"
    assert adhesion["amountCents"] == 8000 and adhesion["firstYearFree"] is False
    assert adhesion["convention"]["title"] == "Convention de partenariat Béthune 2026-2028"

    invoiced = await run(
        client,
        pole,
        who,
        INVOICE,
        input={
            "lines": [
                {"adhesionId": adhesion["id"]},
                {"conventionId": convention["id"], "year": 2026},
                {"priceCode": "onsite_session_hour", "quantity": "1.5"},
            ]
        },
        on="2026-03-02",
    )
    assert invoiced["errors"] == []
    invoice = invoiced["invoice"]
    assert invoice["number"] == "2026-0001"
    assert invoice["status"] == {"value": "issued", "label": "Émise"}
    assert invoice["customerName"] == "Commune de Béthune"
    assert invoice["dueOn"] == "2026-04-01"
    assert [line["totalCents"] for line in invoice["lines"]] == [8000, 75672, 7500]
    assert invoice["lines"][2]["quantity"] == "1.50"
    assert invoice["totalCents"] == invoice["balanceCents"] == 91172

    again = await run(client, pole, who, INVOICE, input={"lines": [{"adhesionId": adhesion["id"]}]})
    assert again["errors"] == [
        {
            "code": "CONFLICT",
            "field": "lines.0.adhesionId",
            "message": "adhésion déjà facturée (facture 2026-0001)",
        }
    ]
    listed = await client.execute(
        "{ adhesions(year: 2026) { totalCount edges { node { invoice { number } } } } }",
        tenant=pole,
        actor=who,
    )
    assert listed["data"]["adhesions"]["edges"][0]["node"]["invoice"] == {"number": "2026-0001"}

    headers = await client.auth_headers(pole, who)
    html = await client.http.get(invoice["htmlUrl"], headers=headers)
    assert html.status_code == 200 and "Facture n° 2026-0001" in html.text
    assert "Commune de Béthune" in html.text and "911,72 €" in html.text.replace("\u202f", "")
    pdf = await client.http.get(invoice["pdfUrl"], headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "facture-2026-0001.pdf" in pdf.headers["content-disposition"]

    over = await run(
        client,
        pole,
        who,
        PAY,
        input={
            "invoiceId": invoice["id"],
            "paidOn": "2026-03-20",
            "amountCents": 100000,
            "method": "transfer",
        },
    )
    assert over["errors"][0]["field"] == "amountCents"
    part = await run(
        client,
        pole,
        who,
        PAY,
        input={
            "invoiceId": invoice["id"],
            "paidOn": "2026-03-20",
            "amountCents": 50000,
            "method": "transfer",
        },
    )
    assert part["invoice"]["status"]["label"] == "Partiellement payée"
    assert part["invoice"]["balanceCents"] == 41172
    rest = await run(
        client,
        pole,
        who,
        PAY,
        input={
            "invoiceId": invoice["id"],
            "paidOn": "2026-04-02",
            "amountCents": 41172,
            "method": "cheque",
            "reference": "Chèque n° 0000123 (fictif)",
        },
    )
    assert rest["invoice"]["status"] == {"value": "paid", "label": "Payée"}
    assert [p["method"]["label"] for p in rest["invoice"]["payments"]] == ["Virement", "Chèque"]
    cancel = await run(client, pole, who, CANCEL, id=invoice["id"], on="2026-04-03", reason="x")
    assert cancel["errors"][0]["code"] == "CONFLICT"
    printed = await client.http.get(invoice["htmlUrl"], headers=headers)
    assert "Payée" in printed.text and "Chèque" in printed.text

    async with db.session(pole.id) as session:
        reads = (
            (
                await session.execute(
                    select(AuditEvent).where(
                        AuditEvent.object_type == "Invoice", AuditEvent.action == "read"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sum("document" in r.fields for r in reads) == 3


async def test_families_first_year_free_then_the_fee_in_force(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("staff")
    coordinator = actor("coordinator")
    async with db.session(pole.id) as session:
        family = Family(
            name="Famille Fictive", search_name="famille fictive", commune_insee="62119"
        )
        session.add(family)
        await session.commit()
        family_id = str(family.id)
    first = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2025, "joinedOn": "2025-02-01", "familyId": family_id},
    )
    assert first["adhesion"]["amountCents"] == 0 and first["adhesion"]["firstYearFree"] is True
    no_price = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-01-15", "familyId": family_id},
    )
    assert no_price["errors"][0]["field"] == "amountCents"
    await prices(client, pole, coordinator)
    # A new fee from 2026-06-01: an adhesion of January keeps the old one.
    await run(
        client,
        pole,
        coordinator,
        PRICE,
        input={
            "code": "adhesion_family",
            "amountCents": 700,
            "validFrom": "2026-06-01",
            "unit": "year",
        },
    )
    second = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-01-15", "familyId": family_id},
    )
    assert second["adhesion"]["amountCents"] == 500 and second["adhesion"]["firstYearFree"] is False
    twice = await run(
        client,
        pole,
        who,
        ADHERE,
        input={"year": 2026, "joinedOn": "2026-02-15", "familyId": family_id},
    )
    assert twice["errors"] == [
        {"code": "CONFLICT", "field": "year", "message": "déjà adhérent en 2026"}
    ]
    in_force = await client.execute(
        '{ priceList(on: "2026-07-01", codes: ["adhesion_family"]) '
        "{ edges { node { amountCents } } } "
        ' all: priceList(codes: ["adhesion_family"]) { totalCount } }',
        tenant=pole,
        actor=who,
    )
    assert in_force["data"]["priceList"]["edges"] == [{"node": {"amountCents": 700}}]
    assert in_force["data"]["all"]["totalCount"] == 2
    # A free adhesion is nothing to invoice; staff may not invoice at all.
    free = await run(
        client,
        pole,
        coordinator,
        INVOICE,
        input={"lines": [{"adhesionId": first["adhesion"]["id"]}]},
    )
    assert free["errors"][0]["field"] == "lines.0.adhesionId"
    refused = await client.execute(
        INVOICE,
        {"input": {"lines": [{"adhesionId": second["adhesion"]["id"]}]}},
        tenant=pole,
        actor=who,
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    family_invoice = await run(
        client,
        pole,
        coordinator,
        INVOICE,
        input={"lines": [{"adhesionId": second["adhesion"]["id"]}]},
    )
    assert family_invoice["invoice"]["customerName"] == "Famille Fictive"
    assert family_invoice["invoice"]["number"] is None  # a draft until issued

    # Renewals: adhesions of 2025 not renewed in 2026, and of 2026 not renewed in 2027.
    renewals = """query($y: Int!) { adhesionRenewals(year: $y) { totalCount
      edges { node { year memberName } } } }"""
    assert (await run(client, pole, who, renewals, y=2026))["totalCount"] == 0
    due = await run(client, pole, who, renewals, y=2027)
    assert due["edges"] == [{"node": {"year": 2026, "memberName": "Famille Fictive"}}]


async def test_collective_adhesions_follow_the_gestionnaire_kind_and_coverage(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    await prices(client, pole, who)

    async def organisation(
        name: str, kind: str, c: str | None = None, siren: str | None = None
    ) -> str:
        made = await run(client, pole, who, ORGANISATION, name=name, kind=kind, c=c, siren=siren)
        return made["organisation"]["id"]

    association = await organisation("Association Les Copains (fictive)", "association", "62498")
    company = await organisation("Crèches SARL (fictive)", "company", "62498")
    ccas = await organisation("CCAS de Lens", "ccas", "62498")
    epci = await organisation("CA de Lens - Liévin", "epci", "62498", "246200364")
    arras = await organisation("Commune d'Arras", "commune", "62041")

    def adhere(org: str, year: int = 2026) -> Any:
        return run(
            client,
            pole,
            who,
            ADHERE,
            input={"year": year, "joinedOn": "2026-05-01", "organisationId": org},
        )

    assert (await adhere(association))["adhesion"]["amountCents"] == 10000
    assert (await adhere(company))["errors"][0]["field"] == "organisationId"
    assert (await adhere(ccas))["errors"][0]["field"] == "organisationId"
    # The EPCI signs a flat convention: the CCAS of one of its communes, and the EPCI
    # itself, may now adhere; Arras (another EPCI) may not.
    flat = await run(
        client,
        pole,
        who,
        CONVENTION,
        input={
            "title": "Convention CA de Lens - Liévin",
            "epciSiren": "246200364",
            "pricing": "flat",
            "flatAmountCents": 250000,
            "startsOn": "2026-01-01",
            "endsOn": "2026-12-31",
        },
    )
    await run(
        client, pole, who, STATUS, id=flat["convention"]["id"], status="signed", on="2026-01-05"
    )
    covered = await adhere(ccas)
    assert covered["adhesion"]["convention"]["title"] == "Convention CA de Lens - Liévin"
    assert (await adhere(epci))["adhesion"]["category"]["value"] == "public"
    assert (await adhere(arras))["errors"][0]["field"] == "organisationId"
    assert (await adhere(association, 2030))["errors"][0]["field"] == "joinedOn"

    covering = """query($c: String!, $on: Date) { conventionsCovering(communeInsee: $c, on: $on) {
      title partyName } }"""
    lens = await run(client, pole, who, covering, c="62498", on="2026-06-01")
    assert lens == [{"title": "Convention CA de Lens - Liévin", "partyName": "CA de Lens - Liévin"}]
    assert await run(client, pole, who, covering, c="62498", on="2027-01-01") == []
    assert await run(client, pole, who, covering, c="62041", on="2026-06-01") == []
    ended = await run(
        client, pole, who, STATUS, id=flat["convention"]["id"], status="ended", on="2026-06-30"
    )
    assert ended["convention"]["endsOn"] == "2026-06-30"
    assert await run(client, pole, who, covering, c="62498", on="2026-07-01") == []
    unknown = await client.execute(covering, {"c": "99999"}, tenant=pole, actor=who)
    assert error_codes(unknown) == ["VALIDATION"]


async def test_bad_input_is_named_and_nothing_is_written(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("pole_admin")
    base = {
        "title": "Convention",
        "communeInsee": "62119",
        "pricing": "per_inhabitant",
        "ratePerInhabitant": "0.03",
        "startsOn": "2026-01-01",
        "endsOn": "2026-12-31",
    }
    cases = [
        ({"communeInsee": "55039"}, "communeInsee"),  # no population in the territory data
        ({"communeInsee": "00000"}, "communeInsee"),
        ({"communeInsee": None}, "communeInsee"),
        ({"epciSiren": "246200364"}, "communeInsee"),
        ({"endsOn": "2025-12-31"}, "endsOn"),
        ({"pricing": "barter"}, "pricing"),
        ({"ratePerInhabitant": "0.00001"}, "ratePerInhabitant"),
        ({"ratePerInhabitant": None}, "ratePerInhabitant"),
        ({"pricing": "flat"}, "flatAmountCents"),
        ({"services": ["kit_loans", "teleportation"]}, "services.1"),
        ({"title": "  "}, "title"),
        ({"organisationId": str(uuid.uuid4())}, "organisationId"),
    ]
    for changes, field in cases:
        result = await run(client, pole, who, CONVENTION, input={**base, **changes})
        assert [e["field"] for e in result["errors"]] == [field], changes
    population = await run(client, pole, who, CONVENTION, input={**base, "communeInsee": "55039"})
    assert population["errors"][0]["code"] == "VALIDATION"
    assert "population" in population["errors"][0]["message"]
    flat = await run(
        client,
        pole,
        who,
        CONVENTION,
        input={**base, "communeInsee": "55039", "pricing": "flat", "flatAmountCents": 10000},
    )
    assert flat["errors"] == []

    price_cases = [
        ({"code": "Kit Loan"}, "code"),
        ({"unit": "per_moon"}, "unit"),
        ({"amountCents": -1}, "amountCents"),
        ({"code": "own_service"}, "label"),
    ]
    for changes, field in price_cases:
        result = await run(
            client,
            pole,
            who,
            PRICE,
            input={
                "code": "kit_loan",
                "amountCents": 3500,
                "validFrom": "2026-01-01",
                "unit": "loan",
                **changes,
            },
        )
        assert [e["field"] for e in result["errors"]] == [field], changes

    line_cases = [
        ([], "lines"),
        ([{"priceCode": "kit_loan"}], "lines.0.priceCode"),  # no price yet
        ([{"label": "Atelier", "unitCents": 1000, "quantity": "0"}], "lines.0.quantity"),
        ([{"label": "Atelier", "unitCents": 1000, "quantity": "1.234"}], "lines.0.quantity"),
        ([{"label": "", "unitCents": 1000}], "lines.0.label"),
        ([{"label": "Atelier"}], "lines.0.unitCents"),
        ([{"label": "Atelier", "unitCents": 0}], "lines"),
        ([{"adhesionId": str(uuid.uuid4())}], "lines.0.adhesionId"),
        ([{"conventionId": flat["convention"]["id"], "year": 2026}], "lines.0.conventionId"),
    ]
    for lines, field in line_cases:
        result = await run(
            client, pole, who, INVOICE, input={"lines": lines, "customerName": "Client"}
        )
        assert [e["field"] for e in result["errors"]] == [field], lines
    anonymous = await run(
        client, pole, who, INVOICE, input={"lines": [{"label": "Atelier", "unitCents": 1000}]}
    )
    assert anonymous["errors"][0]["field"] == "customerName"
    future = await run(
        client,
        pole,
        who,
        INVOICE,
        input={"lines": [{"label": "Atelier", "unitCents": 1000}], "customerName": "Client"},
        on="2099-01-01",
    )
    assert future["errors"][0]["field"] == "issuedOn"
    async with db.session(pole.id) as session:
        for model in (Invoice, InvoiceLine, InvoiceCounter, PriceListItem, Adhesion, Payment):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model
        assert await session.scalar(select(func.count()).select_from(Convention)) == 1


async def test_numbers_are_consecutive_per_year_and_never_reused(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    line = {"label": "Sensibilisation (fictive)", "unitCents": 5000, "quantity": "2"}

    async def invoice(on: str | None) -> Any:
        return await run(
            client, pole, who, INVOICE, input={"lines": [line], "customerName": "Client"}, on=on
        )

    draft = await invoice(None)
    assert draft["invoice"]["number"] is None and draft["invoice"]["totalCents"] == 10000
    first = await invoice("2025-12-30")
    second = await invoice("2026-01-05")
    third = await invoice("2026-01-06")
    assert [
        first["invoice"]["number"],
        second["invoice"]["number"],
        third["invoice"]["number"],
    ] == [
        "2025-0001",
        "2026-0001",
        "2026-0002",
    ]
    # A cancelled invoice keeps its number; the next one does not take it again.
    cancelled = await run(
        client,
        pole,
        who,
        CANCEL,
        id=third["invoice"]["id"],
        on="2026-01-07",
        reason="Erreur de destinataire",
    )
    assert cancelled["invoice"] == {"number": "2026-0002", "status": {"value": "cancelled"}}
    # Numbers follow dates: an issue dated before the last one is refused, number unused.
    early = await run(client, pole, who, ISSUE, id=draft["invoice"]["id"], on="2026-01-04")
    assert early["errors"] == [{"code": "VALIDATION", "field": "issuedOn"}]
    issued = await run(client, pole, who, ISSUE, id=draft["invoice"]["id"], on="2026-01-08")
    assert issued["invoice"]["number"] == "2026-0003"
    twice = await run(client, pole, who, ISSUE, id=draft["invoice"]["id"], on="2026-01-09")
    assert twice["errors"][0]["code"] == "CONFLICT"
    # The other pole counts on its own.
    other = await run(
        client,
        two_poles.b,
        actor("coordinator"),
        INVOICE,
        input={"lines": [line], "customerName": "Client"},
        on="2026-01-05",
    )
    assert other["invoice"]["number"] == "2026-0001"
    listed = await client.execute(
        "{ invoices(year: 2026) { edges { node { number status { value } } } } "
        ' unpaid: invoices(overdueOn: "2026-03-01") { totalCount } }',
        tenant=pole,
        actor=who,
    )
    assert [e["node"]["number"] for e in listed["data"]["invoices"]["edges"]] == [
        "2026-0003",
        "2026-0002",
        "2026-0001",
    ]
    assert listed["data"]["unpaid"]["totalCount"] == 3  # 2025-0001, 2026-0001, 2026-0003


@pytest.mark.parametrize("counter_exists", [False, True])
async def test_two_invoices_issued_at_once_get_two_consecutive_numbers(
    client: GraphQLClient, db: Database, two_poles: TwoPoles, counter_exists: bool
) -> None:
    pole = two_poles.a
    caller = Caller(actor("coordinator"), client.app.state.host.actions)
    day = dt.date(2026, 2, 2)
    drafts = []
    for _ in range(2 + counter_exists):
        async with db.session(pole.id) as session:
            made = await billing.create_invoice(
                session,
                caller,
                billing.InvoiceInput(
                    lines=[billing.LineInput(label="Atelier (fictif)", unit_cents=1000)],
                    customer_name="Client",
                ),
            )
            await session.commit()
            drafts.append(made.id)
    if counter_exists:
        async with db.session(pole.id) as session:
            await billing.issue_invoice(session, caller, drafts.pop(), on=day)
            await session.commit()
    started = asyncio.Event()
    order: list[str] = []

    async def first() -> str:
        async with db.session(pole.id) as session:
            row = await billing.issue_invoice(session, caller, drafts[0], on=day)
            started.set()
            # Hold the counter's lock while the second transaction tries to take it.
            await asyncio.sleep(0.5)
            order.append("first commits")
            await session.commit()
            return str(row.number)

    async def second() -> str:
        await started.wait()
        async with db.session(pole.id) as session:
            row = await billing.issue_invoice(session, caller, drafts[1], on=day)
            order.append("second issued")
            await session.commit()
            return str(row.number)

    numbers = await asyncio.gather(first(), second())
    base = 1 + counter_exists
    assert numbers == [f"2026-{base:04d}", f"2026-{base + 1:04d}"]
    assert order == ["first commits", "second issued"]  # the second waited for the lock


async def test_isolation_and_roles(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    made = await run(
        client,
        pole,
        who,
        INVOICE,
        input={"lines": [{"label": "Atelier", "unitCents": 1000}], "customerName": "Client"},
        on="2026-01-05",
    )
    invoice = made["invoice"]
    other = actor("coordinator")
    query = (
        "{ invoices { totalCount } adhesions { totalCount } conventions { totalCount } "
        "priceList { totalCount } }"
    )
    seen = await client.execute(query, tenant=two_poles.b, actor=other)
    assert set(map(lambda v: v["totalCount"], seen["data"].values())) == {0}
    node = await client.execute(
        f'{{ node(id: "{invoice["id"]}") {{ id }} }}', tenant=two_poles.b, actor=other
    )
    assert node["data"]["node"] is None
    headers = await client.auth_headers(two_poles.b, other)
    assert (await client.http.get(invoice["pdfUrl"], headers=headers)).status_code == 404
    assert (await client.http.get(invoice["pdfUrl"])).status_code == 401
    family = await client.auth_headers(pole, actor("family"))
    assert (await client.http.get(invoice["htmlUrl"], headers=family)).status_code == 403
    for role in ("family", "partner_structure", "referent", "network_analyst", "platform_admin"):
        for field in ("invoices", "adhesions", "conventions", "priceList"):
            one = await client.execute(
                f"{{ {field} {{ totalCount }} }}", tenant=pole, actor=actor(role)
            )
            assert error_codes(one) == ["FORBIDDEN"], (role, field)
    psychologist = actor("psychologist")
    assert "errors" not in await client.execute(query, tenant=pole, actor=psychologist)
    for role in ("psychologist", "staff"):
        pay = await client.execute(
            PAY,
            {
                "input": {
                    "invoiceId": invoice["id"],
                    "paidOn": "2026-01-06",
                    "amountCents": 100,
                    "method": "cash",
                }
            },
            tenant=pole,
            actor=actor(role),
        )
        assert error_codes(pay) == ["FORBIDDEN"], role
    async with db.session(pole.id) as session:
        assert (await session.execute(select(Invoice.paid_cents))).scalar() == 0


async def test_pages_cost_the_same_for_5_and_25(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    pole, who = two_poles.a, actor("coordinator")
    await client.auth_headers(pole, who)
    async with db.session(pole.id) as session:
        convention = Convention(
            title="Convention (fictive)",
            commune_insee="62119",
            pricing="flat",
            yearly_amount_cents=100000,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            status="signed",
            services=["kit_loans"],
        )
        session.add(convention)
        await session.commit()
        convention_id = convention.id

    async def fill(count: int) -> None:
        async with db.session(pole.id) as session:
            have = await session.scalar(select(func.count()).select_from(Adhesion)) or 0
            for i in range(have, count):
                if i % 2:
                    member: Any = Family(
                        name=f"Famille {i}", search_name=f"famille {i}", commune_insee="62119"
                    )
                else:
                    member = Organisation(
                        name=f"Commune {i}",
                        search_name=f"commune {i}",
                        kind="commune",
                        commune_insee="62119",
                    )
                session.add(member)
                await session.flush()
                adhesion = Adhesion(
                    year=2026,
                    category="family" if i % 2 else "public",
                    family_id=member.id if i % 2 else None,
                    organisation_id=None if i % 2 else member.id,
                    convention_id=None if i % 2 else convention_id,
                    joined_on=dt.date(2026, 2, 1),
                    amount_cents=500,
                    recorded_by="test",
                )
                session.add(adhesion)
                await session.flush()
                invoice = Invoice(
                    status="paid",
                    year=2026,
                    sequence=i + 1,
                    number=f"2026-{i + 1:04d}",
                    customer_name=f"Client {i}",
                    issued_on=dt.date(2026, 2, 1),
                    total_cents=500,
                    paid_cents=500,
                )
                session.add(invoice)
                await session.flush()
                session.add(
                    InvoiceLine(
                        invoice_id=invoice.id,
                        position=1,
                        kind="adhesion",
                        label="Adhésion 2026",
                        quantity_hundredths=100,
                        unit_cents=500,
                        total_cents=500,
                        adhesion_id=adhesion.id,
                    )
                )
                session.add(
                    Payment(
                        invoice_id=invoice.id,
                        paid_on=dt.date(2026, 2, 2),
                        amount_cents=500,
                        method="card",
                        recorded_by="test",
                    )
                )
            await session.commit()

    queries = [
        """{ adhesions(first: 100) { edges { node { memberName category { label }
          organisation { name } convention { title partyName organisation { name } }
          invoice { number status { label } } } } } }""",
        """{ invoices(first: 100) { edges { node { number customerName
          lines { label totalCents } payments { amountCents method { label } } } } } }""",
    ]
    statements: list[str] = []

    def count(*args: Any, **_kw: Any) -> None:
        statements.append(args[2])

    measured: dict[str, list[int]] = {q: [] for q in queries}
    for size in (5, 25):
        await fill(size)
        for query in queries:
            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            try:
                statements.clear()
                result = await client.execute(query, tenant=pole, actor=who)
                (connection,) = result["data"].values()
                assert len(connection["edges"]) == size
                measured[query].append(len(statements))
            finally:
                event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    for query, counts in measured.items():
        assert counts[0] == counts[1], (query, counts)


async def test_the_demo_history_is_consistent_for_both_poles(
    client: GraphQLClient, db: Database, two_poles: TwoPoles
) -> None:
    from core.domain.adhesions.demo import seed_adhesions
    from core.domain.structures.demo import seed_directory
    from core.territory.models import Commune

    renewals = 0
    for pole, town in ((two_poles.a, "62119"), (two_poles.b, "63300")):
        pole.contact = {"commune": town}
        for _ in range(2):  # idempotent
            async with db.session(pole.id) as session:
                await seed_directory(pole, session)
                await seed_adhesions(pole, session)
                await session.commit()
        async with db.session(pole.id) as session:
            years = set((await session.execute(select(Adhesion.year))).scalars())
            assert years == {2025, 2026}
            conventions = {c.id: c for c in (await session.execute(select(Convention))).scalars()}
            assert {c.status for c in conventions.values()} == {"signed", "draft"}
            assert any(c.epci_siren for c in conventions.values())
            for c in conventions.values():
                if c.pricing == "per_inhabitant":
                    commune = await session.get(Commune, c.commune_insee)
                    assert commune is not None and c.population == commune.population
                    assert c.yearly_amount_cents == round(300 * commune.population / 100)
            for a in (
                await session.execute(select(Adhesion).where(Adhesion.category == "public"))
            ).scalars():
                covering = conventions[a.convention_id]  # type: ignore[index]
                assert covering.status == "signed"
                assert covering.starts_on <= a.joined_on <= covering.ends_on
            invoices = list(
                (
                    await session.execute(select(Invoice).order_by(Invoice.year, Invoice.sequence))
                ).scalars()
            )
            counters = {
                c.year: c.last_sequence
                for c in (await session.execute(select(InvoiceCounter))).scalars()
            }
            paid = dict(
                (
                    await session.execute(
                        select(Payment.invoice_id, func.sum(Payment.amount_cents)).group_by(
                            Payment.invoice_id
                        )
                    )
                ).all()
            )
            for year in (2025, 2026):
                of_year = [i for i in invoices if i.year == year]
                assert [i.sequence for i in of_year] == list(range(1, len(of_year) + 1))
                assert counters[year] == len(of_year)
                dates = [i.issued_on for i in of_year]
                assert dates == sorted(dates)  # type: ignore[type-var]
            statuses = set()
            for i in invoices:
                assert i.paid_cents == paid.get(i.id, 0)
                statuses.add(i.status)
                expected = (
                    "paid"
                    if i.paid_cents == i.total_cents
                    else ("partly_paid" if i.paid_cents else "issued")
                )
                assert i.status == expected
            assert {"paid", "partly_paid", "issued"} <= statuses
        result = await client.execute(
            "{ adhesionRenewals(year: 2026) { totalCount } }", tenant=pole, actor=actor("staff")
        )
        renewals += result["data"]["adhesionRenewals"]["totalCount"]
    assert renewals > 0
