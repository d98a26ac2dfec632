"""A clone of the project alone runs its tests: no test reads the team's shared folder beside
the repository. Sample files a test needs are copied into tests/data/ with their licences.

The check reads the code of every Python file under tests/ (conftests included): a string
naming that folder as a path part fails it; docstrings and comments may say where a copy came from.
"""

import ast
import re
import subprocess
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# The folder's name is assembled so that this file, too, names no path into it.
TEAM_FOLDER = "".join(["sha", "red"])
SHARED_PATH_PART = re.compile(rf"(^|[/\\]){TEAM_FOLDER}([/\\]|$)")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def shared_paths_in_code(source: str) -> list[tuple[int, str]]:
    """(line, string) for each code string (not a docstring) naming the folder as a path part."""
    tree = ast.parse(source)
    docstrings = _docstring_nodes(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SHARED_PATH_PART.search(node.value)
    )


def test_no_test_reads_the_shared_folder():
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}: {text!r}"
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts and path != Path(__file__).resolve()  # examples below
        for line, text in shared_paths_in_code(path.read_text())
    ]
    assert offenders == [], "copy the file into tests/data/ instead:\n" + "\n".join(offenders)


def test_the_check_finds_each_way_of_naming_the_folder():
    # The sample names the folder only once <up> and <team> are replaced: this file reads
    # nothing.
    source = '''
"""A copy of <up>/<team>/samples/xss: a docstring may say so."""
from pathlib import Path
ROOT = Path(__file__).parent
CORPUS = Path("<up>/<team>/samples/xss")
EVAL = ROOT.parent / "<team>" / "eval"
NAME = f"{ROOT}/<up>/<team>/{CORPUS}"
WORDS = "a <team> flat, <team>_key"  # <up>/<team> in a comment is fine
'''.replace("<up>", "..").replace("<team>", TEAM_FOLDER)
    found = shared_paths_in_code(source)
    assert [line for line, _ in found] == [5, 6, 7]


def test_make_test_installs_the_browser_javascript_when_its_lock_changes():
    """axe-core comes from npm by its lock (tests/browser/package-lock.json), not from git."""
    result = subprocess.run(
        ["make", "--dry-run", "--what-if=tests/browser/package-lock.json", "test"],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "npm ci --prefix tests/browser" in result.stdout
    assert "/tests/browser/node_modules/" in (TESTS.parent / ".gitignore").read_text().split()
