"""The import layering the recompute relies on (issue 17): tasks call services; services
ask for background work through `evaluations.queueing`, which imports no service and no
task (it sends tasks by name). Checked on the source, lazy imports inside functions
included, so that a circle cannot creep back in through a local import."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path):
    """The absolute names of every module `path` imports, anywhere in the file."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_services_never_import_the_tasks():
    for path in sorted((ROOT / "evaluations" / "services").glob("*.py")):
        imported = imported_modules(path)
        assert not any(name.startswith("evaluations.tasks") for name in imported), path.name


def test_queueing_imports_no_service_and_no_task():
    imported = imported_modules(ROOT / "evaluations" / "queueing.py")
    assert not any(
        name.startswith(("evaluations.services", "evaluations.tasks")) for name in imported
    ), sorted(imported)


def test_the_lower_app_never_imports_the_higher():
    for path in sorted((ROOT / "opd").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        assert not any(n.startswith("evaluations") for n in imported_modules(path)), path
