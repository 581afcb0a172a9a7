"""Security events: the install-wide ``security_events`` log, mirrored into the pole's
audit trail when a pole is concerned (a pole admin reads them with the rest).

Kinds: login, login_failed, login_throttled, logout, token_refreshed, tenant_switched,
refresh_reuse, session_revoked, password_changed, password_reset_requested,
password_reset, invitation_sent, invitation_link_issued (printed for the operator by
``members invite --print-link``), invitation_accepted, member_changed,
client_created, client_revoked, client_token, client_failed, oidc_refused,
keys_rotated.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent
from core.auth.models import SecurityEvent
from core.logs import request_id_var


def security_event(
    session: AsyncSession,
    kind: str,
    *,
    user_id: uuid.UUID | None = None,
    client_id: str | None = None,
    tenant_id: uuid.UUID | None = None,
    detail: str = "",
    client_address: str | None = None,
) -> None:
    """Add the event to ``session`` (the caller's transaction). ``detail`` holds
    reasons and field names, never a password, a token or a personal value."""
    session.add(
        SecurityEvent(
            kind=kind,
            user_id=user_id,
            client_id=client_id,
            pole_id=tenant_id,
            detail=detail[:200],
            request_id=request_id_var.get(),
            client_address=client_address,
        )
    )


def pole_security_event(
    session: AsyncSession,
    kind: str,
    *,
    tenant_id: uuid.UUID,
    actor: str,
    object_type: str = "account",
    object_id: str | None = None,
    fields: list[str] | None = None,
    client_address: str | None = None,
) -> None:
    """The same event in the pole's audit trail (``session`` scoped to that pole)."""
    session.add(
        AuditEvent(
            tenant_id=tenant_id,
            actor=actor,
            action=f"security.{kind}",
            object_type=object_type,
            object_id=object_id,
            fields=sorted(fields or []),
            request_id=request_id_var.get(),
            client_address=client_address,
        )
    )
