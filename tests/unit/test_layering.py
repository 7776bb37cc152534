"""Who may import whom (docs/architecture.md): the rules checked on the source itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("plugin", "lti", "mappings", "config")


def _modules(package: str) -> list[Path]:
    return sorted(
        path for path in (ROOT / package).rglob("*.py") if "migrations/versions" not in str(path)
    )


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_sandbox(path: Path) -> bool:
    return (ROOT / "plugin" / "sandbox") in path.parents


def _offending(paths: list[Path], forbidden: re.Pattern[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        bad = sorted(name for name in _imports(path) if forbidden.match(name))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_no_product_module_imports_the_sandbox() -> None:
    product = [path for pkg in PRODUCT_PACKAGES for path in _modules(pkg) if not _is_sandbox(path)]
    assert _offending(product, re.compile(r"plugin\.sandbox(\.|$)")) == {}


def test_no_sandbox_module_imports_product_code() -> None:
    sandbox = [path for path in _modules("plugin") if _is_sandbox(path)]
    product = re.compile(r"(plugin(?!\.sandbox)(\.|$)|lti(\.|$)|mappings(\.|$)|config(\.|$))")
    assert _offending(sandbox, product) == {}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("mappings", r"(plugin|lti|flask|sqlalchemy|requests)(\.|$)"), ("lti", r"plugin(\.|$)")],
)
def test_lower_layers_do_not_import_upper_ones(package: str, forbidden: str) -> None:
    assert _offending(_modules(package), re.compile(forbidden)) == {}


def test_services_are_read_through_the_typed_registry_only() -> None:
    """No ``app.extensions["bridge..."]`` string lookups outside :mod:`plugin.services`."""
    string_key = re.compile(r"extensions\[\s*[\"']bridge")
    offenders = [
        str(path.relative_to(ROOT))
        for base in ("plugin", "lti", "tests", "bench")
        for path in (ROOT / base).rglob("*.py")
        if path != Path(__file__).resolve() and string_key.search(path.read_text())
    ]
    assert offenders == []
