"""The one error type a user can act on: `il2kg` reports it in a line, with no traceback.

Raise `UsageError` for a problem in what the user gave (a file, a field, an option), saying
what was expected; any other exception is a bug and keeps its traceback. It is a ValueError,
so callers that catch ValueError see it unchanged.

>>> str(UsageError("seeds/x.yaml: field 'doi': expected a DOI"))
"seeds/x.yaml: field 'doi': expected a DOI"
"""

from __future__ import annotations


class UsageError(ValueError):
    """A problem in the user's input, stated so they can act on it (file, field, expected)."""
