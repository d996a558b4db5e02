"""pipeline: localize HTML articles through gettext catalogs and publish them per region.

The hot modules may also be installed compiled (setup.py builds them with Cython from the
same .py files). The compiled build is used only while every compiled module was built from
the .py and .pxd beside it (their checksums are recorded at build time): after an edit or a
checkout that changed one, or with PIPELINE_PURE_PYTHON=1, the .py files are imported, all
of them (compiled modules share C types with each other), so what runs is always what the
source says.
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
    sources = {}
    with os.scandir(_PACKAGE) as entries:
        for entry in entries:
            name, dot, suffix = entry.name.partition(".")
            if not suffix.endswith(("so", "pyd")) or dot != ".":
                continue
            source = os.path.join(_PACKAGE, name + ".py")
            if os.path.exists(source):
                sources[f"{__name__}.{name}"] = source
    if not sources:
        return {}
    pure = os.environ.get("PIPELINE_PURE_PYTHON") == "1"
    return sources if pure or not _built_from_these_sources(sources) else {}


def _built_from_these_sources(sources: dict[str, str]) -> bool:
    """Whether every compiled module was built from its .py and .pxd as they are now."""
    from pipeline.buildinfo import RECORD, source_checksum

    try:
        with open(os.path.join(_PACKAGE, RECORD), encoding="ascii") as stream:
            recorded = dict(line.split() for line in stream if line.strip())
        for module, source in sources.items():
            if recorded.get(module.rpartition(".")[2]) != source_checksum(source):
                return False
    except (OSError, ValueError):  # no record (an older build), or unreadable: not trusted
        return False
    return True


def compiled_modules() -> list[str]:
    """Names of the package's modules running compiled in this process."""
    loaded = [m for name, m in sys.modules.items() if name.startswith(__name__ + ".")]
    return sorted(m.__name__ for m in loaded if not (m.__file__ or "").endswith(".py"))


if _preferred := _sources_to_prefer():
    sys.meta_path.insert(0, _SourceFirst(_preferred))
