"""Local question answering over news articles, with cited passages.

>>> from rag import answer
>>> a = answer("Who recognised Juan Guaido as interim president?")
>>> a.text, [c.source for c in a.citations]
"""

from .config import Settings
from .errors import RagError
from .indexing import IndexSummary, build_index, sync_index
from .qa import Answer, Citation, answer, stream_answer
from .retrieve import IndexStatus, Passage, get_article, index_status, retrieve

__all__ = [
    "Answer",
    "Citation",
    "IndexStatus",
    "IndexSummary",
    "Passage",
    "RagError",
    "Settings",
    "answer",
    "build_index",
    "get_article",
    "index_status",
    "retrieve",
    "stream_answer",
    "sync_index",
]
