"""Every vendor package, and every simulator of one, has the same shape (a sixth vendor
starts as a copy of one of them)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import plugin.vendors
from plugin.errors import AppError
from plugin.vendors.cursor import VendorCursor

VENDORS = ("startexam", "examspark", "mettl", "imocha", "proctorexam")
#: Modules every simulator has, each in the same role.
SIMULATOR_MODULES = ("api", "app", "candidate", "context", "control", "errors", "state")


@pytest.mark.parametrize("vendor", VENDORS)
def test_errors_module_has_error_for_with_the_shared_signature(vendor: str) -> None:
    errors = importlib.import_module(f"plugin.vendors.{vendor}.errors")

    parameters = list(inspect.signature(errors.error_for).parameters.values())

    assert [(p.name, p.kind) for p in parameters] == [
        ("response", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("action", inspect.Parameter.KEYWORD_ONLY),
    ]
    assert inspect.signature(errors.error_for).return_annotation == "VendorError"


@pytest.mark.parametrize("vendor", VENDORS)
def test_cursor_module_has_one_frozen_cursor(vendor: str) -> None:
    cursor = importlib.import_module(f"plugin.vendors.{vendor}.cursor")

    (found,) = [
        value
        for value in vars(cursor).values()
        if inspect.isclass(value)
        and issubclass(value, VendorCursor)
        and value is not VendorCursor
        and value.__module__ == cursor.__name__
    ]

    assert dataclasses.is_dataclass(found) and found.__dataclass_params__.frozen
    assert found.decode(None) == found()


@pytest.mark.parametrize("vendor", VENDORS)
def test_client_lists_the_catalogue_with_list_tests(vendor: str) -> None:
    package = importlib.import_module(f"plugin.vendors.{vendor}")
    (client,) = [getattr(package, name) for name in package.__all__ if name.endswith("Client")]

    assert callable(getattr(client, "list_tests", None))


@pytest.mark.parametrize("vendor", VENDORS)
def test_simulator_has_the_shared_modules(vendor: str) -> None:
    for module in SIMULATOR_MODULES:
        importlib.import_module(f"plugin.sandbox.vendors.{vendor}.{module}")


def _vendor_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(plugin.vendors.__path__, "plugin.vendors.")
        if not info.ispkg
    ]


@pytest.mark.parametrize("module_name", _vendor_modules())
def test_exceptions_are_app_errors_named_error(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exceptions = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == module_name
    ]

    assert [e.__name__ for e in exceptions if not issubclass(e, AppError)] == []
    assert [e.__name__ for e in exceptions if not e.__name__.endswith("Error")] == []
