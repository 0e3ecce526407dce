"""One retry policy for every download: exponential backoff with jitter, honouring ``Retry-After``.

``lists update`` (:mod:`detente.screening.update`) and the landscape's API
client use it, so a 429 or 503 is never retried at once and a server's
``Retry-After`` (seconds or an HTTP date) is obeyed up to ``max_wait``.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    backoff: float = 1.0  # first wait, doubled each attempt
    max_wait: float = 60.0
    jitter: bool = True

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (0-based ``attempt`` just failed)."""
        told = retry_after_seconds(retry_after)
        if told is not None:
            return min(told, self.max_wait)
        base = float(min(self.max_wait, self.backoff * (2.0**attempt)))
        return base * (0.5 + random.random() / 2) if self.jitter else base


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    v = value.strip()
    if v.isdigit():
        return float(v)
    try:
        when = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def retrying(
    attempt_once: Callable[[int], tuple[bool, str | None]],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Call ``attempt_once(attempt)`` until it returns ``(True, _)`` or the retries run out.

    ``attempt_once`` returns ``(done, retry_after)``: ``done`` ends the loop
    (success, or a failure not worth retrying); otherwise the loop waits by
    ``policy`` (``retry_after`` is the server's header, if any) and tries again.
    Returns whether the last attempt said done.
    """
    for attempt in range(policy.retries + 1):
        done, retry_after = attempt_once(attempt)
        if done:
            return True
        if attempt < policy.retries:
            sleep(policy.wait(attempt, retry_after))
    return False


__all__ = ["RETRY_STATUS", "RetryPolicy", "retry_after_seconds", "retrying"]
