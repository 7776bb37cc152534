"""A tiny scripted browser: cookies, redirects and form posts, no JavaScript.

It recognises the auto-submitting forms LTI relies on (a form with ``data-autosubmit``, or a
page whose script calls ``.submit()``) and submits them itself, which is enough to walk the OIDC
third-party login dance between a tool and a platform.
"""

from __future__ import annotations

import dataclasses
import html.parser
import typing as t
import urllib.parse

import requests

_TIMEOUT_S = (3.05, 30.0)
_MAX_AUTOSUBMITS = 10
_SKIPPED_INPUT_TYPES = frozenset({"submit", "button", "image", "reset", "file"})
_CHECKABLE_INPUT_TYPES = frozenset({"checkbox", "radio"})


class BrowserError(Exception):
    """The page cannot be handled the way the caller asked."""


@dataclasses.dataclass
class HtmlForm:
    """A form as parsed from a page.

    :ivar action: the ``action`` attribute as written (may be relative or empty).
    :ivar method: ``GET`` or ``POST``.
    :ivar fields: name/value pairs that a browser would submit.
    :ivar autosubmit: whether the form carries a ``data-autosubmit`` attribute.
    """

    action: str
    method: str
    fields: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    autosubmit: bool = False


class _FormParser(html.parser.HTMLParser):
    """Collects forms, their submittable fields, and whether a script submits a form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.script_submits = False
        self._form: HtmlForm | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = HtmlForm(
                action=attributes.get("action", ""),
                method=attributes.get("method", "get").upper(),
                autosubmit="data-autosubmit" in attributes,
            )
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            self._add_input(self._form, attributes)
        elif tag == "textarea" and self._form is not None and attributes.get("name"):
            self._textarea, self._text = attributes["name"], []
        elif tag == "script":
            self._in_script = True

    def _add_input(self, form: HtmlForm, attributes: dict[str, str]) -> None:
        kind = attributes.get("type", "text").lower()
        name = attributes.get("name")
        if not name or kind in _SKIPPED_INPUT_TYPES:
            return
        if kind in _CHECKABLE_INPUT_TYPES and "checked" not in attributes:
            return
        form.fields.append(
            (name, attributes.get("value", "on" if kind in _CHECKABLE_INPUT_TYPES else ""))
        )

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        elif self._in_script and ".submit()" in data:
            self.script_submits = True


def parse_forms(page: str) -> tuple[list[HtmlForm], bool]:
    """Parse ``page``.

    :return: its forms and whether one of its scripts submits a form.
    """
    parser = _FormParser()
    parser.feed(page)
    parser.close()
    return parser.forms, parser.script_submits


class SandboxBrowser:
    """A cookie-keeping, redirect-following client that submits forms like a browser.

    :param session: the session (cookie jar) to use; a new one by default.
    """

    def __init__(self, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()

    def get(self, url: str, **kwargs: t.Any) -> requests.Response:
        """GET ``url``, following redirects."""
        kwargs.setdefault("timeout", _TIMEOUT_S)
        return self.session.get(url, **kwargs)

    def post(self, url: str, data: t.Any = None, **kwargs: t.Any) -> requests.Response:
        """POST form ``data`` to ``url``, following redirects."""
        kwargs.setdefault("timeout", _TIMEOUT_S)
        return self.session.post(url, data=data, **kwargs)

    def submit_first_form(self, response: requests.Response) -> requests.Response:
        """Submit the first form of ``response``'s page with its current field values.

        :raises BrowserError: when the page has no form.
        """
        forms, _ = parse_forms(response.text)
        if not forms:
            raise BrowserError(f"no form on the page from {_without_query(response.url)}")
        return self._submit(forms[0], response.url)

    def run_launch(self, login_initiation: dict[str, t.Any]) -> requests.Response:
        """Walk an LTI launch from the login initiation to the tool's final answer.

        Sends the login initiation (``url``, ``method``, ``params`` as answered by the sandbox
        LMS), follows redirects to the platform's authorization endpoint and submits every
        auto-submitting form until a page without one is reached.

        :return: the final response (normally the tool's landing page).
        :raises BrowserError: when pages keep auto-submitting beyond a sane number of hops.
        """
        url, params = login_initiation["url"], login_initiation.get("params", {})
        if str(login_initiation.get("method", "POST")).upper() == "GET":
            response = self.get(url, params=params)
        else:
            response = self.post(url, data=params)
        for _ in range(_MAX_AUTOSUBMITS):
            form = autosubmit_form(response)
            if form is None:
                return response
            response = self._submit(form, response.url)
        raise BrowserError("too many auto-submitting pages in a row")

    def _submit(self, form: HtmlForm, page_url: str) -> requests.Response:
        target = urllib.parse.urljoin(page_url, form.action)
        if form.method == "POST":
            return self.post(target, data=form.fields)
        return self.get(target, params=form.fields)


def autosubmit_form(response: requests.Response) -> HtmlForm | None:
    """Return the form the page would submit on its own, if any."""
    if "html" not in response.headers.get("Content-Type", ""):
        return None
    forms, script_submits = parse_forms(response.text)
    for form in forms:
        if form.autosubmit:
            return form
    return forms[0] if forms and script_submits else None


def _without_query(url: str) -> str:
    return urllib.parse.urlsplit(url)._replace(query="", fragment="").geturl()
