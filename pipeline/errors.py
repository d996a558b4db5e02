"""The project's exceptions; the CLI turns each into one line and an exit status.

PipelineError
├── ConfigError       project settings or region file invalid
├── SourceError       a source page that cannot be read or is malformed
├── CatalogError      a .po/.pot that cannot be read (file and line)
├── LocaleError       an unknown or malformed locale or region tag
├── PathError         a slug or locale that would leave its folder
├── PublishError      a page that cannot be built or written
└── NetworkError      a fetch or push that failed
"""


class PipelineError(Exception):
    """Base of every expected failure; str() is the one-line message for the user."""

    exit_code = 1


class ConfigError(PipelineError):
    pass


class SourceError(PipelineError):
    pass


class CatalogError(PipelineError):
    pass


class LocaleError(PipelineError):
    exit_code = 2


class PathError(PipelineError):
    exit_code = 2


class PublishError(PipelineError):
    pass


class NetworkError(PipelineError):
    pass
