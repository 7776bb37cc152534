"""Delivery of iMocha callbacks.

https://developer.imocha.io/api/callback-notification: "If your endpoint is
unreachable or errors out, iMocha will retry 5 times consecutively. After that,
retries are stopped." So a callback is tried once and retried 5 times (after
``retry_delay`` seconds each, 0 by default: consecutively), from one background thread
in the order the events happened; an answer other than 2xx or a failed connection
counts as an error. Every try is recorded. Process Callbacks queues the same payloads
again. Callbacks carry no signature.
"""

from __future__ import annotations

import time
import typing as t

from plugin.sandbox.vendors.delivery import JsonPoster

if t.TYPE_CHECKING:
    from collections.abc import Callable

RETRIES = 5


class CallbackSender(JsonPoster):
    def __init__(
        self,
        *,
        retry_delay: float = 0.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            thread_name="imocha-callbacks",
            retry_delays=(retry_delay,) * RETRIES,
            timeout=timeout,
            clock=clock,
        )

    def describe(self, payload: dict[str, t.Any]) -> dict[str, t.Any]:
        return {"invitation": payload["TestInvitationId"], "status_sent": payload["Status"]}
