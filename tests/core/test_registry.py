"""The provider registry: a third-party list loader and renderer used through the normal paths,
the built-ins registered as entry points, the pip hint of a missing extra, the stamped providers.

The toy distribution below is written to a temporary folder as an installed distribution
(``*.dist-info`` with ``entry_points.txt``), so it is found exactly as a ``pip install``-ed
plugin would be; no Détente code is edited.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente import registry
from detente.cli.main import app
from detente.errors import InputError, MissingExtraError, exit_code_for, http_status_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "01-incident-reporting-protocol.yaml"
runner = CliRunner()

TOY = textwrap.dedent(
    '''
    """A third party's Détente plugin: a tab-separated watch list and a one-line report."""
    from detente.registry import ListLoader, Renderer
    from detente.screening.entries import ListEntry, ParsedSource


    def _load(files, source_id):
        entries, rows = [], {}
        for fname, data in files.items():
            lines = [x for x in data.decode("utf-8").splitlines() if x.strip()]
            rows[fname] = len(lines)
            for i, line in enumerate(lines):
                name, country = line.split("\\t")
                entries.append(
                    ListEntry(source_id, "toy_watch", f"toy-{i}", name, countries=(country,))
                )
        return ParsedSource(source_id, tuple(entries), rows)


    def _detect(path, head):
        return "toy_watchlist" if path.suffix == ".toy" else None


    loader = ListLoader(
        load=_load,
        detect=_detect,
        lists=(
            {
                "id": "toy_watch",
                "name": "Toy watch list",
                "authority": "Toy Ltd",
                "jurisdiction": "",
                "severity": "restricting",
                "meaning": "On the toy watch list.",
                "official_url": "",
            },
        ),
        sources=(
            {
                "id": "toy_watchlist",
                "title": "Toy watch list (tab-separated)",
                "format": "toy_tsv",
                "provides": [{"list": "toy_watch"}],
                "licence": "toy",
            },
        ),
    )


    def _render(a, options):
        return f"TOY {a.proposal_id}: {a.verdict.level}\\n"


    renderer = Renderer(render=_render, suffix=".toy.txt", description="One line.")
    '''
)

ENTRY_POINTS = """\
[detente.list_loaders]
toy_tsv = toy_detente:loader

[detente.renderers]
toy = toy_detente:renderer
"""


@pytest.fixture
def toy_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    dist = site / "toy_detente-1.2.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-detente\nVersion: 1.2\n")
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "toy_detente.py").write_text(TOY)
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    yield site
    monkeypatch.undo()
    registry.refresh()


def test_builtins_are_registered_as_entry_points() -> None:
    assert {"json", "md", "html", "text", "pdf"} <= set(registry.names("renderer"))
    assert {"screening", "landscape", "placement"} <= set(registry.names("enricher"))
    assert "user_csv" in registry.names("list_loader") and "bundled" in registry.names("pack")
    s = registry.stamp("renderer", "html")
    assert (s.distribution, s.kind) == ("detente", "renderer") and s.version


def test_third_party_loader_and_renderer_through_the_cli(toy_plugin: Path, tmp_path: Path) -> None:
    assert registry.stamp("renderer", "toy").model_dump() == {
        "kind": "renderer",
        "name": "toy",
        "distribution": "toy-detente",
        "version": "1.2",
    }
    home = tmp_path / "home"
    lst = tmp_path / "watch.toy"
    lst.write_text("Acme Toy Robotics Laboratory\tUS\nSomewhere Else Institute\tGB\n")
    r = runner.invoke(
        app, ["lists", "load", str(lst), "--home", str(home)]
    )  # detected by the plugin
    assert r.exit_code == 0, r.output
    assert "toy_watchlist" in r.output
    r = runner.invoke(app, ["screen", "Acme Toy Robotics Laboratory", "--home", str(home)])
    assert r.exit_code == 0 and "HIT" in r.output and "toy_watch" in r.output, r.output

    out = tmp_path / "out"
    r = runner.invoke(
        app, ["assess", str(EXAMPLE), "--out", str(out), "--format", "toy", "--no-screen"]
    )
    assert r.exit_code == 0, r.output
    text = (out / f"{EXAMPLE.stem}.toy.txt").read_text()
    assert text.startswith("TOY ") and text.endswith("\n")


def test_in_process_registration_and_the_public_render(tmp_path: Path) -> None:
    import detente

    fw = detente.get_framework()
    a = detente.assess(detente.load_proposal(EXAMPLE, fw), fw)
    shout = registry.Renderer(render=lambda a, o: a.proposal_title.upper(), suffix=".txt")
    with registry.registered("renderer", "shout", shout):
        assert detente.render(a, "shout") == a.proposal_title.upper()
    with pytest.raises(InputError, match="unknown format 'shout'"):
        detente.render(a, "shout")


def test_missing_extra_names_the_pip_install() -> None:
    needy = registry.Renderer(
        render=lambda a, o: b"", suffix=".x", requires=("detente_no_such_module",), extra="pdf"
    )
    with registry.registered("renderer", "needy", needy):
        with pytest.raises(MissingExtraError) as info:
            registry.get("renderer", "needy")
        assert "pip install 'detente[pdf]'" in str(info.value)
        assert exit_code_for(info.value) == 2 and http_status_for(info.value) == 501
        r = runner.invoke(app, ["assess", str(EXAMPLE), "--format", "needy", "--no-screen"])
        assert r.exit_code == 2 and "pip install 'detente[pdf]'" in r.output
        assert "Traceback" not in r.output


def test_landscape_command_without_the_extra_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.EXTRA_MODULES, "landscape", ("detente_no_such_module",))
    r = runner.invoke(app, ["landscape", "classifier", "evaluate"])
    assert r.exit_code == 2 and "pip install 'detente[landscape]'" in r.output, r.output


def test_entry_point_whose_module_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    dist = site / "broken_detente-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-detente\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[detente.renderers]\nbroken = broken_detente:r\n")
    (site / "broken_detente.py").write_text("import weasyprint_not_here\n")
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    try:
        with pytest.raises(MissingExtraError, match="weasyprint_not_here"):
            registry.get("renderer", "broken")
        assert "broken" not in dict(registry.all_of("renderer"))
    finally:
        monkeypatch.undo()
        registry.refresh()


def test_assessment_records_the_providers_that_ran() -> None:
    from detente.pipeline import AssessOptions, run_assessment

    a = run_assessment(EXAMPLE.read_text(), options=AssessOptions(screen=False)).assessment
    assert a.providers == []
    a = run_assessment(EXAMPLE.read_text(), options=AssessOptions(screen=True)).assessment
    got = {(p.kind, p.name) for p in a.providers}
    assert got in ({("enricher", "screening"), ("pack", "bundled")}, set())


def test_the_core_commands_import_no_extra(tmp_path: Path) -> None:
    """`detente assess` and `detente screen` run without importing any extra's library."""
    import subprocess
    import sys

    heavy = sorted({m for mods in registry.EXTRA_MODULES.values() for m in mods})
    code = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from detente.cli.main import app
        r = CliRunner()
        out = r.invoke(app, ["assess", {str(EXAMPLE)!r}, "-q", "--out", {str(tmp_path)!r}])
        assert out.exit_code == 0, out.output
        out = r.invoke(app, ["screen", "Example Frontier AI Lab", "--home", {str(tmp_path)!r}])
        assert out.exit_code == 0, out.output
        print(sorted(m for m in {heavy!r} if m in sys.modules))
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
