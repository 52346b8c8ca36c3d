"""il2kg: a knowledge graph of the clinical evidence on high-dose interleukin-2."""

__version__ = "0.1.0"
