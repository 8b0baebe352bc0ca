"""The layout's rules (docs/decisions/0008-layout.md), checked so they cannot drift."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.support.paths import ROOT

PACKAGES = ("priorauth", "policies")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    """Every module of the two apps, migrations aside, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if _is_package(module) else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> set[str]:
    """The project modules `module` imports, anywhere in it (function-level imports too)."""
    tree = ast.parse(MODULES[module].read_text())
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in MODULES else source)
    return {target for target in targets if target in MODULES and target != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_apps_is_over_400_lines():
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_two_modules_of_the_apps_import_each_other_even_indirectly():
    graph = {module: _imports(module) for module in MODULES}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# What an ORM write looks like in source: a manager's create/update/delete, or a save.
ORM_WRITE = re.compile(
    r"\.objects\.(create|get_or_create|update_or_create|bulk_create|bulk_update)\("
    r"|\.(update|delete)\(\s*\w+\s*=|\.delete\(\)|\.save\("
)


@pytest.mark.parametrize("adapter", ["priorauth.web", "priorauth.api"])
def test_pages_and_the_api_write_only_through_services(adapter):
    writes = {
        name: match.group(0)
        for name, path in MODULES.items()
        if name.startswith(adapter) and (match := ORM_WRITE.search(path.read_text()))
    }
    assert writes == {}


def test_the_write_pattern_recognises_a_write():
    assert ORM_WRITE.search("Override.objects.filter(pk=1).update(status='x')")
    assert ORM_WRITE.search("Member.objects.create(member_id='M1')")
    assert ORM_WRITE.search("record.save(update_fields=['body'])")


@pytest.mark.django_db
def test_the_models_match_the_migrations():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
