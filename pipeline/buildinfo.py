"""What the compiled build was made from: a checksum of each hot module's .py and .pxd.

setup.py writes them to RECORD beside the built modules; pipeline/__init__.py compares them
with the files there before it lets a compiled module run. File times cannot tell: an
install writes the sources and the builds in no set order. Standard library only, and no
package imports: setup.py loads this file by its path.
"""

import zlib

RECORD = "compiled-from.txt"


def source_checksum(py_path: str) -> str:
    """CRC-32 of a module's .py and, where there is one, its .pxd (the build's types)."""
    checksum = 0
    for path in (py_path, py_path[:-3] + ".pxd"):
        try:
            with open(path, "rb") as stream:
                checksum = zlib.crc32(stream.read(), checksum)
        except FileNotFoundError:
            continue
    return format(checksum, "08x")
