"""Settings of one StartExam connection.

The fields are the options of ``assessment-bridge vendor add startexam`` plus
``key_encoding``, which settles a gap in the documentation (see
:mod:`plugin.vendors.startexam.signing`).
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.http.urls import is_http_url
from plugin.vendors.common import setting_values
from plugin.vendors.common import template_names
from plugin.vendors.startexam.signing import decode_secret

if t.TYPE_CHECKING:
    from collections.abc import Mapping

#: Production API host, https://api.startexam.com/ (``docs/vendors/startexam.md#documentation``).
DEFAULT_BASE_URL = "https://api.startexam.com"

#: The candidate link mask shown on https://api.startexam.com/Methods/RegisterEmployees;
#: no API call returns a ready-made link (``docs/vendors/startexam.md#candidate-link``).
DEFAULT_CANDIDATE_URL_TEMPLATE = "https://go.startexam.com/{center}#participant/{participant_id}"

#: Placeholders a candidate URL template may use; ``participant_id`` is required.
TEMPLATE_FIELDS = frozenset({"center", "participant_id", "test_id"})

KEY_ENCODINGS = ("raw", "base64")


@dataclasses.dataclass(frozen=True)
class StartExamConfig:
    """One StartExam account.

    :ivar account_id: the account's private integer identifier (``SharedKey <id>:...``).
    :ivar secret_key: the account's secret key (never shown or logged).
    :ivar center: the center's unique name, used when registering participants and
        listing sessions.
    :ivar base_url: the API root.
    :ivar candidate_url_template: how to build a candidate's link from ``{center}``,
        ``{participant_id}`` and ``{test_id}``.
    :ivar key_encoding: ``raw`` signs with the UTF-8 bytes of the secret (the
        reading both public clients use), ``base64`` with its base64-decoded bytes.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"secret_key"})

    account_id: str
    secret_key: str = dataclasses.field(repr=False)
    center: str
    base_url: str = DEFAULT_BASE_URL
    candidate_url_template: str = DEFAULT_CANDIDATE_URL_TEMPLATE
    key_encoding: str = "raw"

    @classmethod
    def from_mapping(cls, data: Mapping[str, str | None]) -> t.Self:
        """Validate stored or typed-in settings; empty optional values take their default.

        :raises ValueError: naming the first field that is missing, unknown or invalid.
        """
        values = setting_values(
            cls, data, vendor="StartExam", required=("account_id", "secret_key", "center")
        )
        if not values["account_id"].isdigit():
            raise ValueError("StartExam setting account_id must be the account's integer id")
        if any(char in values["center"] for char in "/#?& "):
            raise ValueError("StartExam setting center must be the center's unique name")
        _check_base_url(values.get("base_url", DEFAULT_BASE_URL))
        _check_template(values.get("candidate_url_template", DEFAULT_CANDIDATE_URL_TEMPLATE))
        if values.get("key_encoding", "raw") not in KEY_ENCODINGS:
            raise ValueError("StartExam setting key_encoding must be 'raw' or 'base64'")
        config = cls(**values)
        config.key_bytes()
        return config

    @property
    def api_root(self) -> str:
        return self.base_url.rstrip("/")

    def key_bytes(self) -> bytes:
        """The HMAC key as :attr:`key_encoding` says.

        :raises ValueError: when ``base64`` is chosen and the secret is not base64.
        """
        return decode_secret(self.secret_key, self.key_encoding)

    def candidate_url(self, participant_id: str, test_id: str = "") -> str:
        """The link that sends a candidate into their StartExam session."""
        return self.candidate_url_template.format(
            center=self.center, participant_id=participant_id, test_id=test_id
        )


def _check_base_url(value: str) -> None:
    if not is_http_url(value, allow_fragment=True):
        raise ValueError("StartExam setting base_url must be an http(s) URL without a query")


def _check_template(value: str) -> None:
    names = template_names(value, setting="StartExam setting candidate_url_template")
    if "participant_id" not in names:
        raise ValueError("StartExam setting candidate_url_template needs {participant_id}")
    extra = sorted(names - TEMPLATE_FIELDS)
    if extra:
        raise ValueError(
            "StartExam setting candidate_url_template may only use {center}, "
            f"{{participant_id}} and {{test_id}}, not {', '.join(extra)}"
        )
