"""HTML of the simulators' candidate pages: a page frame and a form of questions."""

from __future__ import annotations

import html
import typing as t

from flask import Response
from flask import request

if t.TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence


class Question(t.Protocol):
    @property
    def text(self) -> str: ...

    @property
    def choices(self) -> Sequence[str]: ...


class Section(t.Protocol):
    @property
    def name(self) -> str: ...

    @property
    def questions(self) -> Sequence[Question]: ...


def page(title: str, body: str, status: int = 200) -> Response:
    """A minimal HTML page titled ``title`` around ``body`` (already HTML)."""
    document = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return Response(document, status=status, mimetype="text/html")


def questions_html(sections: Iterable[Section]) -> str:
    """One radio group per question, named ``q0``, ``q1``... across all sections."""
    parts, index = [], 0
    for section in sections:
        parts.append(f"<h2>{html.escape(section.name)}</h2>")
        for question in section.questions:
            parts.append(f"<fieldset><legend>{html.escape(question.text)}</legend>")
            parts.extend(
                f"<label><input type='radio' name='q{index}' value='{choice}'> "
                f"{html.escape(text)}</label>"
                for choice, text in enumerate(question.choices)
            )
            parts.append("</fieldset>")
            index += 1
    return "".join(parts)


def posted_answers(questions: Iterable[Question]) -> dict[int, int]:
    """The choices posted by :func:`questions_html`'s form: question index -> choice."""
    answers = {}
    for index, question in enumerate(questions):
        given = request.form.get(f"q{index}", "")
        if given.isdigit() and int(given) < len(question.choices):
            answers[index] = int(given)
    return answers
