"""Property-based API testing with schemathesis: no input the spec allows (or nearly allows) gives a 5xx.

The app runs in-process (ASGI) on a fresh SQLite database with a stored
proposal; every generated request carries an admin's API token, so the
operations are exercised past authentication.  Bounded: ``DETENTE_SCHEMATHESIS_EXAMPLES``
examples per operation (default 25), which finishes well under two minutes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from detente.store.views import Actor
from detente.web.app import create_app
from detente.web.settings import Settings

from .samples import VERIFICATION

EXAMPLES = int(os.environ.get("DETENTE_SCHEMATHESIS_EXAMPLES", "25"))
_state: dict[str, Any] = {}


@pytest.fixture(scope="module")
def api_schema():  # type: ignore[no-untyped-def]
    home = Path(tempfile.mkdtemp(prefix="detente-st-"))
    old = os.environ.get("DETENTE_HOME")
    os.environ["DETENTE_HOME"] = str(home)
    # List updates go to a closed local port, never to the official sources.
    app = create_app(
        Settings(
            database_url=f"sqlite:///{home / 'st.sqlite3'}",
            lists_mirror="http://127.0.0.1:9/",
            lists_retries=0,
            lists_timeout=2,
        )
    )
    wf = app.state.workflow
    admin = wf.create_user("ada", "ada-password", "admin")
    ada = Actor(id=admin.id, username=admin.username, role=admin.role)
    wf.submit(ada, VERIFICATION)
    raw, _ = wf.create_token(ada, "schemathesis")
    _state["headers"] = {"Authorization": f"Bearer {raw}"}
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    app.state.list_jobs.join()
    if old is None:
        os.environ.pop("DETENTE_HOME", None)
    else:
        os.environ["DETENTE_HOME"] = old
    wf.db.dispose()


@pytest.mark.slow
def test_api_never_answers_with_a_server_error(api_schema) -> None:  # type: ignore[no-untyped-def]
    """Every operation of the spec, EXAMPLES generated requests each (Python API, not the pytest plugin)."""
    from hypothesis import given
    from schemathesis.core.result import Ok

    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call_and_validate(
                headers=_state["headers"], checks=[not_a_server_error]
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert operations >= 14
    assert not failures, "\n\n".join(failures)
    print(
        f"schemathesis: {operations} operations, responses by status {dict(sorted(statuses.items()))}"
    )
    assert statuses.get(200, 0) + statuses.get(201, 0) > 0, "no request got past authentication"
