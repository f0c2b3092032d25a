"""The project installed from a built wheel, without its source folder: the wheel carries the
SQL (``sql/``), the method editions (``config/methods``) and the licence, and the installed code
finds them there and loads the Dagster definitions.

The wheel is built from a copy of the packaged folders (the build must not write ``build/`` into
the clone) with pip's isolated build, as ``pip install .`` would, and installed into a fresh
virtualenv with ``--no-deps``. The third-party packages are the locked ones already installed in
the test environment, made visible to the fresh virtualenv by a ``.pth`` line placed after its
own site-packages (reinstalling the whole lock would take minutes); a path added that way has
its own ``.pth`` files ignored, so the editable install of the clone stays inactive, and the
probe checks that every module and data file it uses comes from the fresh virtualenv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGE_FOLDERS = sorted(p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
SQL_FILES = sorted(p.name for p in (ROOT / "sql").glob("*.sql"))
METHOD_FILES = sorted(p.name for p in (ROOT / "config" / "methods").glob("*.yaml"))

# Run by the fresh virtualenv's interpreter, in a folder outside the clone.
PROBE = """
import json, sys
from pathlib import Path

import engine.method_config as mc
import engine.sql as es
import pipelines
from pipelines import settings
from pipelines.definitions import defs

jobs = {name: sorted(k.to_user_string() for k in defs.resolve_job_def(name).asset_layer.selected_asset_keys)
        for name in ("context_job", "survey_job", "ssi_job", "publication_job")}
print(json.dumps({
    "prefix": sys.prefix,
    "modules": [pipelines.__file__, es.__file__, mc.__file__],
    "sql_dir": str(es.SQL_DIR),
    "sql": {p.name: p.read_text(encoding="utf-8") for p in sorted(es.SQL_DIR.glob("*.sql"))},
    "blocks": {p.name: len(es.load_blocks(p.name)) for p in sorted(es.SQL_DIR.glob("*.sql"))},
    "methods_dir": str(mc.METHODS_DIR),
    "editions": {f: mc.load_method(f).label for f in mc.available_families()},
    "input_dir": settings.resource_from_environment().input_dir,
    "jobs": jobs,
}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for folder in PACKAGE_FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = dist.glob("*.whl")
    return built


def test_wheel_carries_sql_method_editions_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"sql/{f}" for f in SQL_FILES} <= names
    assert {f"config/methods/{f}" for f in METHOD_FILES} <= names
    (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert zipfile.ZipFile(wheel).read(licence) == (ROOT / "LICENSE").read_bytes()
    # the source folders the wheel leaves out stay out
    assert not any(n.startswith(("tests/", "data/", "benchmarks/", "deploy/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_finds_its_data_and_loads_the_definitions(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    locked = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "zz_locked_dependencies.pth").write_text("\n".join(locked) + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SP_", "PYTHON", "DAGSTER_HOME"))}
    done = subprocess.run([str(python), "-c", PROBE], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])

    prefix = Path(found["prefix"]).resolve()
    assert prefix == env_dir.resolve()
    for path in (*found["modules"], found["sql_dir"], found["methods_dir"]):
        assert Path(path).resolve().is_relative_to(prefix), path
    assert found["sql"] == {f: (ROOT / "sql" / f).read_text(encoding="utf-8") for f in SQL_FILES}
    assert all(n > 0 for n in found["blocks"].values())
    assert sorted(found["editions"]) == [f.removesuffix(".yaml") for f in METHOD_FILES]
    # installed from a wheel, the default input folder is the current directory's data/raw
    assert Path(found["input_dir"]) == (work / "data" / "raw").resolve()

    from pipelines.definitions import defs

    for name, keys in found["jobs"].items():
        assert keys == sorted(k.to_user_string() for k in defs.resolve_job_def(name).asset_layer.selected_asset_keys)

    script = subprocess.run(
        [str(env_dir / "bin" / "sp-pipeline"), "--help"], cwd=work, env=env, capture_output=True, text=True
    )
    assert script.returncode == 0 and "run the whole pipeline" in script.stdout
