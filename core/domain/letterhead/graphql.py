"""GraphQL face of the pole's letterhead: read it, and set it (the coordinator)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import strawberry
from strawberry.types import Info

from core.api.context import Context
from core.api.gates import action_gate
from core.api.ids import caller
from core.api.payloads import UserError, user_errors
from core.domain.letterhead import service
from core.domain.letterhead.models import LetterheadSettings
from core.errors import ValidationError
from core.tenancy.models import Tenant

# The largest logo in base64 (4 characters for 3 bytes), with room for a data: prefix.
BASE64_MAX = (service.MAX_LOGO_BYTES + 2) // 3 * 4 + 100


@strawberry.type(
    description="En-tête des documents imprimés du pôle (projets d'accueil, factures, "
    "tableaux, bilans, exports) : ce qui s'imprime, les valeurs du pôle à défaut de réglage."
)
class Letterhead:
    name: str = strawberry.field(description="Nom imprimé (à défaut : le nom du pôle).")
    address: str = strawberry.field(description="Adresse, sur une ou plusieurs lignes.")
    contact: str = strawberry.field(description="Ligne de contact (courriel, téléphone, site).")
    colour: str = strawberry.field(description="Couleur principale, #rrvvbb.")
    accent_colour: str = strawberry.field(description="Couleur d'accent (fonds), #rrvvbb.")
    logo: str | None = strawberry.field(
        description="Le logo en URL data: (PNG ou JPEG), null sans logo."
    )
    updated_at: dt.datetime | None = strawberry.field(description="Dernier réglage.")
    updated_by: str | None = strawberry.field(description="Qui l'a fait.")

    @classmethod
    def build(cls, tenant: Tenant, row: LetterheadSettings | None) -> Letterhead:
        shown = service.effective(tenant, row)
        return cls(
            name=shown.name,
            address=shown.address,
            contact=shown.contact,
            colour=shown.colour,
            accent_colour=shown.accent,
            logo=shown.logo.data_url() if shown.logo else None,
            updated_at=row.updated_at if row else None,
            updated_by=(row.updated_by or None) if row else None,
        )


@strawberry.input(
    description="Réglage de l'en-tête : un champ absent est gardé, un texte vide revient "
    "à la valeur du pôle."
)
class LetterheadInput:
    name: str | None = strawberry.field(default=None, description="200 caractères au plus.")
    address: str | None = strawberry.field(default=None, description="400 caractères au plus.")
    contact: str | None = strawberry.field(default=None, description="300 caractères au plus.")
    colour: str | None = strawberry.field(
        default=None, description="#rrvvbb (7 caractères au plus)."
    )
    accent_colour: str | None = strawberry.field(
        default=None, description="#rrvvbb (7 caractères au plus)."
    )
    logo_base64: str | None = strawberry.field(
        default=None,
        description="Nouveau logo : le fichier PNG ou JPEG en base64 (512 Ko et 4000 "
        f"pixels de côté au plus ; {BASE64_MAX} caractères au plus).",
    )
    remove_logo: bool = strawberry.field(default=False, description="Retirer le logo.")


@strawberry.type
class LetterheadPayload:
    letterhead: Letterhead | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _logo(raw: str | None) -> bytes | None:
    if raw is None:
        return None
    if len(raw) > BASE64_MAX:
        raise ValidationError(
            f"logo trop lourd : {service.MAX_LOGO_BYTES // 1024} Ko au plus", field="logoBase64"
        )
    try:
        return base64.b64decode(
            raw.split(",", 1)[-1] if raw.startswith("data:") else raw, validate=True
        )
    except (binascii.Error, ValueError):
        raise ValidationError("base64 illisible", field="logoBase64") from None


@strawberry.type
class LetterheadQuery:
    @strawberry.field(
        description="L'en-tête des documents du pôle en cours.",
        extensions=[action_gate(service.READ)],
    )
    async def letterhead(self, info: Info[Context, None]) -> Letterhead:
        tenant = info.context.require_tenant()
        async with info.context.db_session() as session:
            return Letterhead.build(tenant, await service.stored(session))


@strawberry.type
class LetterheadMutation:
    @strawberry.mutation(
        description="Régler l'en-tête des documents imprimés du pôle (nom, adresse, "
        "contact, couleurs, logo). Tracé.",
        extensions=[action_gate(service.MANAGE)],
    )
    async def set_letterhead(
        self, info: Info[Context, None], input: LetterheadInput
    ) -> LetterheadPayload:
        ctx = info.context
        tenant = ctx.require_tenant()
        row = None
        async with user_errors(ctx) as errors, ctx.db_session() as session:
            changes = service.Changes(
                name=input.name,
                address=input.address,
                contact=input.contact,
                colour=input.colour,
                accent=input.accent_colour,
                logo=_logo(input.logo_base64),
                remove_logo=input.remove_logo,
            )
            row = await service.set_letterhead(
                session,
                caller(ctx),
                changes,
                field_names={"accent": "accentColour", "logo": "logoBase64"},
            )
            await session.commit()
            # updated_at is the database's (server default): read it back.
            await session.refresh(row)
        if errors:
            return LetterheadPayload(errors=errors)
        return LetterheadPayload(letterhead=Letterhead.build(tenant, row))


TYPES = [Letterhead, LetterheadPayload]
