"""Compiled builds of the hot modules, from the same .py files (see the README's design notes).

Cython compiles scanning, segmenting, catalog reading and writing, and merging to C, typed by
the .pxd files beside the modules; the .py files stay the only source and run as they are
wherever the build is missing or failed (no compiler or headers, PIPELINE_PURE_PYTHON=1).
"""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

HOT_MODULES = ["model", "markup", "segment", "merge", "pofile", "htmlfile", "catalogs"]


def load_buildinfo():
    """pipeline/buildinfo.py by its path: importing the package would run its __init__."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("buildinfo", "pipeline/buildinfo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AllOrNothing(build_ext):
    """Every hot module compiled, or none: the compiled modules share C types, so a build
    that failed half-way would leave modules that cannot import beside each other."""

    def run(self):
        try:
            super().run()
            self.record_sources()
        except Exception as error:  # noqa: BLE001 (any build failure: the .py files run)
            for extension in self.extensions:
                target = self.get_ext_fullpath(extension.name)
                if os.path.exists(target):
                    os.remove(target)
            print(
                f"warning: pure-Python install, the compiled build failed: {error}", file=sys.stderr
            )

    def record_sources(self):
        """What each module was built from (buildinfo.RECORD), beside the built modules: in
        place, or in the build tree a wheel is made of."""
        if not self.extensions:
            return
        buildinfo = load_buildinfo()
        folder = os.path.dirname(self.get_ext_fullpath(self.extensions[0].name))
        names = [extension.name.rpartition(".")[2] for extension in self.extensions]
        lines = "".join(
            f"{name} {buildinfo.source_checksum(os.path.join('pipeline', name + '.py'))}\n"
            for name in names
        )
        with open(os.path.join(folder, buildinfo.RECORD), "w", encoding="ascii") as stream:
            stream.write(lines)


def compiled_modules() -> list:
    if os.environ.get("PIPELINE_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        return []
    extensions = [Extension(f"pipeline.{name}", [f"pipeline/{name}.py"]) for name in HOT_MODULES]
    # The .py annotations document; the .pxd files type (an `int` there is not a C integer).
    directives = {"annotation_typing": False}
    try:
        return cythonize(extensions, language_level=3, quiet=True, compiler_directives=directives)
    except Exception as error:  # noqa: BLE001 (a Cython that cannot compile them: pure Python)
        print(f"warning: pure-Python install, Cython failed: {error}", file=sys.stderr)
        return []


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": AllOrNothing})
