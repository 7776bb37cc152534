"""The few HTML pages the platform shows a browser.

Auto-submitting forms carry ``data-autosubmit`` so a scripted browser can recognise them
without running JavaScript.
"""

from __future__ import annotations

import html

from flask import Response

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""


def _page(title: str, body: str, status: int) -> Response:
    text = _PAGE.format(title=html.escape(title), body=body)
    response = Response(text, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def autosubmit_page(title: str, action: str, fields: dict[str, str]) -> Response:
    """Render a page whose single form posts ``fields`` to ``action`` on load.

    :param title: page title.
    :param action: absolute URL the form posts to.
    :param fields: hidden input names and values.
    :return: a 200 HTML response.
    """
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    body = (
        f'<form method="post" action="{html.escape(action)}" data-autosubmit="1">\n'
        f'{inputs}\n<noscript><button type="submit">Continue</button></noscript>\n</form>\n'
        "<script>document.forms[0].submit();</script>"
    )
    return _page(title, body, 200)


def error_page(check: str, description: str) -> Response:
    """Render a 400 page naming the failed check.

    The check name is also sent in the ``X-Sandbox-Failed-Check`` header.
    """
    body = (
        f'<p class="error" data-check="{html.escape(check)}">'
        f"Failed check <code>{html.escape(check)}</code>: {html.escape(description)}</p>"
    )
    response = _page("Request refused", body, 400)
    response.headers["X-Sandbox-Failed-Check"] = check
    return response


def list_page(title: str, intro: str, items: list[str], status: int = 200) -> Response:
    """Render a page with a paragraph and a bulleted list of plain-text items."""
    rows = "\n".join(f"<li>{html.escape(item)}</li>" for item in items)
    body = f"<p>{html.escape(intro)}</p>\n<ul>\n{rows}\n</ul>"
    return _page(title, body, status)
