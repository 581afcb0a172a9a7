"""The pluggy markers of the ``maillage`` project.

They sit at the bottom of the layers so that every part of core registers its
features exactly the way a plugin does (``@hookimpl def maillage_models(): …``),
the way pytest's own features are plugins of pytest. Plugins import them from
``core.sdk``.
"""

from __future__ import annotations

import pluggy

PROJECT = "maillage"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
