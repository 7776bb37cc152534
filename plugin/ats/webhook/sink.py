"""Post results, signed, to a receiver the customer runs.

Body (serialised once, keys sorted, compact)::

    {"result_id": ..., "candidate": {"email": ..., "id": <ATS id or null>},
     "fields": {<key>: <value or null to clear>}, "result": <canonical result>}

Headers: ``Content-Type: application/json``, ``X-Bridge-Signature`` (see
:mod:`plugin.ats.webhook.signature`) and ``Idempotency-Key: <result_id>``, so a
receiver can drop a delivery it already processed. Redirects are not followed.
"""

from __future__ import annotations

import json
import time
import typing as t

import requests

from lti.http import ResponseTooLargeError
from plugin.ats.base import AtsError
from plugin.ats.base import AtsReceipt
from plugin.ats.webhook.signature import SIGNATURE_HEADER
from plugin.ats.webhook.signature import sign
from plugin.http.sessions import make_session
from plugin.http.sessions import oversize
from plugin.http.sessions import retry_after_seconds

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from plugin.ats.base import AtsFieldDefinition
    from plugin.ats.base import AtsPayload
    from plugin.ats.webhook.config import WebhookConfig

MAX_EXCERPT = 200


class WebhookSink:
    """One webhook receiver.

    :param config: the connection's settings.
    :param session: a pooled session (tests inject their own).
    :param clock: Unix time source of the signature timestamp.
    """

    kind: t.ClassVar[str] = "webhook"

    def __init__(
        self,
        config: WebhookConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._session = session if session is not None else make_session(resend_reads=False)
        self._clock = clock

    def deliver(self, payload: AtsPayload) -> AtsReceipt:
        """Post the result once; the receiver's 2xx is the receipt.

        :raises AtsError: with ``retryable`` telling the outbox what to do.
        """
        foreign = sorted({w.target for w in payload.writes if w.target != self.kind})
        if foreign:
            raise AtsError(f"the field writes are for {', '.join(foreign)}, not the webhook")
        fields: dict[str, t.Any] = {}
        for write in payload.writes:
            fields.update(write.wire())
        document = {
            "result_id": payload.result_id,
            "candidate": {"email": payload.candidate.email, "id": payload.candidate.candidate_id},
            "fields": fields,
            "result": dict(payload.result),
        }
        response = self._post(document, {"Idempotency-Key": payload.result_id}, "deliver")
        answered = _answered_candidate_id(response)
        candidate_id = answered or payload.candidate.candidate_id or ""
        count = len(fields)
        return AtsReceipt(candidate_id, f"{count} field{'' if count == 1 else 's'} posted")

    def list_fields(self) -> list[AtsFieldDefinition]:
        """A webhook defines no fields: the map's keys are the JSON keys sent."""
        return []

    def check_connection(self) -> str:
        """Post a signed ``{"type": "ping"}``; any 2xx passes."""
        response = self._post({"type": "ping"}, {}, "answer a ping")
        return f"receiver answered HTTP {response.status_code} to a signed ping"

    def close(self) -> None:
        self._session.close()

    def _post(
        self, document: t.Mapping[str, t.Any], headers: dict[str, str], action: str
    ) -> requests.Response:
        try:
            body = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise AtsError(f"the result cannot be sent as JSON: {exc}") from None
        signature = sign(self._config.secret, body, int(self._clock()))
        headers = {
            **headers,
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature,
        }
        try:
            response = self._session.post(
                self._config.url, data=body.encode("utf-8"), headers=headers, allow_redirects=False
            )
        except ResponseTooLargeError as exc:
            raise AtsError(
                f"the webhook receiver answered with {oversize(exc)}",
                status=exc.status,
                retryable=True,
            ) from None
        except requests.RequestException as exc:
            what = "timed out" if isinstance(exc, requests.Timeout) else "could not be reached"
            raise AtsError(
                f"the webhook receiver {what} ({type(exc).__name__})", retryable=True
            ) from None
        if not 200 <= response.status_code < 300:
            raise self._error(response, action)
        return response

    def _error(self, response: requests.Response, action: str) -> AtsError:
        status = response.status_code
        if status == 410:
            return AtsError(
                "webhook receiver gone (HTTP 410): it no longer accepts deliveries; "
                "update or remove this connection",
                status=status,
            )
        if status in (408, 429) or status >= 500:
            return AtsError(
                f"the webhook receiver failed to {action} (HTTP {status})",
                status=status,
                retryable=True,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )
        excerpt = response.text[:MAX_EXCERPT].replace(self._config.secret, "[secret]")
        return AtsError(
            f"the webhook receiver refused to {action} (HTTP {status}): {excerpt or 'no body'}",
            status=status,
        )


def _answered_candidate_id(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("candidate_id") if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)
