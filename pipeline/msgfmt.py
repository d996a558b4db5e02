"""Running GNU msgfmt, the outside judge of a catalog: on one catalog (its errors with their
lines), or on several at once (only whether it accepts them all)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path


def msgfmt_outcome(
    path: Path, check_header: bool, data: bytes | None = None
) -> tuple[list[tuple[int, str]], bool]:
    """msgfmt's problems with the catalog, and whether they are its verdict on it: False when
    msgfmt is missing, could not run or was killed by a signal, an answer that says nothing
    of the catalog and must not be remembered as if it did."""
    msgfmt = shutil.which("msgfmt")
    if not msgfmt:
        return [], False
    option = "--check" if check_header else "--check-format"
    try:
        result = subprocess.run(
            [msgfmt, option, "-o", os.devnull, "-" if data is not None else str(path)],
            input=data,
            capture_output=True,
        )
    except OSError as error:
        return [(0, f"msgfmt could not run ({error.strerror})")], False
    if result.returncode < 0:
        # Killed (out of memory, a timeout, a user's kill): the catalog was not judged.
        name = signal_name(-result.returncode)
        return [(0, f"msgfmt was killed by {name}")], False
    if result.returncode == 0:
        return [], True
    return refusals(result.stderr.decode("utf-8", "replace")), True


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def refusals(stderr: str) -> list[tuple[int, str]]:
    """(line, message) of the errors in msgfmt's report (its warnings left out)."""
    found = []
    for line in stderr.splitlines():
        match = re.match(r"^.*?:(\d+):(?:\d+:)? (.*)$", line)
        if match and not match.group(2).startswith("warning"):
            number, message = int(match.group(1)), match.group(2)
            if message == "end-of-line within string":
                number -= 1  # msgfmt's lexer has already counted the newline it stopped at
            found.append((number, message))
    lines = stderr.strip().splitlines()
    return found or [(0, lines[-1] if lines else "msgfmt gave no reason")]


# What a catalog must look like to be judged with others (`accepts_together`): valid UTF-8,
# and its first entry a header that declares UTF-8. In one input, msgfmt's reading of a
# catalog's first lines would otherwise depend on the charset the catalog before it declared.
_HEADER_FIRST = re.compile(
    rb'\A(?:#[^\n]*\n|[ \t]*\n)*msgid ""\nmsgstr ""\n(?:"[^"\n]*"\n)*?'
    rb'"Content-Type: text/plain; charset=UTF-8\\n"\n'
)
# A `domain` keyword outside strings and comments (msgfmt reads an obsolete `#~` line as
# entries too): in a batch the catalog would leave the domain it is given, and alone msgfmt
# refuses the directive when it writes one output file ("directive ignored").
_DOMAIN = re.compile(rb'(?m)^(?!#(?!~))(?:[^"\n]|"(?:[^"\\\n]|\\.)*")*?\bdomain\b')


def batchable(data: bytes) -> bool:
    """Whether msgfmt reads `data` inside a batch exactly as it reads it alone."""
    if not _HEADER_FIRST.match(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # The careful search walks every line (about 5 ms a catalog): only where the word is.
    return b"domain" not in data or not _DOMAIN.search(data)


def accepts_together(catalogs: list[bytes]) -> bool:
    """Whether `msgfmt --check` accepts every one of `catalogs` (each `batchable`), from one
    run: each catalog goes into a domain of its own, so its header, plural forms and
    duplicates are judged within it, as they are when it is alone. Starting msgfmt costs
    about as much as judging a catalog; a publish judges thousands. False says only that
    some catalog (or the run) failed: each must then be judged alone for its errors."""
    msgfmt = shutil.which("msgfmt")
    if not msgfmt or not catalogs:
        return False
    stream = b"".join(
        b'domain "catalog-%d"\n%s\n' % (number, data) for number, data in enumerate(catalogs)
    )
    # msgfmt writes a domain's .mo file into its working folder; a scratch one takes them.
    # A folder that cannot be made (a full disk) only means each catalog is judged alone.
    try:
        with tempfile.TemporaryDirectory(prefix="pipeline-msgfmt-") as folder:
            result = subprocess.run(
                [msgfmt, "--check", "-"], input=stream, capture_output=True, cwd=folder
            )
    except OSError:
        return False
    return result.returncode == 0
