"""Typed errors. Each message names the fix; the CLI and the web chat show it as one line."""

from __future__ import annotations


class RagError(Exception):
    """Base class for every error the library raises on purpose."""


class EmptyQuestionError(RagError, ValueError):
    def __init__(self) -> None:
        super().__init__('The question is empty; ask something, e.g. rag ask "Who recognised Guaido?"')


class BadModeError(RagError, ValueError):
    """An answer mode that is not one of rag.kinds.KINDS."""


class CorpusError(RagError):
    """The corpus folder is missing, empty or holds no readable article."""


class IndexMissingError(RagError):
    """No index has been built in the index folder."""


class IndexMismatchError(RagError):
    """The index was built with another embedding model or chunking."""


class IndexCorruptError(RagError):
    """An index file is truncated, damaged or does not match its manifest."""


class IndexLockedError(RagError):
    """Another process is writing the index."""


class IndexLocationError(RagError):
    """The index path is not a folder (RAG_INDEX or --index names a file)."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"The index path {path} is a file, not a folder; point --index (or RAG_INDEX) at a folder, "
            "e.g. --index index/"
        )


class BadFilterError(RagError, ValueError):
    """A search filter with an unknown key or a value that is not a real date."""


class ModelError(RagError):
    """A model named in models.txt (or the environment) cannot be found or loaded."""


class ConfigError(RagError):
    """models.txt or an environment variable is malformed."""


class GpuError(RagError):
    """RAG_GPU=on, but a model cannot run on the GPU (none found, or a build without GPU support)."""


class MissingExtraError(RagError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f"{package} is not installed; run: pip install -e '.[{extra}]'")
