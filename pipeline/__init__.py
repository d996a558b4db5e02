"""pipeline: localize HTML articles through gettext catalogs and publish them per region.

The hot modules may also be installed compiled (setup.py builds them with Cython from the
same .py files). The compiled build is used only while every compiled module is newer than
its .py: after an edit or a checkout that changed one, or with PIPELINE_PURE_PYTHON=1, the
.py files are imported, all of them (compiled modules share C types with each other), so
what runs is always what the source says.
"""

import os
import sys

_PACKAGE = os.path.dirname(__file__)


class _SourceFirst:
    """Import finder: the .py source of the named modules, not their compiled builds."""

    def __init__(self, sources: dict[str, str]):
        self.sources = sources

    def find_spec(self, fullname, path=None, target=None):
        source = self.sources.get(fullname)
        if source is None:
            return None
        import importlib.util  # only when the .py files run instead of a build: 3 ms

        return importlib.util.spec_from_file_location(fullname, source)


def _sources_to_prefer() -> dict[str, str]:
    """{module name: .py path} of the compiled modules, when they must not be used."""
    stale = os.environ.get("PIPELINE_PURE_PYTHON") == "1"
    sources = {}
    with os.scandir(_PACKAGE) as entries:
        for entry in entries:
            name, dot, suffix = entry.name.partition(".")
            if not suffix.endswith(("so", "pyd")) or dot != ".":
                continue
            source = os.path.join(_PACKAGE, name + ".py")
            try:
                stale = stale or os.stat(source).st_mtime > entry.stat().st_mtime
            except OSError:
                continue
            sources[f"{__name__}.{name}"] = source
    return sources if stale else {}


def compiled_modules() -> list[str]:
    """Names of the package's modules running compiled in this process."""
    loaded = [m for name, m in sys.modules.items() if name.startswith(__name__ + ".")]
    return sorted(m.__name__ for m in loaded if not (m.__file__ or "").endswith(".py"))


if _preferred := _sources_to_prefer():
    sys.meta_path.insert(0, _SourceFirst(_preferred))
