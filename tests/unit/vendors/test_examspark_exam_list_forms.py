"""ExamSpark's exam list (``POST /api/exams``), whose answer the vendor's page does not
show, is read in every plausible form: under ``items`` with ``nextToken`` (our reading)
without a warning, bare or under another obvious key with one; anything else fails
describing what came."""

from __future__ import annotations

import typing as t

import pytest

from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.examspark.client import ExamSparkClient
from plugin.vendors.examspark.config import ExamSparkConfig
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server

ITEM = {"exam": {"id": "e1", "name": "Algebra"}, "examConfigs": [{"id": "c1", "name": "A"}]}


@pytest.fixture
def vendor() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


def client(vendor: HostileServer) -> ExamSparkClient:
    config = ExamSparkConfig(
        app_key="ak", app_secret="secret", workspace_id="w", base_url=vendor.url
    )
    return ExamSparkClient(config)


def test_the_documented_form_pages_without_a_warning(vendor: HostileServer) -> None:
    vendor.answers["POST /api/exams"] = Answer.json({"items": [ITEM], "nextToken": "n2"})
    page = client(vendor).list_tests()
    assert (page.items, page.next_token, page.warnings) == ([ITEM], "n2", ())


@pytest.mark.parametrize(
    ("answer", "form"),
    [
        ([ITEM], "a bare list"),
        ({"exams": [ITEM]}, "a list under 'exams'"),
        ({"data": [ITEM], "nextToken": "n2"}, "a list under 'data'"),
        ({"result": [ITEM]}, "a list under 'result'"),
    ],
)
def test_other_plausible_forms_are_read_with_a_warning(
    vendor: HostileServer, answer: object, form: str
) -> None:
    vendor.answers["POST /api/exams"] = Answer.json(answer)
    page = client(vendor).list_tests()
    assert page.items == [ITEM]
    assert page.warnings == (
        f"ExamSpark answered POST /api/exams with {form}; read as the exam list",
    )
    assert page.next_token == (answer.get("nextToken") if isinstance(answer, dict) else None)


def test_an_answer_in_no_plausible_form_is_described(vendor: HostileServer) -> None:
    vendor.answers["POST /api/exams"] = Answer.json({"items": [{"exam": "e1"}]})
    with pytest.raises(InvalidResponseError) as refused:
        client(vendor).list_tests()
    assert "answered POST /api/exams with an object with keys 'items'" in str(refused.value)
    assert "in any plausible form" in str(refused.value)
