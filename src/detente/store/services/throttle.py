"""Progressive delays after failed sign-ins (never a lock-out), counted in the database."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from detente.errors import (
    LoginThrottledError,
)
from detente.store.models import (
    LoginFailure,
)
from detente.store.services._base import (
    Service,
)

PAIR_DELAY_CAP = timedelta(minutes=15)  # one user name from one address
USER_DELAY_CAP = timedelta(seconds=30)  # one user name from addresses that failed for it
ADDRESS_DELAY_CAP = timedelta(seconds=60)  # one address, any user names


class LoginThrottle(Service):
    """Counts failed sign-ins per user name, per address and per both; each imposes a delay."""

    @staticmethod
    def key(username: str) -> str:
        return username.strip().casefold()[:64] or "?"

    def _recent(self, s: Session, now: datetime, *conds: Any) -> tuple[int, datetime | None]:
        """(failures in the window, time of the newest) for these conditions."""
        row = s.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                LoginFailure.at > now - self.ctx.login_window, *conds
            )
        ).one()
        return int(row[0] or 0), row[1]

    @staticmethod
    def _delay(failures: int, free: int, cap: timedelta) -> timedelta:
        """No delay for the first ``free`` failures, then 1 s, 2 s, 4 s … up to ``cap``."""
        if failures < free:
            return timedelta(0)
        return min(cap, timedelta(seconds=2 ** min(failures - free, 20)))

    def check(self, s: Session, key: str, client: str | None, now: datetime) -> None:
        """LoginThrottledError while a progressive delay is running; never a lock-out.

        Three counters over ``login_window``:

        * this user name from this address: delays after a few failures, growing to
          :data:`PAIR_DELAY_CAP` (the guesser's own address pays);
        * this user name from any address: delays growing to only
          :data:`USER_DELAY_CAP`, and an address that has not failed for this name in the
          window (a *new* address) is not held by it at all — so failures by someone else
          can never keep the right password out;
        * this address for any user name: delays growing to :data:`ADDRESS_DELAY_CAP`
          (short, because many people may share an address).
        """
        free = self.ctx.login_max_failures
        addr = client or "-"
        pair_n, pair_last = self._recent(
            s, now, LoginFailure.username == key, LoginFailure.client == addr
        )
        waits: list[tuple[datetime, str]] = []
        if pair_n and pair_last is not None:
            waits.append(
                (
                    pair_last + self._delay(pair_n, max(1, free - 2), PAIR_DELAY_CAP),
                    "for this user name",
                )
            )
            user_n, user_last = self._recent(s, now, LoginFailure.username == key)
            if user_last is not None:
                waits.append(
                    (user_last + self._delay(user_n, free, USER_DELAY_CAP), "for this user name")
                )
        if client is not None:
            addr_n, addr_last = self._recent(s, now, LoginFailure.client == addr)
            if addr_last is not None:
                waits.append(
                    (addr_last + self._delay(addr_n, free, ADDRESS_DELAY_CAP), "from this address")
                )
        if not waits:
            return
        until, what = max(waits, key=lambda w: w[0])
        wait = math.ceil((until - now).total_seconds())
        if wait <= 0:
            return
        when = f"{wait} second{'s' if wait != 1 else ''}"
        if wait >= 120:
            minutes = (wait + 59) // 60
            when = f"{minutes} minutes"
        raise LoginThrottledError(
            f"too many failed sign-ins {what}: try again in {when}", retry_after=wait
        )

    def record_failure(self, s: Session, key: str, client: str | None, now: datetime) -> None:
        s.add(LoginFailure(username=key, client=client or "-", at=now))

    def forgive(self, s: Session, key: str, client: str | None) -> None:
        """Only this address's own failures are forgiven: others' stay counted against them."""
        s.execute(
            delete(LoginFailure).where(
                LoginFailure.username == key, LoginFailure.client == (client or "-")
            )
        )

    def clear(self, s: Session, key: str) -> int:
        """Delete every failure counted for a user name; how many there were."""
        res = s.execute(delete(LoginFailure).where(LoginFailure.username == key))
        return int(res.rowcount or 0)  # type: ignore[attr-defined]

    def purge(self, s: Session, now: datetime) -> int:
        """Delete failures older than the window; how many."""
        res = s.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.ctx.login_window))
        return int(res.rowcount or 0)  # type: ignore[attr-defined]
