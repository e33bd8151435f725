"""The contributor docs stay true to the code: every model field and allowed value is documented, docs/cli.md is current."""

from __future__ import annotations

import importlib.util
import re
import typing
from pathlib import Path

import pytest

from jipp_kb.schema import SECTIONS, SECTIONS_EN, Award, CaseStudy, Collection, Contact, GlossaryEntry, Source

ROOT = Path(__file__).parent.parent
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
MODELS = (CaseStudy, Award, Contact, Source, Collection, GlossaryEntry)


def _section(model_name: str) -> str:
    """The part of docs/format.md under the heading that names ``(Model)``, up to the next heading."""
    lines = FORMAT.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("#") and f"({model_name})" in line), None)
    assert start is not None, f"docs/format.md has no heading naming ({model_name})"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def _documented_fields(model_name: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", _section(model_name), flags=re.MULTILINE))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_field_is_documented(model):
    documented = _documented_fields(model.__name__)
    fields = set(model.model_fields)
    assert not fields - documented, f"fields of {model.__name__} missing from docs/format.md: {sorted(fields - documented)}"
    assert not documented - fields, f"docs/format.md documents fields {model.__name__} does not have: {sorted(documented - fields)}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_required_column_matches_the_model(model):
    section = _section(model.__name__)
    for name, info in model.model_fields.items():
        row = re.search(rf"^\| `{name}` \| [^|]+ \| (yes|no) \|", section, flags=re.MULTILINE)
        assert row, f"{model.__name__}.{name}: row has no 'yes'/'no' required column"
        assert (row.group(1) == "yes") == info.is_required(), f"{model.__name__}.{name}: docs say required={row.group(1)}"


def _literal_values(annotation) -> list[str]:
    """Allowed values of a Literal field, also inside list[...] and Optional."""
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return [v for arg in typing.get_args(annotation) for v in _literal_values(arg)]


def test_every_allowed_value_is_documented():
    section = _section("CaseStudy")
    for name, info in CaseStudy.model_fields.items():
        for value in _literal_values(info.annotation):
            row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
            assert f"`{value}`" in row, f"{name}: allowed value '{value}' is not in its row of docs/format.md"


def test_every_body_section_is_documented_in_order():
    headings = re.findall(r"^### (.+?) \((.+?)\)$", FORMAT, flags=re.MULTILINE)
    body = [(id_, en) for id_, en in headings if id_ in SECTIONS]
    assert [id_ for id_, _ in body] == list(SECTIONS)
    assert all(en == SECTIONS_EN[id_] for id_, en in body)


def test_linked_files_exist():
    for target in re.findall(r"\]\((\.\./[^)#]+)", FORMAT):
        assert (ROOT / "docs" / target).resolve().exists(), f"docs/format.md links to missing {target}"


def _gen_cli_docs():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_docs_are_current():
    expected = _gen_cli_docs().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run .venv/bin/python scripts/gen_cli_docs.py"


def test_cli_docs_cover_every_command():
    from jipp_kb.cli import cli

    text = _gen_cli_docs().render()
    for name, command in cli.commands.items():
        if not command.hidden:
            assert f"\n## jipp-kb {name}\n" in text
