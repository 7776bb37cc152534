"""Posting a score the way pylti1p3's README and Flask example show it: the baseline.

For every score a tool configuration is built (``ToolConfDict`` with the private and public
PEMs, as a JSON config file would give them), its registration looked up, a new
``ServiceConnector`` made (so a new access token and a new HTTP connection per score, and
the PEM parsed again to sign the token request) and ``AssignmentsGradesService.put_grade``
called with a tagged ``LineItem``, which lists the context's line items to find it by tag
(creating it the first time) before posting the score.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask import jsonify
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config import ToolConfDict

from lti import keys as rsa_keys
from lti.ags.media import DEFAULT_SCOPES
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms import SandboxLms

TAG = "score"


@dataclasses.dataclass(frozen=True)
class NaiveTool:
    """The baseline's registrations (one client id per platform) and its key pair."""

    issuer: str
    settings: dict[str, list[dict[str, t.Any]]]
    client_ids: tuple[str, ...]
    private_pem: str
    public_pem: str

    def tool_conf(self) -> ToolConfDict:
        """What a pylti1p3 view builds per request from its configuration."""
        conf = ToolConfDict(self.settings)
        for client_id in self.client_ids:
            conf.set_private_key(self.issuer, self.private_pem, client_id=client_id)
            conf.set_public_key(self.issuer, self.public_pem, client_id=client_id)
        return conf


def register(lms: SandboxLms, platforms: int) -> tuple[NaiveTool, ServedApp]:
    """Register the baseline ``platforms`` times and serve its JWKS for the LMS to fetch."""
    key = rsa_keys.generate_private_key()
    private_pem = rsa_keys.private_pem(key).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    holder: dict[str, NaiveTool] = {}
    jwks_app = Flask("naive-jwks")

    @jwks_app.get("/jwks")
    def jwks() -> Response:
        return jsonify(holder["tool"].tool_conf().get_jwks())

    served = serve_app(jwks_app)
    entries, client_ids = [], []
    for index in range(platforms):
        answer = lms.register_tool(
            name=f"pylti1p3 example {index}",
            initiate_login_uri=f"{served.url}/login/",
            redirect_uris=[f"{served.url}/launch/"],
            jwks_uri=f"{served.url}/jwks",
            target_link_uri=f"{served.url}/launch/",
        )
        client_ids.append(answer["client_id"])
        entries.append(
            {
                "default": index == 0,
                "client_id": answer["client_id"],
                "auth_login_url": answer["auth_login_url"],
                "auth_token_url": answer["auth_token_url"],
                "auth_audience": None,
                "key_set_url": answer["key_set_url"],
                "key_set": None,
                "deployment_ids": [answer["deployment_id"]],
            }
        )
    holder["tool"] = NaiveTool(
        issuer=lms.issuer,
        settings={lms.issuer: entries},
        client_ids=tuple(client_ids),
        private_pem=private_pem,
        public_pem=public_pem,
    )
    return holder["tool"], served


def put_grade(
    tool: NaiveTool,
    client_id: str,
    lineitems_url: str,
    resource_link_id: str,
    user_id: str,
    score: float,
) -> None:
    """Post one score as pylti1p3's example ``score`` view does (everything built anew)."""
    registration = tool.tool_conf().find_registration_by_params(tool.issuer, client_id)
    connector = ServiceConnector(registration)
    grades = AssignmentsGradesService(
        connector, {"scope": list(DEFAULT_SCOPES), "lineitems": lineitems_url}
    )
    grade = (
        Grade()
        .set_score_given(score)
        .set_score_maximum(100)
        .set_timestamp(dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(user_id)
    )
    line_item = LineItem().set_tag(TAG).set_score_maximum(100).set_label("Score")
    line_item.set_resource_id(resource_link_id)
    grades.put_grade(grade, line_item)
