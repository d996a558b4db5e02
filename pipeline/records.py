"""Review and remark record files (TOML beside the catalogs): read with file and line in
every error, and the TOML strings they are written with."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.config import parse_toml
from pipeline.errors import ConfigError
from pipeline.files import read_bytes


def read_toml_file(path: Path) -> tuple[str, dict] | None:
    """A record file's text and TOML data (None when there is no file); anything unreadable
    is a ConfigError naming the file and, for TOML errors, the line."""
    import tomllib

    try:
        text = read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8") from error
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None
    try:
        return text, parse_toml(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = found.group(1) if found else "1"
        message = re.sub(r"\s*\(at line .*\)$", "", str(error))
        raise ConfigError(f"{path}:{line}: {message}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but TOML wants DEL escaped too)."""
    import json

    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
