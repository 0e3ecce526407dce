"""The whole review flow in a real browser (Playwright + Debian's Chromium).

A submitter writes a proposal with the guided form (fixing a validation
error on the way), a reviewer requests a safeguard, the submitter revises,
the reviewer compares the revisions and decides, and the report is exported
as PDF.  Screenshots of the main pages go to ``artifacts/screenshots/``; the picture in
the docs (``docs/img/web-assessment.png``) is made by ``scripts/screenshot_web.py``.

Skipped with the reason when /usr/bin/chromium is absent (apt-get install chromium).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path(os.environ.get("DETENTE_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: install Debian's chromium package"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("browser-home")
    url = f"sqlite:///{home / 'detente.sqlite3'}"
    env = {**os.environ, "DETENTE_HOME": str(home), "DATABASE_URL": url}
    env.pop("DETENTE_SECURE_COOKIES", None)
    old = {k: os.environ.get(k) for k in ("DETENTE_HOME",)}
    os.environ["DETENTE_HOME"] = str(home)
    try:
        from detente.store.db import open_database
        from detente.store.service import Workflow

        db = open_database(url)
        wf = Workflow(db)
        wf.create_user("alice", "alice-password", "submitter")
        wf.create_user("rita", "rita-password", "reviewer")
        db.dispose()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "detente.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("the server exited at start-up")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _login(page, base: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", f"{user}-password")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.click("header.top button.link")
    page.wait_for_url("**/login")


def test_submitter_and_reviewer_walk_the_whole_flow(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        try:
            # --- the submitter writes a proposal with the guided form
            _login(page, base, "alice")
            _shot(page, "01-dashboard-empty")
            page.click("text=New proposal >> nth=0")
            page.fill("#title", "Joint research on verifying compute-usage claims")
            page.fill(
                "#summary",
                "A US and a Chinese university develop hardware-agnostic methods to verify claims about training compute.",
            )
            page.check("input[name=areas][value=verification]")
            page.fill("#party-0-name", "Example University")
            page.fill("#party-0-country", "US")
            page.select_option("#party-0-type", "university")
            page.select_option("#party-0-role", "lead")
            page.select_option("#party-0-contributes", ["expertise", "published_knowledge"])
            page.fill("#party-1-name", "Tsinghua University")
            page.fill("#party-1-country", "China")  # wrong on purpose: the form must say so
            page.select_option("#party-1-type", "university")
            page.check("input[name=forms][value=joint_software]")
            page.check("input[name=forms][value=joint_publication]")
            page.check("input[name=activities][value=develop_verification]")
            page.check("input[name=purposes][value=verify_commitments]")
            page.select_option("#publication", "open")
            _shot(page, "02-proposal-form")
            page.click("#submit-proposal")
            expect(page.locator("#problems")).to_be_visible()
            expect(page.locator(".field-error").first).to_contain_text("at most 2 characters")
            _shot(page, "03-proposal-form-errors")
            page.fill("#party-1-country", "CN")
            page.click("#submit-proposal")
            page.wait_for_url("**/proposals/1?done=submitted")
            expect(page.locator("#verdict")).to_be_visible()
            expect(page.locator("table.heat")).to_be_visible()
            expect(page.locator("#screening")).to_contain_text("NOT CHECKED")
            first_verdict = page.locator("#verdict").get_attribute("data-verdict")
            _shot(page, "04-assessment-revision-1")
            _logout(page)

            # --- the reviewer asks for a safeguard
            _login(page, base, "rita")
            page.click("text=Joint research on verifying compute-usage claims")
            page.wait_for_url("**/proposals/1")
            page.click("button[data-request=independent-code-review]")
            page.wait_for_url("**/proposals/1?done=request_safeguard*")
            expect(page.locator("#status")).to_have_text("changes requested")
            _logout(page)

            # --- the submitter revises
            _login(page, base, "alice")
            page.goto(f"{base}/proposals/1")
            page.click("#revise")
            expect(page.locator("text=Reviewer requests on this revision")).to_be_visible()
            page.check("input[name=safeguards][value=independent-code-review]")
            page.fill("#note", "Added independent review of all jointly written code.")
            page.click("#submit-proposal")
            page.wait_for_url("**/proposals/1?done=revised")
            expect(page.locator("text=showing revision")).to_contain_text("revision 2")
            _logout(page)

            # --- the reviewer compares and decides
            _login(page, base, "rita")
            page.goto(f"{base}/proposals/1")
            page.click("text=Compare revisions")
            expect(page.locator("table.diff")).to_be_visible()
            _shot(page, "05-compare-revisions")
            page.goto(f"{base}/proposals/1")
            second_verdict = page.locator("#verdict").get_attribute("data-verdict")
            assert second_verdict and first_verdict
            page.select_option("#outcome", "approved_with_conditions")
            page.fill(
                "#conditions", "Every commit reviewed by an independent third party before merge."
            )
            page.fill(
                "#reasoning",
                "Independent code review counters the verification-backdoor risk (framework.md §6.1).",
            )
            page.click("#decide")
            page.wait_for_url("**/proposals/1?done=decided*")
            expect(page.locator("[data-decision=approved_with_conditions]")).to_be_visible()
            _shot(page, "06-assessment-decided")
            page.evaluate("window.scrollTo(0, 0)")
            shot = SHOTS / "web-assessment.png"
            page.screenshot(path=str(shot))  # the first screen only

            # --- export the report as PDF
            with page.expect_download() as dl:
                page.click("#export-pdf")
            pdf = tmp_path / "report.pdf"
            dl.value.save_as(str(pdf))
            assert pdf.read_bytes().startswith(b"%PDF")

            page.goto(f"{base}/")
            _shot(page, "07-dashboard")
        finally:
            context.close()
            browser.close()
