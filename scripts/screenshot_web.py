"""Make the picture of the web app's assessment page (docs/img/web-assessment.png).

    .venv/bin/python scripts/screenshot_web.py [OUT.png] [--no-lists | --lists DIR]

Everything happens in a temporary directory that is deleted afterwards (a SQLite
store and a data home; never the user's own data) and nothing needs the network:

1. users "alice" (submitter) and "rita" (reviewer) are created;
2. alice submits examples/03-training-run-verification.yaml without its independent
   code review (revision 1: needs senior review — jointly written verification code
   could hide a backdoor);
3. rita requests the safeguard ``independent-code-review``;
4. alice revises: revision 2 is the example file as it is (suitable with safeguards);
5. rita records "approved with conditions";
6. the app is served on loopback and headless Chromium (Playwright, as in
   tests/web/test_browser.py) signs in as rita and saves the first screen of the
   assessment page at 1440×900.

Restricted-party lists are loaded from ../shared/data/lists when that folder exists
(or from ``--lists DIR``); without them screening is skipped and the page says NOT CHECKED.
Chromium is /usr/bin/chromium or ``$DETENTE_CHROMIUM`` (``scripts/setup.sh --test`` installs it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # this checkout's code, whatever the venv points at
    sys.path.insert(0, str(REPO / "src"))

DEFAULT_OUT = REPO / "docs" / "img" / "web-assessment.png"
DEFAULT_LISTS = REPO.parent / "shared" / "data" / "lists"
EXAMPLE = REPO / "examples" / "03-training-run-verification.yaml"
VIEWPORT = {"width": 1440, "height": 900}
CHROMIUM_ARGS = [  # the same flags as tests/web/test_browser.py
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Revision 1 is the example without its independent code review: the safeguard rita asks for.
PLANNED = "safeguards: [independent-code-review, results-only-disclosure]"
PLANNED_BEFORE = "safeguards: [results-only-disclosure]"
REVIEW_SENTENCE = (
    " Every release is audited by an independent\n"
    "  reviewer (the Swiss Federal Institute of Technology Lausanne's security lab has agreed in\n"
    "  principle) and each side builds what it runs from the reviewed source."
)

# short enough that the whole review thread fits beside the verdict on the first screen
REQUEST = "Jointly written code could hide a verification backdoor: please add independent review."
REVISION_NOTE = "Added independent review of every release."
CONDITIONS = (
    "EPFL's security lab reviews every release before either side runs it; "
    "export-control classification before the first release."
)
REASONING = (
    "Verifying compute claims builds confidence; the review added in revision 2 "
    "counters the backdoor risk."
)


def revision_texts() -> tuple[str, str]:
    """(revision 1, revision 2): the example without and with its independent code review."""
    final = EXAMPLE.read_text(encoding="utf-8")
    if PLANNED not in final or REVIEW_SENTENCE not in final:
        raise SystemExit(
            f"{EXAMPLE.name} changed: update revision_texts() in {Path(__file__).name}"
        )
    first = final.replace(PLANNED, PLANNED_BEFORE).replace(REVIEW_SENTENCE, "")
    return first, final


@contextmanager
def data_home(path: Path) -> Iterator[None]:
    """Point DETENTE_HOME (where lists and their index live) at ``path`` for a while."""
    old = os.environ.get("DETENTE_HOME")
    os.environ["DETENTE_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DETENTE_HOME", None)
        else:
            os.environ["DETENTE_HOME"] = old


def load_lists(folder: Path, home: Path) -> int:
    """Load every list folder under ``folder`` into ``home``; the number of entries."""
    from detente.screening.store import load_paths

    dirs = sorted(p for p in folder.iterdir() if p.is_dir())
    manifests = load_paths(dirs, source=None, retrieved_at=datetime.now(UTC), home=home)
    return sum(m.entries for m in manifests)


def run_review(app: Any) -> int:
    """alice submits, rita requests a safeguard, alice revises, rita approves with conditions."""
    from detente.store.service import Workflow
    from detente.store.views import Actor

    wf: Workflow = app.state.workflow

    def actor(name: str) -> Actor:
        u = wf.get_user(name)
        return Actor(id=u.id, username=u.username, role=u.role)

    first, final = revision_texts()
    alice, rita = actor("alice"), actor("rita")
    p = wf.submit(alice, first, source=EXAMPLE.name)
    wf.comment(
        rita, p.id, REQUEST, kind="request_safeguard", safeguard_id="independent-code-review"
    )
    wf.revise(alice, p.id, 1, final, source=EXAMPLE.name, note=REVISION_NOTE)
    wf.decide(
        rita,
        p.id,
        outcome="approved_with_conditions",
        conditions=CONDITIONS,
        reasoning=REASONING,
        base_revision=2,
    )
    return p.id


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise SystemExit("the web app did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def screenshot(base: str, proposal_id: int, password: str, out: Path, chromium: Path) -> None:
    """Sign in as rita in headless Chromium and save the first screen of the assessment page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            # nothing but the app on loopback: the picture must not depend on the network
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("#username", "rita")
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.goto(f"{base}/proposals/{proposal_id}")
            for sel in ("#verdict", "#statement", "#review [data-decision]"):
                page.locator(sel).first.wait_for(state="visible")
            page.evaluate("document.fonts.ready")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))  # the first screen, as a reader of the README sees it
            context.close()
        finally:
            browser.close()


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    w, h = struct.unpack(">II", head[16:24])
    return int(w), int(h)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "out",
        nargs="?",
        type=Path,
        default=DEFAULT_OUT,
        help=f"PNG to write (default {DEFAULT_OUT.relative_to(REPO)})",
    )
    ap.add_argument(
        "--lists",
        type=Path,
        default=DEFAULT_LISTS,
        help="folder of restricted-party list folders (default ../shared/data/lists)",
    )
    ap.add_argument(
        "--no-lists", action="store_true", help="skip screening (the page shows NOT CHECKED)"
    )
    ap.add_argument(
        "--chromium",
        type=Path,
        default=Path(os.environ.get("DETENTE_CHROMIUM", "/usr/bin/chromium")),
        help="Chromium to drive (default $DETENTE_CHROMIUM or /usr/bin/chromium)",
    )
    args = ap.parse_args(argv)
    if not args.chromium.exists():
        print(
            f"{args.chromium} not found: run scripts/setup.sh --test (Debian's chromium)",
            file=sys.stderr,
        )
        return 2

    from detente.web.app import create_app
    from detente.web.settings import Settings

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="detente-shot-") as tmp, data_home(Path(tmp) / "home"):
        home = Path(tmp) / "home"
        if args.no_lists:
            print("screening skipped (--no-lists): the page shows NOT CHECKED")
        elif args.lists.is_dir():
            n = load_lists(args.lists, home)
            print(f"screening: {n:,} list entries loaded from {args.lists}")
        else:
            print(f"screening skipped: {args.lists} not found (the page shows NOT CHECKED)")
        app = create_app(
            Settings(
                database_url=f"sqlite:///{Path(tmp) / 'detente.sqlite3'}", secure_cookies=False
            )
        )
        wf = app.state.workflow
        password = secrets.token_urlsafe(16)
        wf.create_user("alice", secrets.token_urlsafe(16), "submitter")
        wf.create_user("rita", password, "reviewer")
        try:
            pid = run_review(app)
            with serve(app) as base:
                screenshot(base, pid, password, args.out, args.chromium)
        finally:
            wf.db.dispose()
    w, h = png_size(args.out)
    print(f"wrote {args.out} ({w}×{h}) in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
