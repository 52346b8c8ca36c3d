"""il2kg: a knowledge graph of the clinical evidence on high-dose interleukin-2."""

__version__ = "0.1.0"
__released__ = "2026-11-30"  # the release date; CITATION.cff says the same (a test checks)
