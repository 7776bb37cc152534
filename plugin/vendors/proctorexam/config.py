"""Settings of one ProctorExam connection.

The fields are the options of ``assessment-bridge vendor add proctorexam`` plus
``student_url_template``: the v3 API returns no link for the student, only a
``token`` (``docs/vendors/proctorexam.md#student-link``), so how the link is built is a setting.
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.http.urls import is_http_url
from plugin.vendors.common import setting_values
from plugin.vendors.common import template_names

if t.TYPE_CHECKING:
    from collections.abc import Mapping

API_PATH = "/api/v3"
#: The reading chosen for the student's exam link (not documented; adjust per tenant).
DEFAULT_STUDENT_URL_TEMPLATE = "{base_url}/student_sessions/{token}"
TEMPLATE_FIELDS = frozenset({"base_url", "token", "id", "exam_id"})


@dataclasses.dataclass(frozen=True)
class ProctorExamConfig:
    """One ProctorExam user's API access.

    :ivar api_token: sent as ``Authorization: Token token=...`` (never shown or logged).
    :ivar secret_key: the key of the per-request HMAC (never shown or logged).
    :ivar base_url: the tenant's application domain, e.g. ``https://acme.proctorexam.com``;
        the API lives under ``/api/v3`` there.
    :ivar student_url_template: the student's link from ``{base_url}``, ``{token}``,
        ``{id}`` and ``{exam_id}``.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"api_token", "secret_key"})

    api_token: str = dataclasses.field(repr=False)
    secret_key: str = dataclasses.field(repr=False)
    base_url: str
    student_url_template: str = DEFAULT_STUDENT_URL_TEMPLATE

    @classmethod
    def from_mapping(cls, data: Mapping[str, str | None]) -> t.Self:
        """Validate stored or typed-in settings; an empty template takes the default.

        :raises ValueError: naming the first field that is missing, unknown or invalid.
        """
        values = setting_values(
            cls, data, vendor="ProctorExam", required=("api_token", "secret_key", "base_url")
        )
        values["base_url"] = _application_root(values["base_url"])
        _check_template(values.get("student_url_template", DEFAULT_STUDENT_URL_TEMPLATE))
        return cls(**values)

    @property
    def api_root(self) -> str:
        return self.base_url + API_PATH

    def student_url(self, *, token: str, session_id: object, exam_id: object) -> str:
        """The link that sends a student to their ProctorExam session."""
        return self.student_url_template.format(
            base_url=self.base_url, token=token, id=session_id, exam_id=exam_id
        )


def _application_root(value: str) -> str:
    if not is_http_url(value, allow_fragment=True):
        raise ValueError(
            "ProctorExam setting base_url must be the tenant's http(s) address, "
            "e.g. https://acme.proctorexam.com"
        )
    root = value.rstrip("/")
    return root.removesuffix(API_PATH).rstrip("/")


def _check_template(value: str) -> None:
    names = template_names(value, setting="ProctorExam setting student_url_template")
    if not names & {"token", "id"}:
        raise ValueError("ProctorExam setting student_url_template needs {token} or {id}")
    extra = sorted(names - TEMPLATE_FIELDS)
    if extra:
        raise ValueError(
            "ProctorExam setting student_url_template may only use {base_url}, {token}, "
            f"{{id}} and {{exam_id}}, not {', '.join(extra)}"
        )
