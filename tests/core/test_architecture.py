"""The layout's rules, checked on the source: dependencies run one way.

``configuration`` is pure (no Django, no app of this project); ``agents`` owns Staging and
never imports ``publishing``, which depends on it. ``webhooks`` sends what ``publishing``
and ``reviews`` record and imports neither; ``reviews`` (the publish policy) is asked by
``publishing`` and never asks it; ``background`` runs any app's tasks and imports none of them.
Imports inside functions count too: a late import is still a dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Each module file of the package -> the top-level names of everything it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("agents", {"publishing", "webhooks", "reviews"}),
        (
            "configuration",
            {"django", "rest_framework", "agents", "publishing", "accounts", "reviews"},
        ),
        ("accounts", {"publishing", "webhooks", "reviews"}),
        ("webhooks", {"publishing", "reviews"}),
        ("reviews", {"publishing"}),
        ("background", {"agents", "publishing", "webhooks", "accounts", "reviews"}),
    ],
)
def test_dependencies_run_one_way(package, forbidden):
    offenders = {
        module: sorted(names & forbidden)
        for module, names in imported_modules(package).items()
        if names & forbidden
    }
    assert offenders == {}


def test_the_check_sees_imports_inside_functions(tmp_path, monkeypatch):
    module = tmp_path / "pkg" / "late.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from publishing import services\n    import django.db\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert imported_modules("pkg") == {"pkg/late.py": {"publishing", "django"}}


# A module past this is holding two subjects; split it by subject, not at a line count.
MAX_MODULE_LINES = 400


def test_no_module_outside_migrations_and_tests_is_over_the_size_limit():
    packages = [
        "accounts",
        "agents",
        "configuration",
        "ejento_staging",
        "publishing",
        "webhooks",
        "background",
        "bench",
    ]
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {module: lines for module, lines in sizes.items() if lines > MAX_MODULE_LINES} == {}
