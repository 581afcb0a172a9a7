"""Reading and setting the pole's letterhead (shared by the API, the CLI and the
document routes).

Every printed document of the pole carries it (core.api.documents): reading it needs
no action of its own, only the pole's scoped session, so it can never be another
pole's. Setting it is the coordinator's (``letterhead.manage``), audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.actions import Caller
from core.api.documents import COLOUR_RE, DEFAULT_ACCENT, DEFAULT_COLOUR, Letterhead, Logo
from core.audit.trail import record
from core.domain.letterhead.models import LetterheadSettings
from core.errors import ValidationError
from core.tenancy.models import Tenant

READ = "letterhead.read"
MANAGE = "letterhead.manage"
MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
LIMITS = {"name": 200, "address": 400, "contact": 300}


def _contact_line(tenant: Tenant) -> str:
    contact = tenant.contact or {}
    return " — ".join(str(contact[k]) for k in ("email", "phone", "website") if contact.get(k))


async def stored(session: AsyncSession) -> LetterheadSettings | None:
    return (await session.execute(select(LetterheadSettings))).scalar()


def effective(tenant: Tenant, row: LetterheadSettings | None) -> Letterhead:
    """What the documents print: the pole's settings, each empty one replaced by the
    pole's own name and contact or the default colours."""
    address = str((tenant.contact or {}).get("address", ""))
    if row is None:
        return Letterhead(name=tenant.name, address=address, contact=_contact_line(tenant))
    logo = Logo(row.logo, row.logo_type) if row.logo and row.logo_type else None
    return Letterhead(
        name=row.name or tenant.name,
        address=row.address or address,
        contact=row.contact or _contact_line(tenant),
        colour=row.colour or DEFAULT_COLOUR,
        accent=row.accent or DEFAULT_ACCENT,
        logo=logo,
    )


async def letterhead(session: AsyncSession, tenant: Tenant) -> Letterhead:
    """The letterhead of the session's pole (``tenant`` is that pole)."""
    return effective(tenant, await stored(session))


def check_logo(content: bytes, field: str = "logo") -> str:
    """The logo's media type, once it is known to be a PNG or JPEG image of reasonable
    size; a coded VALIDATION error naming ``field`` otherwise. The file is decoded, not
    trusted on its name or first bytes."""
    from PIL import Image, UnidentifiedImageError

    if not content:
        raise ValidationError("le fichier du logo est vide", field=field)
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError(
            f"logo trop lourd ({len(content) // 1024} Ko) : {MAX_LOGO_BYTES // 1024} Ko au plus",
            field=field,
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            width, height = image.size
            if kind not in LOGO_TYPES:
                raise ValidationError(
                    f"format d'image non admis ({kind}) : PNG ou JPEG", field=field
                )
            if max(width, height) > MAX_LOGO_SIDE:
                raise ValidationError(
                    f"logo trop grand ({width} × {height} pixels) : "
                    f"{MAX_LOGO_SIDE} pixels de côté au plus",
                    field=field,
                )
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            "ce fichier n'est pas une image lisible (PNG ou JPEG attendu)", field=field
        ) from None
    return LOGO_TYPES[kind]


@dataclass(frozen=True)
class Changes:
    """What to change; None keeps the current value, "" returns to the default."""

    name: str | None = None
    address: str | None = None
    contact: str | None = None
    colour: str | None = None
    accent: str | None = None
    logo: bytes | None = None
    remove_logo: bool = False


def _text(value: str, key: str, field: str) -> str:
    value = value.strip()
    if len(value) > LIMITS[key]:
        raise ValidationError(f"{LIMITS[key]} caractères au plus", field=field)
    return value


def _colour(value: str, field: str) -> str:
    value = value.strip()
    if value and not COLOUR_RE.match(value):
        raise ValidationError(
            f"couleur attendue sous la forme #rrvvbb (exemple : {DEFAULT_COLOUR})", field=field
        )
    return value.lower()


async def set_letterhead(
    session: AsyncSession,
    caller: Caller,
    changes: Changes,
    *,
    field_names: dict[str, str] | None = None,
) -> LetterheadSettings:
    """Change the letterhead; ``field_names`` maps this function's names to the caller's
    (the API's ``accentColour``, the CLI's ``--logo``) so an error names what was typed."""
    actor = caller.require(MANAGE)
    names = {"name": "name", "address": "address", "contact": "contact"}
    names |= {"colour": "colour", "accent": "accent", "logo": "logo", **(field_names or {})}
    values: dict[str, Any] = {}
    for key in ("name", "address", "contact"):
        if (raw := getattr(changes, key)) is not None:
            values[key] = _text(raw, key, names[key])
    for key in ("colour", "accent"):
        if (raw := getattr(changes, key)) is not None:
            values[key] = _colour(raw, names[key])
    if changes.logo is not None and changes.remove_logo:
        raise ValidationError(
            "un nouveau logo ou sa suppression, pas les deux", field=names["logo"]
        )
    if changes.logo is not None:
        values["logo_type"] = check_logo(changes.logo, names["logo"])
        values["logo"] = changes.logo
    elif changes.remove_logo:
        values["logo"], values["logo_type"] = None, None
    row = await stored(session)
    if row is None:
        row = LetterheadSettings()
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by = actor.display_name or actor.subject
    await session.flush()
    record(
        session,
        actor=actor.subject,
        action="letterhead.set",
        object_type="Letterhead",
        object_id=str(row.id),
        fields=sorted({"logo" if k == "logo_type" else k for k in values}),
    )
    return row
