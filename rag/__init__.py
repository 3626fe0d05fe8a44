"""Local question answering over news articles, with cited passages.

>>> from rag import answer
>>> a = answer("Who recognised Juan Guaido as interim president?")
>>> a.text, [c.source for c in a.citations]
"""

from .config import Settings
from .errors import RagError
from .indexing import IndexSummary, build_index, sync_index
from .qa import Answer, Citation, answer, stream_answer
from .retrieve import Facets, IndexStatus, Passage, get_article, index_facets, index_status, retrieve

__all__ = [
    "Answer",
    "Citation",
    "Facets",
    "IndexStatus",
    "IndexSummary",
    "Passage",
    "RagError",
    "Settings",
    "answer",
    "build_index",
    "get_article",
    "index_facets",
    "index_status",
    "retrieve",
    "stream_answer",
    "sync_index",
]
