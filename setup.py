"""Build hook: every build of Homebound (a wheel, or `pip install -e .`) first generates the `sdv.databroker.v1`
stubs from the vendored .proto files (tools/generate_sdv_stubs.py); the rest of the metadata is in pyproject.toml."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithStubs(build_py):
    def run(self) -> None:
        spec = importlib.util.spec_from_file_location("generate_sdv_stubs", ROOT / "tools" / "generate_sdv_stubs.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.generate(ROOT)
        super().run()


setup(cmdclass={"build_py": BuildWithStubs})
