"""Tables that cannot be protected as given answer a coded error naming the input."""

from __future__ import annotations

import pytest

from core.errors import ErrorCode, MaillageError
from core.network.protection import Figure, PublishedRelease, Table, audit_published, protect

CHILDREN = Figure("enfants", "Enfants suivis", persons=True)
GOOD = Table("enfants", ("age",), {("0-3",): 3, ("4-6",): 20})


@pytest.mark.parametrize(
    ("figures", "tables", "options", "field"),
    [
        ([CHILDREN], [GOOD], {"k": 1}, "k"),
        ([CHILDREN], [GOOD], {"k": "11"}, "k"),
        ([CHILDREN], [GOOD], {"k": True}, "k"),
        ([CHILDREN, CHILDREN], [GOOD], {}, "figures[1].code"),
        ([CHILDREN], [Table("prets", (), {(): 4})], {}, "tables[0].figure"),
        (
            [CHILDREN],
            [Table("enfants", ("a", "b", "c"), {("x", "y", "z"): 1})],
            {},
            "tables[0].dimensions",
        ),
        ([CHILDREN], [Table("enfants", ("a", "a"), {("x", "y"): 1})], {}, "tables[0].dimensions"),
        ([CHILDREN], [Table("enfants", ("age",), {})], {}, "tables[0].cells"),
        ([CHILDREN], [Table("enfants", ("age",), {("0-3", "x"): 2})], {}, "tables[0].cells"),
        ([CHILDREN], [Table("enfants", ("age",), {("",): 2})], {}, "tables[0].cells"),
        ([CHILDREN], [Table("enfants", ("age",), {("0-3",): -1})], {}, "tables[0].cells[0-3]"),
        ([CHILDREN], [Table("enfants", ("age",), {("0-3",): 2.5})], {}, "tables[0].cells[0-3]"),
        ([CHILDREN], [Table("enfants", ("age",), {("0-3",): True})], {}, "tables[0].cells[0-3]"),
        ([CHILDREN], [GOOD, GOOD], {}, "tables[1].dimensions"),
        (
            [CHILDREN],
            [GOOD, Table("enfants", (), {(): 24})],
            {},
            "tables[1].cells",
        ),
    ],
)
def test_bad_tables_answer_a_validation_error_naming_the_input(
    figures: list[Figure], tables: list[Table], options: dict[str, object], field: str
) -> None:
    with pytest.raises(MaillageError) as caught:
        protect(figures, tables, **options)  # type: ignore[arg-type]
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.field == field
    assert caught.value.message


def test_earlier_versions_must_be_the_releases_versions_in_order() -> None:
    first = protect([CHILDREN], [GOOD])
    second = protect([CHILDREN], [GOOD], earlier=[first])
    with pytest.raises(MaillageError) as caught:
        protect([CHILDREN], [GOOD], earlier=[second])
    assert caught.value.code is ErrorCode.VALIDATION
    assert caught.value.field == "earlier[0]"
    with pytest.raises(MaillageError) as caught:
        protect([CHILDREN], [GOOD], earlier=[GOOD])  # type: ignore[list-item]
    assert caught.value.field == "earlier[0]"


def test_an_audit_needs_versions_in_order() -> None:
    published = protect([CHILDREN], [GOOD]).published()
    with pytest.raises(MaillageError) as caught:
        audit_published([])
    assert (caught.value.code, caught.value.field) == (ErrorCode.VALIDATION, "releases")
    with pytest.raises(MaillageError) as caught:
        audit_published([published, published])
    assert (caught.value.code, caught.value.field) == (ErrorCode.VALIDATION, "releases")
    again = PublishedRelease(2, 11, published.equations, dict(published.cells))
    assert audit_published([published, again]).failures == []
