"""The safe YAML/JSON reader: nesting, alias and size limits, before anything is constructed.

The regression cases of issue 10 (a 30,000-deep ``[[[…]]]`` crashed the C
loader; a 351-byte alias bomb took 46 s and 2.3 GB) run in a subprocess, so a
crash fails the test instead of killing the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente._yamlio import Limits, load_json, load_yaml, parse_document
from detente.errors import InputLimitError, ProposalError

DEEP = 30_000


def deep_flow(n: int = DEEP) -> str:
    return "title: " + "[" * n + "]" * n + "\n"


def deep_json(n: int = DEEP) -> str:
    return '{"title": ' + "[" * n + "]" * n + "}"


def deep_block(n: int = DEEP) -> str:
    return "title:\n" + "- " * n + "x\n"


def alias_bomb(levels: int = 7) -> str:
    """The 'billion laughs' shape: each level repeats the one before nine times."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(levels - 1):
        name = chr(ord("b") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


BOMBS = {
    "deep flow YAML": ("deep.yaml", deep_flow(), "max_depth"),
    "deep JSON": ("deep.json", deep_json(), "max_depth"),
    "deep block YAML": ("block.yaml", deep_block(), "max_depth"),
    "alias bomb": ("bomb.yaml", alias_bomb(), "max_nodes"),
    "quotes hiding brackets": ("q.yaml", "title: " + '[ "]" ' * 20_000 + "\n", "max_depth"),
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_bombs_are_refused_naming_the_limit(case: str) -> None:
    name, text, limit = BOMBS[case]
    with pytest.raises(InputLimitError) as info:
        parse_document(text, name, ProposalError, "proposal")
    assert info.value.limit == limit
    assert limit in str(info.value) and name in str(info.value)
    assert info.value.to_dict()["error"]["limit"] == limit


def test_size_limit() -> None:
    with pytest.raises(InputLimitError) as info:
        parse_document("title: " + "x" * 200, "big.yaml", limits=Limits(max_bytes=100))
    assert info.value.limit == "max_bytes"


def test_alias_count_limit() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 5) + "]\n"
    assert load_yaml(text, "ok.yaml", limits=Limits(max_aliases=5))["b"] == ["x"] * 5
    with pytest.raises(InputLimitError) as info:
        load_yaml(text, "many.yaml", limits=Limits(max_aliases=4))
    assert info.value.limit == "max_aliases"


def test_line_of_the_breach_is_reported() -> None:
    text = "title: ok\nparties:\n  - " + "[" * 100 + "]" * 100 + "\n"
    with pytest.raises(InputLimitError) as info:
        parse_document(text, "p.yaml")
    assert info.value.problems[0].line == 3


def test_syntax_errors_keep_their_line() -> None:
    with pytest.raises(ProposalError) as info:
        parse_document("title: x\nparties:\n  - name: [unclosed\n", "bad.yaml", ProposalError)
    assert "not valid YAML" in str(info.value) and "bad.yaml:" in str(info.value)


def test_json_lists_use_list_limits() -> None:
    with pytest.raises(InputLimitError):
        load_json(deep_json(100), "list.json")
    assert load_json('{"a": [1, 2]}', "list.json") == {"a": [1, 2]}


# --------------------------------------------------------------------------- Hypothesis

SMALL = Limits(max_bytes=100_000, max_depth=6, max_aliases=4, max_nodes=60)

scalars = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b c", "x-y"]))
trees = st.recursive(
    scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.dictionaries(st.sampled_from(["k", "l", "m"]), kids, max_size=3),
    ),
    max_leaves=30,
)


def depth(obj: Any) -> int:
    if isinstance(obj, dict):
        return 1 + max((depth(v) for v in obj.values()), default=0)
    if isinstance(obj, list):
        return 1 + max((depth(v) for v in obj), default=0)
    return 0


def nodes(obj: Any) -> int:
    if isinstance(obj, dict):
        return 1 + sum(1 + nodes(v) for v in obj.values())
    if isinstance(obj, list):
        return 1 + sum(nodes(v) for v in obj)
    return 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees, as_json=st.booleans())
