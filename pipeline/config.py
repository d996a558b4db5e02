"""Project settings: `[tool.pipeline]` in pyproject.toml -> one frozen, validated object."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from pipeline.errors import ConfigError, PathError


@dataclass(frozen=True)
class Settings:
    root: Path
    source_locale: str = "en-US"  # the language the articles are written in
    base_url: str = "https://www.example.org"  # canonical URLs: {base_url}/{region}/{slug}/
    min_complete: float = 0.0  # publish threshold, percent of source words translated
    hotline_max_age_days: int = 365  # warn when a hotline was verified longer ago
    fuzzy_threshold: float = 0.7  # similarity (0..1) for carrying a translation as fuzzy
    keep_trivial: bool = False  # update: keep translations across whitespace/quote/typo edits
    page_template: str = ""  # a Jinja2 page shell replacing the built-in one
    output: str = "output"  # where publish writes, relative to the project root
    push_give_up_after: int = 3  # push stops after this many attempts in a row unanswered
    include_pseudo: bool = False  # publish and push pseudo-locale regions (en-XA, ar-XB) too
    require_review: str = "none"  # "none" | "warn" | "block": publishing pages without a review
    review_interval_months: int = 36  # "next review due": this long after the medical review
    articles: dict = field(default_factory=dict)  # slug -> its own settings (require_review)
    wordpress: dict = field(default_factory=dict)  # push --to wordpress: see wordpress_map
    keep_authoring_attributes: bool = False  # publish keeps data-l10n-*/its-* attributes
    manifest_shard_pages: int = 50_000  # past this many pages, manifest.json indexes shards

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.locales_dir / "templates"

    @property
    def regions_file(self) -> Path:
        return self.locales_dir / "regions.toml"

    @property
    def output_dir(self) -> Path:
        """Where publish writes; a symlink is followed, so that the folder it points at (not
        the link) is the one exchanged with each new publish."""
        return (self.root / self.output).resolve()


TYPES = {
    "source_locale": str,
    "base_url": str,
    "min_complete": (int, float),
    "hotline_max_age_days": int,
    "fuzzy_threshold": (int, float),
    "keep_trivial": bool,
    "page_template": str,
    "output": str,
    "push_give_up_after": int,
    "include_pseudo": bool,
    "require_review": str,
    "review_interval_months": int,
    "articles": dict,
    "wordpress": dict,
    "keep_authoring_attributes": bool,
    "manifest_shard_pages": int,
}


def tool_table(data: dict, pyproject: Path) -> dict:
    """The `[tool.pipeline]` table of a parsed pyproject.toml ({} when there is none)."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: 'tool' must be a table")
    table = tool.get("pipeline", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: 'tool.pipeline' must be a table")
    return table


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a pyproject.toml or a source/ folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() or (folder / "source").is_dir():
            return folder
    return start


def parse_toml(text: str) -> dict:
    """`tomllib.loads`, remembered by text in this process: a publish reads the settings, the
    region file, each glossary and each review record, and a process that lives on (`serve
    --watch`, the review server) reads them again at each run. Each call gets a table of its
    own (callers may change it)."""
    # Kept pickled: tomllib is pure Python, and unpickling a table is much quicker than
    # parsing its text again, while still handing out a new table each time.
    return pickle.loads(pickled_toml(text))


@lru_cache(maxsize=64)
def pickled_toml(text: str) -> bytes:
    import tomllib  # only where settings are read: `file` commands have none

    return pickle.dumps(tomllib.loads(text), protocol=pickle.HIGHEST_PROTOCOL)


def read_toml(path: Path) -> dict:
    """A TOML file as a table; ConfigError (naming the file) for anything unreadable."""
    import tomllib

    from pipeline.files import read_bytes

    try:
        return parse_toml(read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError(f"{path}: nested too deeply") from None
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None


def load_settings(root: Path) -> Settings:
    """Read `[tool.pipeline]`; report every invalid setting at once."""
    pyproject = root / "pyproject.toml"
    table: dict = {}
    if pyproject.is_file():
        table = tool_table(read_toml(pyproject), pyproject)
    known = {field.name for field in fields(Settings)} - {"root"}
    problems = [f"unknown setting {name!r}" for name in table if name not in known]
    problems += type_problems(table)
    if not problems:  # ranges are compared only once every value has its type
        problems += range_problems(table)
    if problems:
        raise ConfigError(f"{pyproject} [tool.pipeline]: " + "; ".join(problems))
    check_output(root, table.get("output", "output"))
    settings = {name: value for name, value in table.items() if name in known}
    if "base_url" in settings:
        settings["base_url"] = settings["base_url"].rstrip("/")
    return Settings(root=root, **settings)


def type_problems(table: dict) -> list[str]:
    """A line for each setting whose value is not of its type (a bool is not a number)."""
    problems = []
    for name, value in table.items():
        expected = TYPES.get(name)
        if expected and (
            not isinstance(value, expected) or isinstance(value, bool) and expected is not bool
        ):
            problems.append(f"{name} must be {getattr(expected, '__name__', 'a number')}")
    return problems


def range_problems(table: dict) -> list[str]:
    """A line for each number out of its range, and the review settings' problems."""
    problems = []
    if not 0 <= table.get("min_complete", 0) <= 100:
        problems.append("min_complete must be between 0 and 100")
    if not 0 < table.get("fuzzy_threshold", 0.7) <= 1:
        problems.append("fuzzy_threshold must be in (0, 1]")
    if not 1 <= table.get("push_give_up_after", 3) <= 100:
        problems.append("push_give_up_after must be between 1 and 100")
    problems.extend(review_problems(table))
    if table.get("manifest_shard_pages", 1) < 1:
        problems.append("manifest_shard_pages must be at least 1")
    return problems


REVIEW_POLICIES = ("none", "warn", "block")
ARTICLE_SETTINGS = {"require_review"}


def review_problems(table: dict) -> list[str]:
    """What is wrong with the review settings: the policy, the interval, per-article tables."""
    problems = []
    policies = ", ".join(f'"{name}"' for name in REVIEW_POLICIES)
    if table.get("require_review", "none") not in REVIEW_POLICIES:
        problems.append(f"require_review must be one of {policies}")
    if not 1 <= table.get("review_interval_months", 36) <= 120:
        problems.append("review_interval_months must be between 1 and 120")
    for slug, own in table.get("articles", {}).items():
        if not isinstance(own, dict):
            problems.append(f"articles.{slug} must be a table")
            continue
        problems.extend(
            f"unknown setting articles.{slug}.{name}"
            for name in own
            if name not in ARTICLE_SETTINGS
        )
        if own.get("require_review", "none") not in REVIEW_POLICIES:
            problems.append(f"articles.{slug}.require_review must be one of {policies}")
    return problems


# What `output` may never be, nor be inside of: publish exchanges output/ with a new tree.
PROTECTED = ("source", "locales", ".git", ".pipeline-cache")


def check_output(root: Path, output: str) -> None:
    """`output` must name a dedicated folder inside or beside the project: never the project,
    a folder holding it, or one of the project's own folders (a symlink is judged by its
    target)."""
    problem = output_problem(root.resolve(), output)
    if problem:
        raise PathError(f"{root / 'pyproject.toml'} [tool.pipeline]: output = {output!r} {problem}")


def output_problem(root: Path, output: str) -> str | None:
    if not output.strip():
        return 'is empty; name a folder of its own, such as "output"'
    target = (root / output).resolve()
    if target == root or target in root.parents:
        return "would be the project or a folder holding it; name a folder of its own"
    for name in PROTECTED:
        if target == root / name or root / name in target.parents:
            return f"is inside the project's {name}/; name a folder of its own"
    if root not in target.parents and target.parent != root.parent:
        return "must be a folder inside the project or beside it"
    return None
