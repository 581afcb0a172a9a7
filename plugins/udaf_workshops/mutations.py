"""The UDAF workshops' mutations: top-level, prefixed ``udafWorkshops…``, gated by the
plugin (PLUGIN_DISABLED) and by ``udaf_workshops.manage``.

Every one runs the same way (``_run``): the actor's action checked, the client's ids
and codes parsed, the service's rules applied in one transaction with its audit lines
and mails, committed; a coded error becomes the payload's ``errors`` and nothing is
written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry

from core import sdk
from plugins.udaf_workshops import needs, service
from plugins.udaf_workshops.graphql import (
    MANAGE,
    PLUGIN,
    UdafWorkshopsChangeStatusInput,
    UdafWorkshopsConventionPayload,
    UdafWorkshopsNeedsSendingPayload,
    UdafWorkshopsParent,
    UdafWorkshopsParentPayload,
    UdafWorkshopsPlanWorkshopInput,
    UdafWorkshopsRecordAttendanceInput,
    UdafWorkshopsRecordConventionInput,
    UdafWorkshopsRegisterInput,
    UdafWorkshopsRegistration,
    UdafWorkshopsRegistrationPayload,
    UdafWorkshopsSendNeedsQuestionnaireInput,
    UdafWorkshopsWorkshop,
    UdafWorkshopsWorkshopPayload,
    contribution,
    conventions,
    workshop_nodes,
)
from plugins.udaf_workshops.ids import clock, maybe_node_uuid, node_uuid
from plugins.udaf_workshops.vocabulary import CancelReason, ConventionStatus, WorkshopStatus

P = TypeVar("P")
Work = Callable[[sdk.Context, Any, str], Awaitable[dict[str, Any]]]
WORKSHOP, REGISTRATION, PARENT = (
    "UdafWorkshopsWorkshop",
    "UdafWorkshopsRegistration",
    "UdafWorkshopsParent",
)


async def _run(info: sdk.Info, payload: type[P], work: Work) -> P:
    """``work(ctx, session, actor)`` in the request's transaction; its answer fills the
    payload, or the coded error does (rolled back whole)."""
    ctx: sdk.Context = info.context
    actor = ctx.require(MANAGE)
    answer: dict[str, Any] = {}
    async with sdk.user_errors(ctx) as errors, ctx.db_session() as session:
        answer = await work(ctx, session, actor.subject)
        await session.commit()
    return payload(errors=errors) if errors else payload(**answer)  # type: ignore[call-arg]


def _today(ctx: sdk.Context, actor: str) -> dict[str, Any]:
    """What a status change or a reminder needs besides the workshop: the day, the
    pole's name that signs the mails, the actor."""
    return {"today": dt.date.today(), "pole_name": ctx.require_tenant().name, "actor": actor}


async def _told(session: Any, row: Any, notices: Sequence[service.Notice]) -> dict[str, Any]:
    """The mails queued with the change — a rolled-back cancellation tells nobody
    (decision 147) — and the workshop as it now stands."""
    for notice in notices:
        sdk.queue_mail(session, to=notice.to, subject=notice.subject, body=notice.body)
    return {"workshop": await _workshop(session, row.id), "notified": len(notices)}


async def _workshop(session: Any, workshop_id: Any) -> UdafWorkshopsWorkshop:
    row = await service.workshop_with_context(session, workshop_id)
    return (await workshop_nodes(session, [row]))[0]


def _new_parent(given: Any) -> service.NewParent | None:
    if given is None:
        return None
    return service.NewParent(
        first_name=given.first_name,
        last_name=given.last_name,
        email=given.email,
        phone=given.phone,
        commune_insee=given.commune_insee,
        consent=given.consent,
    )


def _mutation(description: str) -> Any:
    return sdk.plugin_mutation(PLUGIN, description=description, extensions=sdk.requires(MANAGE))


