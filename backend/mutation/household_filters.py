"""Probe: does every household filter in the services have a test that notices it is gone?

Finds every SQL condition `<Model>.household_id == <value>` (either side) in the service modules,
replaces one at a time with `sqlalchemy.true()` (a condition that lets every household's rows
through), runs the tenant-relevant tests against that copy of the package, and reports the
mutants no test killed. Exit status 1 when any survived.

    cd backend && .venv/bin/python mutation/household_filters.py [--tests PATH ...] [--only TEXT]

The mutated package is a copy in a temporary folder put first on PYTHONPATH; the checkout is
never changed. Run by `make mutation` (before mutmut); not part of `make test`.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
PACKAGE = BACKEND / "src" / "family_budget"
# The modules that hold household filters: every domain's service and query modules, the
# monthly totals, and the request dependencies.
MODULES = sorted(
    {
        *PACKAGE.glob("*/service.py"),
        *PACKAGE.glob("*/queries.py"),
        PACKAGE / "budgets" / "activity.py",
        PACKAGE / "deps.py",
    }
)
TESTS = [
    "tests/test_authorization.py",
    "tests/test_query_plans.py",
    "tests/accounts",
    "tests/transactions",
    "tests/categories",
    "tests/budgets",
    "tests/reports",
    "tests/households",
]


@dataclass(frozen=True)
class Mutant:
    path: Path
    line: int
    start: int  # character offsets of the condition in the file
    end: int
    source: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(BACKEND)}:{self.line}"


def _is_household_column(node: ast.expr) -> bool:
    # `Model.household_id` or `alias.c.household_id`: a column, never a plain Python value.
    if not (isinstance(node, ast.Attribute) and node.attr == "household_id"):
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id[:1].isupper() or owner.id in {"totals"}
    return isinstance(owner, ast.Attribute)


def find_mutants(path: Path) -> list[Mutant]:
    text = path.read_text()
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    found = []
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq)
            and (_is_household_column(node.left) or _is_household_column(node.comparators[0]))
        ):
            assert node.end_lineno is not None
            assert node.end_col_offset is not None
            start = offsets[node.lineno - 1] + node.col_offset
            end = offsets[node.end_lineno - 1] + node.end_col_offset
            found.append(Mutant(path, node.lineno, start, end, text[start:end]))
    return sorted(found, key=lambda m: (str(m.path), m.start))


def _mutated(mutant: Mutant) -> str:
    text = mutant.path.read_text()
    text = text[: mutant.start] + "sqlalchemy.true()" + text[mutant.end :]
    # The import goes after `from __future__` (which must stay first).
    anchor = "from __future__ import annotations\n"
    assert anchor in text, mutant.path
    return text.replace(anchor, anchor + "import sqlalchemy\n", 1)


def run(mutant: Mutant | None, tests: list[str], workdir: Path) -> tuple[bool, float]:
    """True when a test failed (the mutant is killed); None runs the unchanged code."""
    copy = workdir / "src"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(BACKEND / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    if mutant is not None:
        target = copy / mutant.path.relative_to(BACKEND / "src")
        target.write_text(_mutated(mutant))
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "MIGRATIONS_DIR": str(BACKEND / "migrations"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (our own interpreter and test paths)
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=BACKEND,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return result.returncode != 0, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", nargs="*", default=TESTS)
    parser.add_argument("--only", help="probe only conditions whose file:line contains this")
    parser.add_argument("--list", action="store_true", help="list the conditions and stop")
    parser.add_argument(
        "--reverse", action="store_true", help="last condition first (for a second runner)"
    )
    parser.add_argument(
        "--skip-baseline", action="store_true", help="do not first run the unchanged code"
    )
    args = parser.parse_args()
    mutants = [m for path in MODULES for m in find_mutants(path)]
    if args.only:
        mutants = [m for m in mutants if args.only in m.where]
    if args.reverse:
        mutants.reverse()
    print(f"{len(mutants)} household conditions in {len(MODULES)} modules")
    if args.list:
        for mutant in mutants:
            print(f"  {mutant.where}  {mutant.source}")
        return 0
    survivors = []
    with tempfile.TemporaryDirectory(prefix="household-filters-") as workdir:
        if not args.skip_baseline:
            failed, seconds = run(None, args.tests, Path(workdir))
            if failed:
                print("The tests fail on the unchanged code: fix them first.")
                return 2
            print(f"unchanged code: tests pass in {seconds:.1f}s")
        for n, mutant in enumerate(mutants, start=1):
            killed, seconds = run(mutant, args.tests, Path(workdir))
            verdict = "killed" if killed else "SURVIVED"
            print(
                f"[{n}/{len(mutants)}] {verdict:8} {seconds:6.1f}s  {mutant.where}  {mutant.source}"
            )
            sys.stdout.flush()
            if not killed:
                survivors.append(mutant)
    print(f"\n{len(mutants) - len(survivors)} of {len(mutants)} killed; {len(survivors)} survived")
    for mutant in survivors:
        print(f"  survived: {mutant.where}  {mutant.source}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
