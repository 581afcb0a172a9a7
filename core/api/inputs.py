"""One mutation, two forms for one version: ``input:`` and the old flat arguments.

The mutations that took their values as flat arguments now take one ``input:`` (plus
``id:`` for the record acted on). For one version the flat arguments stay, optional
and deprecated (introspection says so): ``flat_form`` derives them from the input
type, so a resolver is written once, in its final form, and loses only its decorator
when the flat form goes. Exactly one of the two forms is accepted; both, or neither,
answer a VALIDATION error naming the field in the mutation's payload (decision 186).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Optional, TypeVar

import strawberry
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from core.api.payloads import UserError
from core.errors import ValidationError

FLAT_DEPRECATED = "Passer par `input` : disparaîtra à la prochaine version majeure du schéma."

T = TypeVar("T")
Resolver = TypeVar("Resolver", bound=Callable[..., Awaitable[Any]])


def flat(description: str | None = None) -> Any:
    """A deprecated flat argument a resolver declares itself (one that is not a field
    of its input, such as ``planId`` that became ``id``)."""
    return strawberry.argument(description=description, deprecation_reason=FLAT_DEPRECATED)


def one_form(given: T | None, kind: type[T], /, *, others: tuple[str, ...] = (), **sent: Any) -> T:
    """``given`` (the ``input:`` argument), or the input made of the flat arguments
    ``sent`` (None meaning not sent); ``others`` names the flat arguments sent that
    are not fields of the input. VALIDATION when both forms or neither are used, or
    when the flat form lacks a value the input requires."""
    sent = {name: value for name, value in sent.items() if value is not None}
    if given is not None:
        if sent or others:
            raise ValidationError(
                "soit input, soit les arguments à plat (dépréciés), pas les deux",
                field=to_camel_case(next(iter([*sent, *others]))),
            )
        return given
    if not sent and not others:
        raise ValidationError("les valeurs de la mutation sont attendues dans input", field="input")
    for spec in dataclasses.fields(kind):  # type: ignore[arg-type]
        required = (
            spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        )
        if required and spec.name not in sent:
            raise ValidationError("valeur obligatoire", field=to_camel_case(spec.name))
    return kind(**sent)


def _flat_parameters(kind: type) -> list[inspect.Parameter]:
    definition = get_object_definition(kind, strict=True)
    parameters = []
    for field in definition.fields:
        assert field.type_annotation is not None
        annotation = Annotated[
            Optional[field.type_annotation.evaluate()],  # noqa: UP045 (a runtime value)
            strawberry.argument(description=field.description, deprecation_reason=FLAT_DEPRECATED),
        ]
        parameters.append(
            inspect.Parameter(
                field.python_name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=annotation,
            )
        )
    return parameters


def flat_form(kind: type, *, others: tuple[str, ...] = ()) -> Callable[[Resolver], Resolver]:
    """Give a mutation resolver written as ``(…, input: XxxInput)`` the old flat form
    too: ``input`` becomes optional and each field of ``kind`` a deprecated argument;
    the resolver always receives ``input``, made of the flat arguments when they were
    used. ``others``: the resolver's own deprecated flat arguments (counted as the
    flat form, passed through). A refusal is answered in the resolver's payload."""
    flat_parameters = _flat_parameters(kind)
    names = [p.name for p in flat_parameters]

    def decorate(resolver: Resolver) -> Resolver:
        signature = inspect.signature(resolver)
        parameters = [
            p.replace(annotation=Optional[kind], default=None) if p.name == "input" else p  # noqa: UP045
            for p in signature.parameters.values()
        ]

        @functools.wraps(resolver)
        async def both_forms(*args: Any, **kwargs: Any) -> Any:
            sent = {name: kwargs.pop(name, None) for name in names}
            also = tuple(name for name in others if kwargs.get(name) is not None)
            try:
                kwargs["input"] = one_form(kwargs.get("input"), kind, others=also, **sent)
            except ValidationError as exc:
                payload = resolver.__globals__[resolver.__annotations__["return"]]
                return payload(
                    errors=[UserError(code=str(exc.code), field=exc.field, message=exc.message)]
                )
            return await resolver(*args, **kwargs)

        both_forms.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*parameters, *flat_parameters]
        )
        return both_forms  # type: ignore[return-value]

    return decorate