@strawberry.type
class UdafWorkshopsMutation:
    @_mutation("Enregistrer une convention avec l'UDAF, ou la corriger.")
    async def udaf_workshops_record_convention(
        self, info: sdk.Info, input: UdafWorkshopsRecordConventionInput
    ) -> UdafWorkshopsConventionPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            row = await service.record_convention(
                session,
                convention_id=maybe_node_uuid(input.id, "UdafWorkshopsConvention", "input.id"),
                partner_id=input.partner_id,
                year=input.year,
                workshops_planned=input.workshops_planned,
                territory=input.territory,
                funder=input.funder,
                funding_amount=input.funding_amount,
                status=ConventionStatus.parse(input.status, "input.status"),
                notes=input.notes,
                actor=actor,
            )
            return {"convention": (await conventions(session, ids=[row.id]))[0]}

        return await _run(info, UdafWorkshopsConventionPayload, work)

    @_mutation("Planifier un atelier d'une convention (il est « prévu »).")
    async def udaf_workshops_plan_workshop(
        self, info: sdk.Info, input: UdafWorkshopsPlanWorkshopInput
    ) -> UdafWorkshopsWorkshopPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            row = await service.plan_workshop(
                session,
                convention_id=node_uuid(
                    input.convention_id, "UdafWorkshopsConvention", "input.conventionId"
                ),
                held_on=input.held_on,
                start_time=clock(input.start_time, "input.startTime"),
                end_time=clock(input.end_time, "input.endTime"),
                commune_insee=input.commune_insee,
                place=input.place,
                theme=input.theme,
                capacity=input.capacity,
                minimum_participants=input.minimum_participants,
                staff_facilitators=list(input.staff_facilitator_ids),
                udaf_facilitators=input.udaf_facilitators,
                departement_code=ctx.require_tenant().departement_code,
                actor=actor,
            )
            return {"workshop": await _workshop(session, row.id)}

        return await _run(info, UdafWorkshopsWorkshopPayload, work)

    @_mutation(
        "Faire avancer un atelier (confirmé, maintenu) ou l'annuler avec sa raison ; "
        "l'annulation prévient les parents inscrits par courriel."
    )
    async def udaf_workshops_change_status(
        self, info: sdk.Info, input: UdafWorkshopsChangeStatusInput
    ) -> UdafWorkshopsWorkshopPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            reason = input.reason and CancelReason.parse(input.reason, "input.reason")
            done = await service.change_status(
                session,
                workshop_id=node_uuid(input.workshop_id, WORKSHOP, "input.workshopId"),
                to=WorkshopStatus.parse(input.status, "input.status"),
                reason=reason or None,
                note=input.note,
                **_today(ctx, actor),
            )
            return await _told(session, *done)

        return await _run(info, UdafWorkshopsWorkshopPayload, work)

    @_mutation(
        "Envoyer le rappel d'un atelier confirmé aux parents inscrits qui ne l'ont pas encore reçu."
    )
    async def udaf_workshops_send_reminders(
        self, info: sdk.Info, workshop_id: strawberry.ID
    ) -> UdafWorkshopsWorkshopPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            done = await service.reminders(
                session,
                workshop_id=node_uuid(workshop_id, WORKSHOP, "workshopId"),
                **_today(ctx, actor),
            )
            return await _told(session, *done)

        return await _run(info, UdafWorkshopsWorkshopPayload, work)

    @_mutation(
        "Inscrire une famille du pôle ou un parent à un atelier (en liste d'attente "
        "au-delà de la capacité)."
    )
    async def udaf_workshops_register(
        self, info: sdk.Info, input: UdafWorkshopsRegisterInput
    ) -> UdafWorkshopsRegistrationPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            row = await service.register(
                session,
                workshop_id=node_uuid(input.workshop_id, WORKSHOP, "input.workshopId"),
                family_id=input.family_id,
                parent_id=maybe_node_uuid(input.parent_id, PARENT, "input.parentId"),
                new_parent=_new_parent(input.parent),
                seats_wanted=input.seats,
                email=input.email,
                today=dt.date.today(),
                actor=actor,
            )
            found = await service.registrations(session, [row.workshop_id])
            mine = next(r for r in found[row.workshop_id] if r.id == row.id)
            return {
                "registration": UdafWorkshopsRegistration.from_row(mine),
                "workshop": await _workshop(session, row.workshop_id),
            }

        return await _run(info, UdafWorkshopsRegistrationPayload, work)

    @_mutation("Désinscrire : la liste d'attente avance dans l'ordre d'arrivée.")
    async def udaf_workshops_withdraw(
        self, info: sdk.Info, registration_id: strawberry.ID
    ) -> UdafWorkshopsRegistrationPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            row = await service.withdraw(
                session,
                registration_id=node_uuid(registration_id, REGISTRATION, "registrationId"),
                actor=actor,
            )
            return {"workshop": await _workshop(session, row.workshop_id)}

        return await _run(info, UdafWorkshopsRegistrationPayload, work)

    @_mutation("Noter les parents venus à un atelier maintenu.")
    async def udaf_workshops_record_attendance(
        self, info: sdk.Info, input: UdafWorkshopsRecordAttendanceInput
    ) -> UdafWorkshopsWorkshopPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            lines = [
                service.AttendanceLine(
                    node_uuid(
                        line.registration_id, REGISTRATION, f"input.lines.{i}.registrationId"
                    ),
                    line.present,
                )
                for i, line in enumerate(input.lines)
            ]
            row = await service.record_attendance(
                session,
                workshop_id=node_uuid(input.workshop_id, WORKSHOP, "input.workshopId"),
                lines=lines,
                actor=actor,
            )
            return {"workshop": await _workshop(session, row.id)}

        return await _run(info, UdafWorkshopsWorkshopPayload, work)

    @_mutation(
        "Envoyer le questionnaire « Besoins des familles » après un atelier maintenu, par "
        "courriel avec un lien à usage unique, à chaque inscription venue qui a laissé une "
        "adresse ; jamais deux fois à la même inscription."
    )
    async def udaf_workshops_send_needs_questionnaire(
        self, info: sdk.Info, input: UdafWorkshopsSendNeedsQuestionnaireInput
    ) -> UdafWorkshopsNeedsSendingPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            done = await needs.send_needs(
                session,
                ctx.require_tenant(),
                workshop_id=node_uuid(input.workshop_id, WORKSHOP, "input.workshopId"),
                public_url=ctx.settings.public_url,
                actor=actor,
            )
            told = await _told(session, done.workshop, done.notices)
            return {
                "workshop": told["workshop"],
                "sent": told["notified"],
                "already_sent": done.already_sent,
                "without_email": done.without_email,
            }

        return await _run(info, UdafWorkshopsNeedsSendingPayload, work)

    @_mutation("Rattacher un parent à la famille du pôle qu'il est devenu.")
    async def udaf_workshops_link_parent(
        self, info: sdk.Info, parent_id: strawberry.ID, family_id: strawberry.ID
    ) -> UdafWorkshopsParentPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            row = await service.link_parent(
                session,
                parent_id=node_uuid(parent_id, PARENT, "parentId"),
                family_id=family_id,
                actor=actor,
            )
            return {"parent": UdafWorkshopsParent.from_row(row)}

        return await _run(info, UdafWorkshopsParentPayload, work)

    @_mutation(
        "Effacer la fiche d'un parent pas encore connu du pôle (à sa demande, ou son "
        "consentement retiré), avec ses inscriptions."
    )
    async def udaf_workshops_erase_parent(
        self, info: sdk.Info, parent_id: strawberry.ID
    ) -> UdafWorkshopsParentPayload:
        async def work(ctx: sdk.Context, session: Any, actor: str) -> dict[str, Any]:
            parent = node_uuid(parent_id, PARENT, "parentId")
            await needs.forget_parent_answers(session, parent)
            erased = await service.erase_parent(session, parent_id=parent, actor=actor)
            return {"erased_registrations": erased}

        return await _run(info, UdafWorkshopsParentPayload, work)


@sdk.hookimpl
def maillage_graphql() -> sdk.GraphQLContribution:
    return contribution(UdafWorkshopsMutation)
