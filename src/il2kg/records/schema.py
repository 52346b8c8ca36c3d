"""The JSON Schema of a seed file, generated from the record models (shapes/record.schema.json).

Every seed file names it on its first line (SCHEMA_COMMENT), so editors with a YAML language
server complete and check fields as curators type.

    python -m il2kg.records.schema
"""

from __future__ import annotations

import json
import sys

from il2kg.files import write_atomic
from il2kg.paths import RECORD_SCHEMA, RECORD_SCHEMA_FILE
from il2kg.records.model import PublicationRecord

SCHEMA_COMMENT = f"# yaml-language-server: $schema=../{RECORD_SCHEMA}"


def record_schema() -> str:
    """The JSON Schema (draft 2020-12) of one publication record, as committed and shipped."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **PublicationRecord.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the schema into the source checkout."""
    write_atomic(RECORD_SCHEMA_FILE, record_schema().encode())
    print(f"wrote {RECORD_SCHEMA_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
