"""manage.py setup_site (what `make run` runs before the server): a first run says what it
does in short lines, a later run with nothing to do says nothing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_site(var_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "DJANGO_"))}
    # The embedded default in a fresh var/, as on a new clone; vectors off to keep it quick.
    env.update(KB_DEBUG="1", KB_VAR_DIR=str(var_dir), KB_SEMANTIC_SEARCH="0")
    # A key of its own, so no generated key file creates var/ first: setup_site must.
    env.update(KB_SECRET_KEY="setup-site-test-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    result = subprocess.run(
        [sys.executable, "manage.py", "setup_site"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_first_run_says_what_it_does_and_later_runs_are_quiet(tmp_path):
    tmp_path = tmp_path / "var"  # not there yet, as on a fresh clone or a new KB_VAR_DIR
    first = _setup_site(tmp_path).splitlines()
    assert first[0].startswith("Migrating the database (")
    assert first[1] == "Loading the demo community and indexing it for search…"
    assert first[2].startswith("Created ")
    assert first[-1].startswith("Demo log-in: username 'demo'")
    assert all(len(line) <= 100 for line in first)
    assert (tmp_path / "db.sqlite3").exists()
    assert (tmp_path / "index").is_dir()

    assert _setup_site(tmp_path) == ""

    shutil.rmtree(tmp_path / "index")
    rebuilt = _setup_site(tmp_path).splitlines()
    assert rebuilt[0] == "Building the search index (whoosh)…"
    assert rebuilt[1].startswith("Indexed ")
    assert _setup_site(tmp_path) == ""
