"""Name normalisation for accent- and case-insensitive search.

"Châtel-Guyon", "CHATEL GUYON" and "chatel-guyon" all become "chatel guyon";
"St-Étienne" and "Saint Etienne" both become "saint etienne". The same function
builds the stored ``search_name`` and normalises what a person types.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’`.,/()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def normalize_name(value: str) -> str:
    text = value.translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    words = [w for w in _SEPARATORS.split(text) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)
