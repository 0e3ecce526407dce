"""Documentation tests (in the manner of datasette): they fail when docs and code drift apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from detente.assessment.result import Assessment
from detente.cli.main import app
from detente.framework.export import export_markdown
from detente.framework.loader import get_framework

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _commands() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        out.append((" ".join(path), cmd))
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), ["detente"])
    return out


def _section(text: str, command: str) -> str:
    m = re.search(rf"^## `{re.escape(command)}`\n(.*?)(?=^## `|\Z)", text, flags=re.M | re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("command", [c for c, _ in _commands()])
def test_every_command_and_option_is_documented(command: str) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = _section(text, command)
    assert section or f"## `{command}`" in text, (
        f"{command} is missing from docs/cli.md (run make docs)"
    )
    cmd = dict(_commands())[command]
    for p in cmd.params:
        if getattr(p, "hidden", False) or p.param_type_name != "option":
            continue
        for opt in p.opts:
            assert f"`{opt}`" in section, (
                f"{command} {opt} is missing from docs/cli.md (run make docs)"
            )


def test_framework_docs_are_generated_from_the_data() -> None:
    committed = (DOCS / "framework.md").read_text(encoding="utf-8")
    assert committed == export_markdown(get_framework()), (
        "docs/framework.md is stale: run make docs"
    )


def test_assessment_json_doc_names_every_field() -> None:
    text = (DOCS / "assessment-json.md").read_text(encoding="utf-8")
    for name, field in Assessment.model_fields.items():
        key = field.alias or name
        assert f"`{key}`" in text or f"`{key}[]`" in text or f"`{key}`," in text, (
            f"docs/assessment-json.md does not describe {name}"
        )


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(((?:docs|examples|bench)/[^)#]*)\)", readme):
        assert (ROOT / link).exists(), f"README links to missing {link}"


@pytest.mark.parametrize("what", ["proposal", "assessment"])
def test_published_json_schemas_are_current(what: str) -> None:
    import json

    from detente.assessment.schema import proposal_json_schema

    current = (
        proposal_json_schema()
        if what == "proposal"
        else Assessment.model_json_schema(by_alias=True)
    )
    committed = json.loads((DOCS / "schema" / f"{what}.schema.json").read_text(encoding="utf-8"))
    assert committed == current, f"docs/schema/{what}.schema.json is stale: run make docs"


def test_proposal_docs_list_every_valid_id() -> None:
    from detente.assessment.schema import valid_ids_markdown

    text = (DOCS / "proposals.md").read_text(encoding="utf-8")
    assert valid_ids_markdown() in text, "docs/proposals.md valid ids are stale: run make docs"


def test_proposal_schema_rejects_unknown_ids() -> None:
    """The published schema validates ids as an editor would."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    from detente.assessment.schema import proposal_json_schema

    schema = proposal_json_schema()
    validator = jsonschema_rs.validator_for(schema)
    base = {"title": "t", "parties": [{"name": "A", "country": "US"}]}
    ok = {
        **base,
        "areas": [{"id": "protocols", "subtopics": ["terminology"]}],
        "safeguards": ["logged-access"],
    }
    assert validator.is_valid(ok)
    for bad in (
        {**base, "areas": [{"id": "protocol"}]},
        {**base, "areas": [{"id": "protocols", "subtopics": ["benchmarks"]}]},  # another area's
        {**base, "safeguards": ["logged_access"]},
        {**base, "forms": ["dialog"]},
    ):
        assert not validator.is_valid(bad), bad
