"""corpus/_schema.json: current with the model, and usable by a draft-07 editor (VS Code's YAML extension)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from jipp_kb.cli import cli
from jipp_kb.schema import json_schema

ROOT = Path(__file__).parent.parent
SCHEMA_FILE = ROOT / "corpus" / "_schema.json"
DATA = Path(__file__).parent / "data"

# Keywords a draft-07 validator knows, plus pydantic's '$defs' container (reached only through '$ref' pointers).
DRAFT7_KEYWORDS = {
    "$id", "$ref", "$defs", "title", "description", "default", "type", "enum", "const", "properties",
    "additionalProperties", "required", "items", "minItems", "maxItems", "minLength", "maxLength",
    "pattern", "format", "minimum", "maximum", "anyOf", "allOf", "oneOf",
}  # fmt: skip


def test_schema_file_is_current():
    written = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert written == json_schema(), "corpus/_schema.json is stale: run .venv/bin/jipp-kb schema corpus/_schema.json"


def test_schema_command_writes_the_committed_bytes(tmp_path: Path):
    out = tmp_path / "schema.json"
    result = CliRunner().invoke(cli, ["schema", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == SCHEMA_FILE.read_bytes()


def _keywords(node: object, found: set[str], in_properties: bool = False) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if not in_properties:
                found.add(key)
            _keywords(value, found, in_properties=(key in ("properties", "$defs") and not in_properties))
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)
    return found


def test_schema_keeps_to_draft_7():
    schema = json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert _keywords(schema, set()) <= DRAFT7_KEYWORDS


def _front_matter_as_an_editor_reads_it(path: Path) -> dict:
    """YAML 1.2 editors read dates as strings; PyYAML (1.1) makes them date objects."""

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, datetime.date) else value

    return plain(yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1]))


def test_valid_fixture_passes_the_schema():
    data = _front_matter_as_an_editor_reads_it(DATA / "valid" / "contoh-akta.md")
    errors = list(jsonschema.Draft7Validator(json_schema()).iter_errors(data))
    assert errors == []


@pytest.mark.parametrize(
    "name, path",
    [
        ("unknown-province", ["province"]),
        ("invalid-level", ["level"]),
        ("unknown-urusan", ["urusan", 0]),
        ("unknown-field", []),
        ("sdg-out-of-range", ["sdgs", 0]),
        ("invalid-source-url", ["sources", 0, "url"]),
        ("no-sources", ["sources"]),
    ],
)
def test_schema_rejects_what_check_rejects(name: str, path: list):
    data = _front_matter_as_an_editor_reads_it(DATA / "invalid" / f"{name}.md")
    errors = list(jsonschema.Draft7Validator(json_schema()).iter_errors(data))
    assert any(list(e.absolute_path) == path for e in errors), [(list(e.absolute_path), e.message) for e in errors]
