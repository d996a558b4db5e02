"""The project's exceptions; the CLI turns each into one line (or a JSON error) and an exit status.

PipelineError          exit 1
├── ConfigError       project settings or region file invalid
├── SourceError       a source page that cannot be read or is malformed
├── CatalogError      a .po/.pot that cannot be read (file and line)
├── PublishError      a page that cannot be built or written
├── NetworkError      a fetch or push that failed
├── BusyError         another run holds the project's lock
├── ClusterError      a dask cluster that cannot be reached, or lost the work
└── UsageError        exit 2: the command line asked for something that is not there
    ├── LocaleError   an unknown or malformed locale or region tag
    └── PathError     a slug or locale that would leave its folder

Each class has a `code`, the machine-readable name `--json` reports as `error.code`.
"""


class PipelineError(Exception):
    """Base of every expected failure; str() is the one-line message for the user."""

    exit_code = 1
    code = "failed"


class ConfigError(PipelineError):
    code = "config"


class SourceError(PipelineError):
    code = "source"


class CatalogError(PipelineError):
    code = "catalog"


class PublishError(PipelineError):
    code = "publish"


class NetworkError(PipelineError):
    code = "network"


class BusyError(PipelineError):
    code = "busy"


class ClusterError(PipelineError):
    code = "cluster"


class UsageError(PipelineError):
    """An argument or option naming something that does not exist (an article, a region)."""

    exit_code = 2
    code = "usage"


class LocaleError(UsageError):
    code = "locale"


class PathError(UsageError):
    code = "path"
