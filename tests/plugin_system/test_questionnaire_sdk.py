"""What ``core.sdk`` checks when a plugin ships a questionnaire or registers a subject
kind: a faulty file or a kind outside the plugin's own tables fails when the plugin is
imported, with a message naming the file and the part at fault — never in a pole."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import sdk
from core.domain.families.models import Family
from plugins.udaf_workshops.models import Registration

GOOD = """
key = "exemple_avis"
title = "Votre avis"
subject_kinds = ["exemple_seance"]

[[sections]]
title = "La séance"

[[sections.items]]
key = "utile"
kind = "scale"
label = "La séance vous a été utile"
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "avis.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plugins_questionnaire_file_is_checked_like_cores_defaults(tmp_path: Path) -> None:
    found = sdk.load_questionnaire(_file(tmp_path, GOOD))
    assert isinstance(found, sdk.QuestionnaireDefinition)
    assert (found.key, found.subject_kinds) == ("exemple_avis", ("exemple_seance",))
    assert [i.key for s in found.sections for i in s.items] == ["utile"]

    one_choice = GOOD.replace('kind = "scale"', 'kind = "single_choice"\nchoices = [["a", "A"]]')
    with pytest.raises(ValueError, match=r"avis\.toml: exemple_avis\.sections\.0\.items\.0"):
        sdk.load_questionnaire(_file(tmp_path, one_choice))
    with pytest.raises(ValueError, match="type inconnu"):
        sdk.load_questionnaire(_file(tmp_path, GOOD.replace('"scale"', '"echelle"')))
    with pytest.raises(ValueError, match="mal formé"):
        sdk.load_questionnaire(_file(tmp_path, GOOD.replace('title = "Votre avis"', "")))
    with pytest.raises(ValueError, match="questionnaire de core"):
        sdk.load_questionnaire(_file(tmp_path, GOOD.replace("exemple_avis", "satisfaction")))


def test_a_subject_kind_is_named_for_its_plugin_and_points_at_its_own_table() -> None:
    def register(name: str, model: type) -> None:
        sdk.register_questionnaire_subject("udaf_workshops", name, "Après", model)

    with pytest.raises(ValueError, match="must start with « udaf_workshops_ »"):
        register("registration", Registration)
    with pytest.raises(ValueError, match="30 characters"):
        register("udaf_workshops_registration_of_a_parent", Registration)
    with pytest.raises(ValueError, match="is not udaf_workshops's"):
        register("udaf_workshops_family", Family)
    with pytest.raises(ValueError, match="not a TenantScoped model"):
        register("udaf_workshops_thing", dict)
