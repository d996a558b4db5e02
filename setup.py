"""Compiled builds of the hot modules, from the same .py files (see the README's design notes).

Cython compiles parsing, segmenting, catalog reading and writing, and merging to C; the .py
files stay the only source and run as they are wherever a build is missing or fails (no
compiler, another interpreter, PIPELINE_PURE_PYTHON=1).
"""

import os

from setuptools import setup

HOT_MODULES = ["markup", "segment", "merge", "pofile", "htmlfile", "catalogs"]


def compiled_modules():
    if os.environ.get("PIPELINE_PURE_PYTHON") == "1":
        return []
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        return []
    extensions = [
        Extension(f"pipeline.{name}", [f"pipeline/{name}.py"], optional=True)
        for name in HOT_MODULES
    ]
    # The .py annotations document; the .pxd files type (an `int` there is not a C integer).
    directives = {"annotation_typing": False}
    return cythonize(extensions, language_level=3, quiet=True, compiler_directives=directives)


setup(ext_modules=compiled_modules())
