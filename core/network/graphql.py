"""GraphQL face of the national network: releases, their cells, the comparison
across poles, and the workflow's mutations (prepare and submit for a pole's
administrator, approve for the network's coordinator).

The network's reads run as the network's database role (``network_reader``); a pole
administrator's preview reads the pole's own copy, with each hidden cell's true value
and full reason, and is never shown to the network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller, parse_id
from core.api.limits import chars_field
from core.api.payloads import UserError, user_errors
from core.errors import NotFoundError
from core.network import actions, comparison, releases, signed, territory
from core.network.catalogue import CatalogueEntry
from core.network.models import (
    NetworkPole,
    NetworkRelease,
    NetworkReleaseCell,
    NetworkReleaseSource,
)
from core.network.reader import network_reader
from core.network.setup import set_catalogue
from core.territory.graphql import Commune, commune_of


@asynccontextmanager
async def _network_session(ctx: Context) -> AsyncIterator[AsyncSession]:
    async with (
        ctx.db_session() as session,
        network_reader(session, ctx.settings.network_role) as reader,
    ):
        yield reader


@strawberry.type(description="Une coordonnée d'une case : dimension, catégorie et libellé.")
class NetworkCoordinate:
    dimension: str
    code: str
    label: str


@strawberry.type(
    description="Une case publiée d'une publication : un total, une marge ou une case "
    "ventilée. Masquée, elle n'a pas de valeur et porte sa raison."
)
class NetworkCell:
    figure: str = strawberry.field(description="Code du chiffre (casework.children_followed…).")
    coordinates: list[NetworkCoordinate] = strawberry.field(
        description="Vide pour le total du chiffre."
    )
    value: int | None = strawberry.field(description="Null quand la case est masquée.")
    hidden: bool
    reason: str | None = strawberry.field(description="Pourquoi la case est masquée.")

    @classmethod
    def of(cls, row: NetworkReleaseCell) -> NetworkCell:
        return cls(
            figure=row.figure,
            coordinates=_coordinates(row.coords, row.labels or {}),
            value=row.value,
            hidden=row.value is None,
            reason=row.reason,
        )


def _coordinates(coords: str, labels: dict[str, str]) -> list[NetworkCoordinate]:
    return [
        NetworkCoordinate(dimension=d, code=c, label=labels.get(d, c))
        for d, c in releases.coords_pairs(coords)
    ]


@strawberry.type(description="Les chiffres de la note de clôture d'une publication.")
class NetworkProtection:
    cells: int
    primary: int = strawberry.field(description="Cases masquées par secret primaire.")
    secondary: int = strawberry.field(description="Cases masquées par secret secondaire.")
    inherited: int = strawberry.field(description="Cases masquées héritées d'une version.")
    smallest_interval: float | None = strawberry.field(
        description="La plus petite fourchette (max − min) trouvée par l'audit ; null sans "
        "case masquée, ou quand aucune n'a de borne (fourchette infinie)."
    )


@strawberry.type(description="Un pôle du réseau.")
class NetworkPoleType:
    code: str
    name: str
    departement_code: str


@strawberry.type(
    name="NetworkRelease",
    description="Une version de la publication d'un pôle pour une période fixe.",
)
class NetworkReleaseType:
    id: strawberry.ID
    pole: NetworkPoleType
    period: str = strawberry.field(description="« 2025 », « 2025-S1 » ou « 2025-S2 ».")
    version: int
    status: str = strawberry.field(description="draft, submitted ou published.")
    status_label: str
    k: int = strawberry.field(description="Le seuil du secret statistique.")
    catalogue_version: int
    reason: str = strawberry.field(description="La raison d'une correction (vide en v1).")
    population: int = strawberry.field(
        description="La population des chiffres pour 10 000 habitants : celle du territoire "
        "déclaré par le pôle, sinon de son département, à la préparation."
    )
    population_source: str = strawberry.field(
        description="D'où vient la population, en mots (jamais la liste des communes)."
    )
    protection: NetworkProtection
    prepared_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str | None
    imported: bool = strawberry.field(
        description="Importée du document signé d'une autre installation (elle s'exporte "
        "depuis celle-ci seulement)."
    )
    _id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: NetworkRelease, pole: NetworkPole) -> NetworkReleaseType:
        return cls(
            id=strawberry.ID(str(row.id)),
            pole=NetworkPoleType(
                code=pole.code, name=pole.name, departement_code=pole.departement_code
            ),
            period=row.period,
            version=row.version,
            status=row.status,
            status_label=releases.STATUS_LABELS[row.status],
            k=row.k,
            catalogue_version=row.catalogue_version,
            reason=row.reason,
            population=row.population,
            population_source=row.population_source,
            protection=NetworkProtection(
                cells=row.cells_total,
                primary=row.cells_primary,
                secondary=row.cells_secondary,
                inherited=row.cells_inherited,
                # Infinite when nothing published bounds any hidden cell: no JSON number.
                smallest_interval=row.smallest_interval
                if row.smallest_interval is not None and math.isfinite(row.smallest_interval)
                else None,
            ),
            prepared_at=row.prepared_at,
            submitted_at=row.submitted_at,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            imported=row.document_id is not None,
            _id=row.id,
        )

    @strawberry.field(description="Les cases publiées (les masquées sans valeur).")
    async def cells(self, info: Info[Context, None]) -> list[NetworkCell]:
        ctx = info.context
        async with _any_session(ctx) as session:
            rows = (
                await session.execute(
                    select(NetworkReleaseCell)
                    .where(NetworkReleaseCell.release_id == self._id)
                    .order_by(NetworkReleaseCell.figure, NetworkReleaseCell.coords)
                )
            ).scalars()
            return [NetworkCell.of(r) for r in rows]


@asynccontextmanager
async def _any_session(ctx: Context) -> AsyncIterator[AsyncSession]:
    # A pole's administrator reads its own release in the pole's session; the
    # network's people read as the network's role.
    if ctx.tenant is not None:
        async with ctx.db_session() as session:
            yield session
    else:
        async with _network_session(ctx) as session:
            yield session


@strawberry.type(
    description="Une case de l'aperçu du pôle : sa vraie valeur et pourquoi elle est masquée."
)
class NetworkPreviewCell:
    figure: str
    coordinates: list[NetworkCoordinate]
    value: int = strawberry.field(description="La valeur calculée (jamais montrée au réseau).")
    secret: str | None = strawberry.field(description="primary, secondary, inherited ou null.")
    reason: str | None
    interval_min: float | None = strawberry.field(description="Bas de la fourchette de l'audit.")
    interval_max: float | None = strawberry.field(
        description="Haut de la fourchette (null : sans borne)."
    )


@strawberry.type(description="Une publication du pôle et son aperçu (cases masquées et pourquoi).")
class NetworkPoleRelease:
    release: NetworkReleaseType
    hidden_cells: list[NetworkPreviewCell]


@strawberry.type(description="Un pôle une année dans une comparaison.")
class NetworkComparisonCell:
    year: int
    value: int | None = strawberry.field(description="Null : masquée ou non publiée.")
    published: bool
    reason: str | None
    population: int | None
    population_source: str | None = strawberry.field(
        description="D'où vient la population : le département ou le territoire déclaré."
    )
    per_10000: float | None = strawberry.field(description="Pour 10 000 habitants.")
    change: float | None = strawberry.field(
        description="Évolution depuis l'année précédente (0,25 = +25 %)."
    )
    version: int | None


@strawberry.type(description="Un pôle et ses années.")
class NetworkComparisonRow:
    pole: NetworkPoleType
    years: list[NetworkComparisonCell]


@strawberry.type(description="Le total d'une année sur les pôles, des cases publiées seules.")
class NetworkComparisonTotal:
    year: int
    value: int
    population: int
    per_10000: float | None
    incomplete: bool = strawberry.field(
        description="Une case au moins est masquée ou non publiée : le total est un minimum."
    )
    poles: int


@strawberry.type(
    description="Un groupe de pairs : un pôle et les pôles dont la population est la plus "
    "proche de la sienne (rapport des populations), d'après leur dernière publication "
    "des années comparées."
)
class NetworkPeerGroup:
    pole: NetworkPoleType = strawberry.field(description="Le pôle de référence du groupe.")
    size: int = strawberry.field(description="Le nombre de pairs demandé.")
    population: int = strawberry.field(description="La population du pôle de référence.")
    population_min: int = strawberry.field(description="La plus petite population du groupe.")
    population_max: int = strawberry.field(description="La plus grande population du groupe.")
    rule: str = strawberry.field(description="La règle, en une phrase.")


def _peer_group(found: comparison.Comparison) -> NetworkPeerGroup | None:
    group = found.peer_group
    if group is None:
        return None
    pole = next(p for p in found.poles if p.code == group.pole)
    return NetworkPeerGroup(
        pole=NetworkPoleType(code=pole.code, name=pole.name, departement_code=pole.departement),
        size=group.size,
        population=group.population,
        population_min=group.population_min,
        population_max=group.population_max,
        rule=comparison.peer_rule(group.size),
    )


@strawberry.type(description="Un chiffre comparé entre pôles et années.")
class NetworkComparison:
    figure: str
    coordinates: list[NetworkCoordinate]
    years: list[int]
    rows: list[NetworkComparisonRow]
    totals: list[NetworkComparisonTotal] = strawberry.field(
        description="Par année, sur les pôles des lignes (le groupe de pairs s'il y en a un)."
    )
    peer_group: NetworkPeerGroup | None = strawberry.field(
        description="Le groupe de pairs demandé (peerOf), sinon null : tous les pôles."
    )

    @classmethod
    def of(cls, found: comparison.Comparison) -> NetworkComparison:
        return cls(
            figure=found.figure,
            coordinates=_coordinates(found.coords, {}),
            years=list(found.years),
            peer_group=_peer_group(found),
            rows=[
                NetworkComparisonRow(
                    pole=NetworkPoleType(code=p.code, name=p.name, departement_code=p.departement),
                    years=[
                        NetworkComparisonCell(
                            year=c.year,
                            value=c.value,
                            published=c.published,
                            reason=c.reason,
                            population=c.population,
                            population_source=c.population_source,
                            per_10000=c.per_10000,
                            change=c.change,
                            version=c.version,
                        )
                        for c in p.years
                    ],
                )
                for p in found.poles
            ],
            totals=[
                NetworkComparisonTotal(
                    year=t.year,
                    value=t.value,
                    population=t.population,
                    per_10000=t.per_10000,
                    incomplete=t.incomplete,
                    poles=t.poles,
                )
                for t in found.totals
            ],
        )


@strawberry.type(description="Un chiffre du catalogue du réseau et ses ventilations.")
class NetworkCatalogueEntry:
    figure: str
    tables: list[list[str]]


@strawberry.type(description="Le réseau national de cette installation.")
class NetworkInfo:
    name: str
    k: int
    catalogue_version: int
    catalogue: list[NetworkCatalogueEntry]
    poles: list[NetworkPoleType]


@strawberry.type(
    description="Un EPCI du territoire déclaré (les communes sont des objets Commune)."
)
class NetworkTerritoryPlace:
    code: str = strawberry.field(description="SIREN de l'EPCI.")
    name: str


@strawberry.type(
    description="Le territoire que le pôle déclare au réseau : sa population divise les "
    "chiffres de ses publications (pour 10 000 habitants). Sans déclaration, le département."
)
class NetworkTerritory:
    declared: bool = strawberry.field(description="Faux : le département, par défaut.")
    commune_codes: strawberry.Private[list[str]]
    epcis: list[NetworkTerritoryPlace]
    population: int = strawberry.field(
        description="Population des communes déclarées et de celles des EPCI, une fois chacune."
    )
    source: str = strawberry.field(description="D'où vient la population, en mots.")

    @strawberry.field(
        description="Les communes déclarées : un objet Commune comme partout dans le "
        "schéma (lu seulement si demandé)."
    )
    async def communes(self, info: Info[Context, None]) -> list[Commune]:
        found = await asyncio.gather(*(commune_of(info, code) for code in self.commune_codes))
        return [commune for commune in found if commune is not None]

    @classmethod
    def of(cls, found: territory.PoleTerritory) -> NetworkTerritory:
        return cls(
            declared=found.declared,
            commune_codes=[p.code for p in found.communes],
            epcis=[NetworkTerritoryPlace(code=p.code, name=p.name) for p in found.epcis],
            population=found.population,
            source=found.source,
        )


async def _poles(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, NetworkPole]:
    if not ids:
        return {}
    rows = (await session.execute(select(NetworkPole).where(NetworkPole.id.in_(ids)))).scalars()
    return {p.id: p for p in rows}


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Le réseau : nom, seuil, catalogue en vigueur, pôles.",
        extensions=[action_gate(actions.READ)],
    )
    async def network(self, info: Info[Context, None]) -> NetworkInfo:
        async with _network_session(info.context) as session:
            network = await releases.the_network(session)
            catalogue = await releases.current_catalogue(session, network)
            poles = (
                await session.execute(
                    select(NetworkPole)
                    .where(NetworkPole.network_id == network.id)
                    .order_by(NetworkPole.name)
                )
            ).scalars()
            return NetworkInfo(
                name=network.name,
                k=network.k,
                catalogue_version=catalogue.version,
                catalogue=[
                    NetworkCatalogueEntry(figure=e["figure"], tables=e["tables"])
                    for e in catalogue.entries
                ],
                poles=[
                    NetworkPoleType(code=p.code, name=p.name, departement_code=p.departement_code)
                    for p in poles
                ],
            )

    @strawberry.field(
        description="Les publications soumises et publiées, par période (la plus récente "
        "d'abord). Une version en préparation reste au pôle.",
        extensions=[action_gate(actions.READ)],
    )
    async def network_releases(
        self, info: Info[Context, None], period: str | None = None
    ) -> list[NetworkReleaseType]:
        async with _network_session(info.context) as session:
            query = select(NetworkRelease).where(NetworkRelease.status != "draft")
            if period is not None:
                query = query.where(NetworkRelease.period == period.strip())
            rows = list(
                (
                    await session.execute(
                        query.order_by(
                            NetworkRelease.period.desc(),
                            NetworkRelease.pole_id,
                            NetworkRelease.version.desc(),
                        )
                    )
                ).scalars()
            )
            poles = await _poles(session, list({r.pole_id for r in rows}))
            return [NetworkReleaseType.of(r, poles[r.pole_id]) for r in rows]

    @strawberry.field(
        description="Une publication soumise ou publiée.",
        extensions=[action_gate(actions.READ)],
    )
    async def network_release(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> NetworkReleaseType:
        release_id = parse_id(id, "id")
        async with _network_session(info.context) as session:
            row = await session.get(NetworkRelease, release_id)
            if row is None or row.status == "draft":
                raise NotFoundError("publication introuvable", field="id")
            pole = await session.get(NetworkPole, row.pole_id)
            assert pole is not None
            return NetworkReleaseType.of(row, pole)

    @strawberry.field(
        description="Un chiffre (son total, ou une case : coords « age_bracket=0-2 ») "
        "comparé entre les pôles et les années civiles, pour 10 000 habitants, avec "
        "l'évolution annuelle et les totaux des seules cases publiées ; avec peerOf, "
        "le pôle et ses pairs de population la plus proche seulement.",
        extensions=[action_gate(actions.READ)],
    )
    async def network_comparison(
        self,
        info: Info[Context, None],
        figure: str,
        years: list[int],
        coords: str = "",
        peer_of: Annotated[
            str | None,
            strawberry.argument(description="Code d'un pôle : lui et ses pairs seulement."),
        ] = None,
        peers: Annotated[
            int,
            strawberry.argument(description=f"Le nombre de pairs (1 à {comparison.MAX_PEERS})."),
        ] = comparison.DEFAULT_PEERS,
    ) -> NetworkComparison:
        async with _network_session(info.context) as session:
            return NetworkComparison.of(
                await comparison.compare(
                    session,
                    figure.strip(),
                    years,
                    coords.strip(),
                    peer_of=(peer_of or "").strip() or None,
                    peers=peers,
                )
            )

    @strawberry.field(
        description="Le territoire déclaré par le pôle en cours au réseau (ou son département).",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def pole_network_territory(self, info: Info[Context, None]) -> NetworkTerritory:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with ctx.db_session() as session:
            return NetworkTerritory.of(await territory.pole_territory(session, tenant))

    @strawberry.field(
        description="Les publications du pôle en cours, chacune avec son aperçu : les "
        "cases masquées, leur vraie valeur et pourquoi (réservé au pôle).",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def pole_network_releases(
        self, info: Info[Context, None], period: str | None = None
    ) -> list[NetworkPoleRelease]:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with ctx.db_session() as session:
            pole = await releases.pole_of(session, tenant)
            query = select(NetworkRelease).where(NetworkRelease.pole_id == pole.id)
            if period is not None:
                query = query.where(NetworkRelease.period == period.strip())
            rows = list(
                (
                    await session.execute(
                        query.order_by(NetworkRelease.period.desc(), NetworkRelease.version.desc())
                    )
                ).scalars()
            )
            sources = {
                s.release_id: s
                for s in (
                    await session.execute(
                        select(NetworkReleaseSource).where(
                            NetworkReleaseSource.release_id.in_([r.id for r in rows])
                        )
                    )
                ).scalars()
            }
            answer = []
            for row in rows:
                source = sources.get(row.id)
                answer.append(
                    NetworkPoleRelease(
                        release=NetworkReleaseType.of(row, pole),
                        hidden_cells=_preview(source, row.k) if source else [],
                    )
                )
            return answer


def _preview(source: NetworkReleaseSource, k: int) -> list[NetworkPreviewCell]:
    protected = releases.rebuild(source, k)
    cells = []
    for key, cell in sorted(protected.cells.items()):
        if not cell.hidden:
            continue
        low, high = cell.interval if cell.interval else (None, None)
        cells.append(
            NetworkPreviewCell(
                figure=key.figure,
                coordinates=[
                    NetworkCoordinate(dimension=d, code=c, label=c) for d, c in key.coords
                ],
                value=cell.value,
                secret=cell.secret.value if cell.secret else None,
                reason=cell.reason,
                interval_min=low,
                interval_max=None if high is None or high == float("inf") else high,
            )
        )
    return cells


@strawberry.input(description="Un chiffre du catalogue et ses ventilations.")
class NetworkCatalogueEntryInput:
    figure: str = chars_field(NetworkReleaseCell.figure, "Code du chiffre (casework.requests…)")
    tables: list[list[str]] = strawberry.field(
        default_factory=lambda: [[]],
        description="Chaque tableau : ses dimensions (0 à 2, larges) ; [] pour le total.",
    )


@strawberry.type
class NetworkCataloguePayload:
    version: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class _CatalogueMutation:
    @strawberry.mutation(
        description="Fixer le catalogue du réseau : une nouvelle version si elle diffère "
        "de celle en vigueur. Seuls des comptages et des dimensions larges. Tracé.",
        extensions=[action_gate(actions.MANAGE)],
    )
    async def set_network_catalogue(
        self, info: Info[Context, None], entries: list[NetworkCatalogueEntryInput]
    ) -> NetworkCataloguePayload:
        ctx = info.context
        actor = ctx.require(actions.MANAGE)
        figures = {name: spec for name, (_, spec) in ctx.host.contributions.indicators.items()}
        wanted = [CatalogueEntry(e.figure, tuple(tuple(t) for t in e.tables)) for e in entries]
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            network = await releases.the_network(session)
            catalogue = await set_catalogue(
                session, network, wanted, figures, actor=actor.subject, now=ctx.require_auth().now()
            )
            version = catalogue.version
            await session.commit()
            return NetworkCataloguePayload(version=version)
        return NetworkCataloguePayload(errors=errors)


@strawberry.input(description="Préparer la publication du pôle pour une période.")
class PrepareNetworkReleaseInput:
    period: str = chars_field(NetworkRelease.period, "« 2025 », « 2025-S1 » ou « 2025-S2 »")
    reason: str = chars_field(
        NetworkRelease.reason,
        "La raison d'une correction (obligatoire après publication). Elle est envoyée au "
        "réseau avec la publication : elle ne doit nommer personne.",
        default="",
    )


@strawberry.type
class NetworkReleasePayload:
    release: NetworkReleaseType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DiscardNetworkReleasePayload:
    discarded_id: strawberry.ID | None = strawberry.field(
        default=None, description="La version abandonnée (supprimée)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Le territoire du pôle : des communes et des EPCI.")
class NetworkTerritoryInput:
    communes: list[str] = strawberry.field(
        default_factory=list, description="Codes INSEE des communes (5 caractères)."
    )
    epcis: list[str] = strawberry.field(
        default_factory=list, description="SIREN des EPCI (9 chiffres) : toutes leurs communes."
    )


@strawberry.type
class NetworkTerritoryPayload:
    territory: NetworkTerritory | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class _TerritoryMutation:
    @strawberry.mutation(
        description="Déclarer le territoire du pôle au réseau (listes vides : revenir au "
        "département). Une commune ou un EPCI inconnu est refusé, rien n'est écrit. Les "
        "publications déjà préparées gardent leur population. Tracé.",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def declare_pole_network_territory(
        self, info: Info[Context, None], input: NetworkTerritoryInput
    ) -> NetworkTerritoryPayload:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            found = await territory.declare_territory(
                session,
                caller(ctx),
                tenant,
                input.communes,
                input.epcis,
                now=ctx.require_auth().now(),
            )
            await session.commit()
            return NetworkTerritoryPayload(territory=NetworkTerritory.of(found))
        return NetworkTerritoryPayload(errors=errors)


@strawberry.type(description="Une publication exportée : le document signé, à transmettre.")
class NetworkSignedDocument:
    kid: str = strawberry.field(description="La clé de l'installation qui l'a signé.")
    filename: str = strawberry.field(description="Un nom de fichier pour l'enregistrer.")
    content: str = strawberry.field(
        description="Le document signé en JSON {document, kid, signature}, tel que "
        "`maillage network import` et `importNetworkRelease` le reçoivent."
    )


@strawberry.type
class NetworkExportPayload:
    signed: NetworkSignedDocument | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(description="Un document signé exporté par l'installation d'un pôle.")
class ImportNetworkReleaseInput:
    content: str = strawberry.field(
        description="Le document signé en JSON {document, kid, signature} "
        f"({signed.MAX_DOCUMENT_CHARS:_} caractères au plus).".replace("_", "\u00a0")
    )


@strawberry.type
class NetworkImportPayload:
    release: NetworkReleaseType | None = None
    created: bool = strawberry.field(
        default=False, description="Faux : le même document était déjà importé (rien à faire)."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class _SignedMutation:
    @strawberry.mutation(
        description="Exporter une publication approuvée de cette installation en document "
        "signé (clé Ed25519 de l'installation, créée au besoin) : l'administrateur d'un "
        "pôle pour les siennes, la coordination du réseau pour toutes. Tracé.",
    )
    async def export_network_release(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> NetworkExportPayload:
        ctx = info.context
        figures = {name: spec for name, (_, spec) in ctx.host.contributions.indicators.items()}
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            release_id = parse_id(id, "id")
            if ctx.tenant is not None:
                actor = ctx.require(actions.PREPARE)
                pole = await releases.pole_of(session, ctx.tenant)
                row = await session.get(NetworkRelease, release_id)
                if row is None or row.pole_id != pole.id:
                    raise NotFoundError("publication introuvable", field="id")
            else:
                actor = ctx.require(actions.APPROVE)
            now = ctx.require_auth().now()
            envelope = await signed.export_release(
                session, release_id, figures, ctx.settings.secret_key, actor=actor.subject, now=now
            )
            await session.commit()
            document = envelope["document"]
            return NetworkExportPayload(
                signed=NetworkSignedDocument(
                    kid=envelope["kid"],
                    filename=f"reseau-{document['pole']['code']}-{document['period']}"
                    f"-v{document['version']}.json",
                    content=json.dumps(envelope, ensure_ascii=False, indent=1),
                )
            )
        return NetworkExportPayload(errors=errors)

    @strawberry.mutation(
        description="Importer le document signé d'une publication d'un pôle d'une autre "
        "installation : clé de confiance, signature, rejeu, ordre des versions, seuil et "
        "audit par programmation linéaire vérifiés comme par `maillage network import` ; "
        "refusé en entier avec une erreur codée, ou publié et verrouillé. Le même document "
        "une seconde fois ne change rien. Tracé.",
        extensions=[action_gate(actions.APPROVE)],
    )
    async def import_network_release(
        self, info: Info[Context, None], input: ImportNetworkReleaseInput
    ) -> NetworkImportPayload:
        ctx = info.context
        actor = ctx.require(actions.APPROVE)
        figures = {name: spec for name, (_, spec) in ctx.host.contributions.indicators.items()}
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            envelope = signed.parse_envelope(input.content, field="content")
            row, created = await signed.import_release(
                session, envelope, figures, actor=actor.subject, now=ctx.require_auth().now()
            )
            pole = await session.get(NetworkPole, row.pole_id)
            assert pole is not None
            result = NetworkReleaseType.of(row, pole)
            await session.commit()
            return NetworkImportPayload(release=result, created=created)
        return NetworkImportPayload(errors=errors)


@strawberry.type
class NetworkMutation(_CatalogueMutation, _TerritoryMutation, _SignedMutation):
    @strawberry.mutation(
        description="Calculer et protéger la publication du pôle pour une période : elle "
        "est enregistrée en préparation, à prévisualiser puis soumettre. Tracé.",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def prepare_network_release(
        self, info: Info[Context, None], input: PrepareNetworkReleaseInput
    ) -> NetworkReleasePayload:
        ctx = info.context
        tenant = ctx.require_tenant()
        enabled = await ctx.enabled_plugins()
        return await _step(
            ctx,
            lambda session, now: releases.prepare(
                session,
                caller(ctx),
                ctx.host,
                tenant,
                enabled,
                input.period,
                input.reason,
                now=now,
            ),
        )

    @strawberry.mutation(
        description="Soumettre au réseau la version en préparation. Tracé.",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def submit_network_release(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> NetworkReleasePayload:
        ctx = info.context
        tenant = ctx.require_tenant()
        return await _step(
            ctx,
            lambda session, now: releases.submit(
                session, caller(ctx), tenant, parse_id(id, "id"), now=now
            ),
        )

    @strawberry.mutation(
        description="Abandonner la version en préparation : elle est supprimée et ne bloque "
        "plus aucune période. Une version soumise ou publiée ne s'abandonne pas. Tracé.",
        extensions=[action_gate(actions.PREPARE)],
    )
    async def discard_network_release(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> DiscardNetworkReleasePayload:
        ctx = info.context
        tenant = ctx.require_tenant()
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            gone = await releases.discard(session, caller(ctx), tenant, parse_id(id, "id"))
            await session.commit()
            return DiscardNetworkReleasePayload(discarded_id=strawberry.ID(str(gone)))
        return DiscardNetworkReleasePayload(errors=errors)

    @strawberry.mutation(
        description="Approuver une version soumise : elle est publiée et verrouillée. Tracé.",
        extensions=[action_gate(actions.APPROVE)],
    )
    async def approve_network_release(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> NetworkReleasePayload:
        ctx = info.context
        return await _step(
            ctx,
            lambda session, now: releases.approve(
                session, caller(ctx), parse_id(id, "id"), now=now
            ),
        )


async def _step(
    ctx: Context,
    work: Callable[[AsyncSession, dt.datetime], Awaitable[NetworkRelease]],
) -> NetworkReleasePayload:
    """One step of the workflow in the request's transaction: committed whole, or
    rolled back whole with the coded error in the payload."""
    now = ctx.require_auth().now()
    async with user_errors(ctx) as errors, ctx.db_session() as session:
        row = await work(session, now)
        pole = await session.get(NetworkPole, row.pole_id)
        assert pole is not None
        result = NetworkReleaseType.of(row, pole)
        await session.commit()
        return NetworkReleasePayload(release=result)
    return NetworkReleasePayload(errors=errors)


TYPES: list[type] = []
