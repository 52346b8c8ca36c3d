"""HermiT and the OWL API need Java: without `java` on PATH, tests marked `java` skip and builds
skip reasoning."""

from __future__ import annotations

import shutil

JAVA = shutil.which("java") is not None
WITHOUT_JAVA = "needs Java (HermiT, the OWL API), which is not on PATH"
# What `il2kg build` and `validate` are given here: no reasoning where HermiT cannot run.
REASONING: tuple[str, ...] = () if JAVA else ("--no-reasoning",)
