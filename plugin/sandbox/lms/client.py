"""A small client for the sandbox LMS control API, for tests, benchmarks and the demo."""

from __future__ import annotations

import dataclasses
import typing as t

import requests

_TIMEOUT_S = (3.05, 10.0)


class SandboxLmsError(Exception):
    """The control API refused a call.

    :param status: HTTP status of the answer.
    :param body: the answer's text (control answers never contain secrets of the tool).
    """

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"sandbox LMS answered {status}: {body[:300]}")
        self.status = status
        self.body = body


@dataclasses.dataclass(frozen=True)
class SandboxCourse:
    """A course made by :meth:`SandboxLms.create_course`."""

    context_id: str
    learner_id: str
    instructor_id: str
    resource_link_id: str
    line_item_id: str | None


class SandboxLms:
    """Drive a running sandbox LMS through its ``/sandbox/`` control API.

    :param url: the platform's base URL (also its issuer).
    :param session: HTTP session to use; a new one by default.
    """

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session or requests.Session()

    @property
    def issuer(self) -> str:
        """The platform's issuer (its base URL)."""
        return self.url

    def _call(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        response = self.session.request(method, self.url + path, timeout=_TIMEOUT_S, **kwargs)
        if response.status_code >= 400:
            raise SandboxLmsError(response.status_code, response.text)
        return response.json()

    def openid_configuration(self) -> dict[str, t.Any]:
        """Fetch the discovery document."""
        return t.cast("dict[str, t.Any]", self._call("GET", "/.well-known/openid-configuration"))

    def jwks(self) -> dict[str, t.Any]:
        """Fetch the published platform keys."""
        return t.cast("dict[str, t.Any]", self._call("GET", "/jwks"))

    def registration_token(
        self, *, ttl: int | None = None, tool_registration_url: str | None = None
    ) -> dict[str, t.Any]:
        """Issue a Dynamic Registration token (see ``POST /sandbox/registration-tokens``)."""
        body: dict[str, t.Any] = {}
        if ttl is not None:
            body["ttl"] = ttl
        if tool_registration_url is not None:
            body["tool_registration_url"] = tool_registration_url
        return t.cast(
            "dict[str, t.Any]", self._call("POST", "/sandbox/registration-tokens", json=body)
        )

    def register_tool(self, **fields: t.Any) -> dict[str, t.Any]:
        """Register a tool by hand; ``fields`` as in ``POST /sandbox/tools``."""
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/tools", json=fields))

    def tool(self, client_id: str) -> dict[str, t.Any]:
        """Show a registered tool."""
        return t.cast("dict[str, t.Any]", self._call("GET", f"/sandbox/tools/{client_id}"))

    def activate_tool(self, client_id: str) -> dict[str, t.Any]:
        """Activate a tool left pending by Dynamic Registration (the ``moodle`` profile)."""
        path = f"/sandbox/tools/{client_id}/activate"
        return t.cast("dict[str, t.Any]", self._call("POST", path))

    def profile(self) -> str:
        """Name the profile the platform runs: ``"strict"``, ``"moodle"`` or ``"canvas"``."""
        return str(self.profile_switches()["name"])

    def profile_switches(self) -> dict[str, t.Any]:
        """Read the running profile with every switch (see ``plugin.sandbox.lms.profiles``)."""
        return t.cast("dict[str, t.Any]", self._call("GET", "/sandbox/profile"))

    def add_deployment(self, client_id: str) -> str:
        """Deploy a tool once more and return the deployment id."""
        answer = self._call("POST", f"/sandbox/tools/{client_id}/deployments")
        return str(answer["deployment_id"])

    def add_context(self, title: str, **fields: t.Any) -> dict[str, t.Any]:
        """Create a context (``id`` and ``label`` optional)."""
        body = {"title": title, **fields}
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/contexts", json=body))

    def context(self, context_id: str) -> dict[str, t.Any]:
        """Show a context with members, resource links and content items."""
        return t.cast("dict[str, t.Any]", self._call("GET", f"/sandbox/contexts/{context_id}"))

    def add_user(self, name: str, **fields: t.Any) -> dict[str, t.Any]:
        """Create a user (``id``, ``given_name``, ``family_name``, ``email`` optional)."""
        body = {"name": name, **fields}
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/users", json=body))

    def enrol(self, context_id: str, user_id: str, roles: list[str]) -> dict[str, t.Any]:
        """Enrol a user with roles (``"Learner"``, ``"Instructor"`` or role URIs)."""
        body = {"user_id": user_id, "roles": roles}
        path = f"/sandbox/contexts/{context_id}/members"
        return t.cast("dict[str, t.Any]", self._call("POST", path, json=body))

    def add_resource_link(self, context_id: str, title: str, **fields: t.Any) -> dict[str, t.Any]:
        """Place a resource link (``id``, ``custom``, ``url``, ``line_item`` optional)."""
        path = f"/sandbox/contexts/{context_id}/resource-links"
        return t.cast("dict[str, t.Any]", self._call("POST", path, json={"title": title, **fields}))

    def launch(self, **fields: t.Any) -> dict[str, t.Any]:
        """Prepare a launch; ``fields`` as in ``POST /sandbox/launches``."""
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/launches", json=fields))

    def rotate_keys(self) -> dict[str, t.Any]:
        """Publish and start signing with a new platform key."""
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/keys/rotate"))

    def retire_keys(self) -> dict[str, t.Any]:
        """Unpublish all platform keys but the newest."""
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/keys/retire"))

    def set_faults(self, **settings: t.Any) -> dict[str, t.Any]:
        """Replace the fault settings (``latency_ms``, ``error_rate``, ...); none clears them."""
        return t.cast("dict[str, t.Any]", self._call("PUT", "/sandbox/faults", json=settings))

    def stats(self) -> dict[str, t.Any]:
        """Read request counters."""
        return t.cast("dict[str, t.Any]", self._call("GET", "/sandbox/stats"))

    def reset_stats(self) -> None:
        """Zero request counters."""
        self._call("DELETE", "/sandbox/stats")

    def gradebook(self, context_id: str | None = None) -> dict[str, t.Any]:
        """Read line items and latest scores, for one context or all."""
        params = {"context_id": context_id} if context_id is not None else None
        return t.cast("dict[str, t.Any]", self._call("GET", "/sandbox/gradebook", params=params))

    def create_course(
        self, *, title: str = "Sandbox course", score_maximum: float | None = 100.0
    ) -> SandboxCourse:
        """Create a context with one learner, one instructor and one resource link.

        :param score_maximum: maximum of the link's line item; ``None`` for no line item.
        """
        context = self.add_context(title)
        learner = self.add_user("Lea Learner")
        instructor = self.add_user("Ian Instructor")
        self.enrol(context["id"], learner["id"], ["Learner"])
        self.enrol(context["id"], instructor["id"], ["Instructor"])
        line_item = None if score_maximum is None else {"scoreMaximum": score_maximum}
        link = self.add_resource_link(context["id"], "Assessment", line_item=line_item)
        return SandboxCourse(
            context_id=context["id"],
            learner_id=learner["id"],
            instructor_id=instructor["id"],
            resource_link_id=link["id"],
            line_item_id=link["line_item_id"],
        )
