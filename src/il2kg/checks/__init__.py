"""Checks: SHACL validation (fast engine or pySHACL), HermiT reasoning and their reports."""