def test_nested_documents_load_exactly_when_within_limits(tree: Any, as_json: bool) -> None:
    doc = {"root": tree}
    # YAML as a block mapping: a text starting with "{" is read as JSON whatever its name
    text = json.dumps(doc) if as_json else "root: " + json.dumps(tree)
    name = "t.json" if as_json else "t.yaml"
    ok = depth(doc) <= SMALL.max_depth and nodes(doc) <= SMALL.max_nodes
    try:
        data, _ = parse_document(text, name, limits=SMALL)
    except InputLimitError as exc:
        assert exc.limit in {"max_depth", "max_nodes"}
        # JSON's node count is a cheap upper bound; YAML's is exact
        assert not ok or as_json
    else:
        assert ok or as_json
        assert data == doc


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(1, 4),
    levels=st.integers(1, 4),
    refs=st.integers(1, 3),
    flow=st.booleans(),
)
def test_anchors_and_aliases_count_what_they_expand_to(
    width: int, levels: int, refs: int, flow: bool
) -> None:
    """a0 is a list of `width` scalars; each level is a list of `refs` aliases of the one before."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels):
        items = [f"*a{i - 1}"] * refs
        if flow:
            lines.append(f"a{i}: &a{i} [{', '.join(items)}]")
        else:
            lines.append(f"a{i}: &a{i}\n" + "".join(f"  - {it}\n" for it in items).rstrip("\n"))
    text = "\n".join(lines) + "\n"
    aliases = refs * (levels - 1)
    expected = yaml_expand(width, levels, refs)
    limits = Limits(max_depth=SMALL.max_depth, max_aliases=SMALL.max_aliases, max_nodes=40)
    try:
        data = load_yaml(text, "a.yaml", limits=limits)
    except InputLimitError as exc:
        assert (
            aliases > limits.max_aliases
            or nodes(expected) > limits.max_nodes
            or (depth(expected) > limits.max_depth)
        ), exc
    else:
        assert aliases <= limits.max_aliases and nodes(data) <= limits.max_nodes
        assert data == expected


def yaml_expand(width: int, levels: int, refs: int) -> dict[str, Any]:
    out: dict[str, Any] = {"a0": ["x"] * width}
    for i in range(1, levels):
        out[f"a{i}"] = [out[f"a{i - 1}"]] * refs
    return out


# --------------------------------------------------------------------------- every entry point, in a subprocess

_WEB_SCRIPT = textwrap.dedent(
    """
    import json, re, resource, sys, time, warnings
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
    from detente.store.views import Actor
    from detente.web.app import create_app
    from detente.web.settings import Settings

    CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
    texts = {f: open(f, encoding="utf-8").read() for f in sys.argv[2:]}
    app = create_app(Settings(database_url="sqlite:///" + sys.argv[1]))
    wf = app.state.workflow
    wf.create_user("ann", "ann-password-1", "submitter")
    ann = Actor(id=wf.get_user("ann").id, username="ann", role="submitter")
    raw, _ = wf.create_token(ann, "t")
    h = {"Authorization": "Bearer " + raw}
    out = {}

    def timed(key, call):
        t0 = time.perf_counter()
        r = call()
        out[key] = [r.status_code, round(time.perf_counter() - t0, 3), r.text[:20000]]

    with TestClient(app, raise_server_exceptions=False) as c:
        tok = CSRF.search(c.get("/login").text).group(1)
        c.post("/login", data={"csrf_token": tok, "username": "ann",
                               "password": "ann-password-1", "next": "/"})
        tok = CSRF.search(c.get("/proposals/new").text).group(1)
        out["rss_before_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for f, text in texts.items():
            for path in ("/api/v1/assess", "/api/v1/proposals"):
                timed(f + " api source " + path,
                      lambda: c.post(path, json={"source": text}, headers=h))
            if f.endswith(".json"):
                body = '{"proposal": ' + text + "}"
                hj = {**h, "content-type": "application/json"}
                timed(f + " api object /api/v1/assess",
                      lambda: c.post("/api/v1/assess", content=body, headers=hj))
            timed(f + " page paste", lambda: c.post("/proposals/new", data={
                "csrf_token": tok, "mode": "text", "text": text}))
            timed(f + " page upload", lambda: c.post("/proposals/new", data={
                "csrf_token": tok, "mode": "upload"},
                files={"file": (f.rsplit("/", 1)[-1], text.encode(), "application/x-yaml")}))
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    """
)


SUBPROCESS_CASES = ["deep flow YAML", "deep JSON", "deep block YAML", "alias bomb"]


def test_cli_refuses_bombs_in_a_subprocess(tmp_path: Path) -> None:
    files = []
    for case in SUBPROCESS_CASES:
        name, text, _ = BOMBS[case]
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    proc = subprocess.run(
        [sys.executable, "-m", "detente.cli.main", "assess", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    out = proc.stderr + proc.stdout
    for case in SUBPROCESS_CASES:
        name, _, limit = BOMBS[case]
        assert f"{name}: the proposal is refused" in out and limit in out, (case, out[-3000:])
    assert "Traceback" not in proc.stderr


def test_web_and_api_refuse_bombs_in_a_subprocess(tmp_path: Path) -> None:
    files = []
    for case in SUBPROCESS_CASES:
        name, text, _ = BOMBS[case]
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    script = tmp_path / "web_bomb.py"
    script.write_text(_WEB_SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "db.sqlite3"), *files],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    limits = {str(tmp_path / BOMBS[c][0]): BOMBS[c][2] for c in SUBPROCESS_CASES}
    checked = 0
    for key, value in out.items():
        if not isinstance(value, list):
            continue
        status, _seconds, body = value
        limit = limits[key.split(" ", 1)[0]]
        assert status == 422, (key, status, body[:500])
        assert limit in body, (key, body[:500])
        checked += 1
    assert checked == 4 * len(SUBPROCESS_CASES) + 1
