"""Embedder protocol and the ways to run one sentence-transformers folder (loaded offline, once per
process): OpenVINO in bfloat16 on CPUs with AVX512_BF16 and no AMX (the default there), onnxruntime with
int8 weights (the default elsewhere), both ~2x faster than plain sentence-transformers on a laptop
CPU and neither importing torch when answering; plain sentence-transformers is the fallback and the
reference. docs/speed.md has the measurements.

The ONNX model is exported locally from the folder the first time (torch, offline) and cached under
settings.cache_dir, keyed by what the folder holds and the backend; it never comes from a hub. embedding_backend
"llamacpp" (never picked by auto) runs a GGUF copy with llama.cpp instead: rag/gguf_embed.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from functools import cache, cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    import numpy as np

    from .config import Settings

log = logging.getLogger(__name__)
EXPORT_VERSION = 2  # bump when the export or the quantization recipe changes: cached files are re-made
BACKENDS = ("openvino", "onnx-int8", "onnx", "llamacpp", "torch")
SOURCE_RECORD = "source.txt"  # in each cached export: the folder and backend it was made from (_settle)
POOLING = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling")


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...

    def count_tokens(self, text: str) -> int: ...


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class SentenceTransformerEmbedder:
    """A sentence-transformers folder on disk. Token counting needs only its tokenizer.json,
    so chunking does not pay for importing torch."""

    def __init__(self, path: Path, name: str, batch_size: int = 32, device: str = "cpu") -> None:
        self.path = path
        self.name = name
        self.batch_size = batch_size
        self.device = device  # "cuda": the GPU (rag/device.py)

    @cached_property
    def _tokenizer(self):  # type: ignore[no-untyped-def]
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tok.no_padding()
        tok.no_truncation()
        return tok

    @cached_property
    def model(self):  # type: ignore[no-untyped-def]
        _offline_env()
        from .parse import TORCH_IMPORT

        with TORCH_IMPORT:
            import transformers
            from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        return SentenceTransformer(str(self.path), device=self.device, local_files_only=True)

    @cached_property
    def dim(self) -> int:  # type: ignore[override]
        pooling = self.path / "1_Pooling" / "config.json"
        if pooling.exists():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self.model.get_sentence_embedding_dimension())

    @cached_property
    def max_tokens(self) -> int:  # type: ignore[override]
        cfg = self.path / "sentence_bert_config.json"
        if cfg.exists():
            return int(json.loads(cfg.read_text()).get("max_seq_length", 256))
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _pooling_mode(path: Path) -> str | None:
    """'mean' or 'cls' for a plain Transformer -> Pooling (-> Normalize) folder; None for anything else."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return None
    types = [m.get("type", "") for m in modules]
    if tuple(types[:2]) != POOLING or any(t != "sentence_transformers.models.Normalize" for t in types[2:]):
        return None
    if not (path / "tokenizer.json").exists():
        return None
    flags = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if flags == {"pooling_mode_mean_tokens"}:
        return "mean"
    if flags == {"pooling_mode_cls_token"}:
        return "cls"
    return None


def _cache_key(path: Path, backend: str) -> str:
    """What the folder holds, the backend and the recipe's version; never where the folder is or when its
    files were written, so the same model installed again (a new venv, a fresh clone) finds its export.
    A key on the path and the files' times made another export (~150 MB) at every fresh install, and
    filled a disk that keeps ~/.cache between installs."""
    files = [(p.name, p.stat().st_size, _sampled_digest(p)) for p in sorted(path.iterdir()) if p.is_file()]
    raw = json.dumps([files, backend, EXPORT_VERSION])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _sampled_digest(file: Path, pieces: int = 16, piece: int = 1 << 16) -> str:
    """sha256 of a file's bytes, or, for a file over 1 MiB, of 16 evenly spaced 64 KiB pieces of it
    (first and last included): any retrained weights differ in them, and a 1 GB model is not read."""
    size = file.stat().st_size
    digest = hashlib.sha256()
    with file.open("rb") as f:
        if size <= pieces * piece:
            digest.update(f.read())
        else:
            for i in range(pieces):
                f.seek(i * (size - piece) // (pieces - 1))
                digest.update(f.read(piece))
    return digest.hexdigest()


def _settle(entry: Path, source: Path, label: str) -> None:
    """Record in `entry` (one export under cache_dir/onnx or cache_dir/gguf) the folder and backend it was
    made from, and remove the exports it replaces: the same folder and backend's before the folder's files
    changed, and finished ones an earlier version left with no record (keyed by path and time, one per
    install); one still being written holds no model file yet and is left alone. A removed export is made
    again at its next use. Housekeeping only: a folder it cannot read or write is left as it is."""
    record = f"{source.resolve()}\n{label}\n"
    try:
        (entry / SOURCE_RECORD).write_text(record)
        for other in entry.parent.iterdir():
            if other == entry or not other.is_dir():
                continue
            theirs = other / SOURCE_RECORD
            if theirs.exists():
                replaced = theirs.read_text() == record
            else:  # an earlier version's, once its model file is in place
                replaced = any(f.suffix in (".onnx", ".gguf") for f in other.iterdir() if f.is_file())
            if replaced:
                log.info("Removing the replaced export %s", other)
                shutil.rmtree(other, ignore_errors=True)
    except OSError as e:
        log.warning("Could not tidy the exported models in %s (%s); they are kept", entry.parent, e)


def export_onnx(path: Path, target: Path, pooling: str, quantize: bool) -> Path:
    """Export the folder's transformer with pooling and normalisation folded in, then (optionally)
    quantize its weight matrices to int8. Written beside `target` and renamed into place."""
    import tempfile

    _offline_env()
    from .parse import TORCH_IMPORT

    with TORCH_IMPORT:
        import torch
        import transformers
        from transformers import AutoModel

    transformers.logging.set_verbosity_error()
    # subtle: attention written out as matmuls ("eager"), not torch's fused scaled_dot_product_attention,
    # exports to a graph that runs 1.29x faster in onnxruntime int8 and 1.13x in OpenVINO on the same CPU
    # (AMD EPYC Zen 4; docs/speed.md), with the same vectors
    try:
        model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
    except (TypeError, ValueError):  # a model class without the choice
        model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        dummy = torch.ones((2, 16), dtype=torch.long)
        axes = {
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "embedding": {0: "batch"},
        }
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Pooled(model),
                (dummy, dummy),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        out = fp32
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            out = Path(tmp) / "model.int8.onnx"
            # subtle: per-channel scales are what keep quality (cosine to fp32 0.993 mean, against 0.948
            # per-tensor); only weight matrices are quantized, attention's activation products stay fp32.
            logging.getLogger().disabled, was = True, logging.getLogger().disabled
            try:
                quantize_dynamic(
                    str(fp32),
                    str(out),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    op_types_to_quantize=["MatMul"],
                    extra_options={"MatMulConstBOnly": True},
                )
            finally:
                logging.getLogger().disabled = was
        os.replace(out, target)
    return target


class FolderModel:
    """What every exported copy of a sentence-transformers folder reads from the folder itself: its
    tokenizer.json (word pieces counted, and cut at max_tokens, exactly as sentence-transformers does),
    its output width and its max_seq_length; `model_file` is the exported copy that the subclass runs."""

    def __init__(self, path: Path, name: str, model_file: Path, *, threads: int) -> None:
        self.path = path
        self.name = name
        self.model_file = model_file
        self.threads = threads

    def _tokenizer_file(self, truncate: bool):  # type: ignore[no-untyped-def]
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tok.no_padding()
        if truncate:
            tok.enable_truncation(max_length=self.max_tokens)
        else:
            tok.no_truncation()
        return tok

    @cached_property
    def _counter(self):  # type: ignore[no-untyped-def]
        return self._tokenizer_file(truncate=False)

    @cached_property
    def _tokenizer(self):  # type: ignore[no-untyped-def]
        return self._tokenizer_file(truncate=True)

    @cached_property
    def dim(self) -> int:
        return int(json.loads((self.path / "1_Pooling" / "config.json").read_text())["word_embedding_dimension"])

    @cached_property
    def max_tokens(self) -> int:
        cfg = self.path / "sentence_bert_config.json"
        if cfg.exists():
            return int(json.loads(cfg.read_text()).get("max_seq_length", 256))
        return 256

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)


class OnnxEmbedder(FolderModel):
    """The same folder run by onnxruntime: exported once (see export_onnx), texts grouped by length so
    little padding is computed, threads set to the machine's."""

    def __init__(self, path: Path, name: str, model_file: Path, *, threads: int, batch_size: int = 32) -> None:
        super().__init__(path, name, model_file, threads=threads)
        self.batch_size = batch_size

    @cached_property
    def session(self):  # type: ignore[no-untyped-def]
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle worker threads must not spin: the LLM runs right after in the same process
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        return ort.InferenceSession(str(self.model_file), opts, providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for i in range(0, len(texts), self.batch_size):
            rows = order[i : i + self.batch_size]
            width = max(len(encodings[j].ids) for j in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, j in enumerate(rows):
                n = len(encodings[j].ids)
                ids[r, :n] = encodings[j].ids
                mask[r, :n] = 1
            out[rows] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


class _OpenVinoSession:
    """An OpenVINO compiled model behind onnxruntime's `run(None, feed)`, so OnnxEmbedder drives both."""

    def __init__(self, model_file: Path, threads: int, bf16: bool) -> None:
        import threading

        import openvino as ov

        config: dict[str, Any] = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
        config["INFERENCE_PRECISION_HINT"] = "bf16" if bf16 else "f32"
        core = ov.Core()
        self._request = core.compile_model(core.read_model(str(model_file)), "CPU", config).create_infer_request()
        self._lock = threading.Lock()  # one infer request: the web chat may embed from several threads

    def run(self, _outputs: None, feed: dict[str, Any]) -> list[Any]:
        with self._lock:
            return [self._request.infer(feed)[0].copy()]


class OpenVinoEmbedder(OnnxEmbedder):
    """The fp32 ONNX export run by OpenVINO, in bfloat16 where the CPU has AVX512_BF16 (and no AMX,
    see bf16_without_amx), else f32: its vectors match fp32 (cosine >= 0.9999), so the index keeps the plain
    model name and stays interchangeable with torch and fp32 onnxruntime."""

    @cached_property
    def session(self):  # type: ignore[no-untyped-def]
        return _OpenVinoSession(self.model_file, self.threads, bf16=bf16_without_amx())


@cache
def bf16_without_amx() -> bool:
    """Does this CPU compute in bfloat16 with AVX512_BF16, and have no AMX? Linux only; else False.

    AMX machines are left out on purpose: bf16 there runs on AMX tiles, which was not measured here
    (llama.cpp's AMX kernels crashed on one such VM, see the Makefile), while onnx-int8 was measured
    there at 2.7x torch. OpenVINO on them runs f32, and `auto` picks onnx-int8."""
    try:
        flags = set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return False
    return "avx512_bf16" in flags and not any(f.startswith("amx") for f in flags)


def backend_for(settings: Settings) -> str:
    """The backend `auto` resolves to here: openvino where the CPU has AVX512_BF16 and no AMX and
    openvino is installed (49 vs 37 chunks/s for onnx-int8 on such a CPU, docs/speed.md), else
    onnx-int8 when onnxruntime and onnx are installed, else torch."""
    want = settings.embedding_backend
    if want != "auto":
        return want
    if not (find_spec("onnxruntime") and find_spec("onnx")):
        return "torch"
    return "openvino" if find_spec("openvino") and bf16_without_amx() else "onnx-int8"


def _llamacpp_embedder(path: Path, name: str, settings: Settings) -> Embedder:
    """A BERT folder with mean pooling run by llama.cpp, its GGUF file written once (rag/gguf_embed.py)."""
    from . import gguf_embed
    from .errors import ModelError

    if _pooling_mode(path) != "mean" or not gguf_embed.is_bert(path):
        raise ModelError(f"{path} is not a BERT folder with mean pooling; set embedding_backend='torch'")
    label = f"llamacpp-{gguf_embed.WEIGHTS}"
    target = Path(settings.cache_dir) / "gguf" / _cache_key(path, label) / "model.gguf"
    try:
        if not target.exists():
            log.info("Writing %s to %s (once)", path, target)
            gguf_embed.write_gguf(path, target)
            _settle(target.parent, path, label)
        embedder = gguf_embed.LlamaCppEmbedder(path, gguf_embed.manifest_name(name), target, threads=settings.threads)
        embedder.llm  # noqa: B018  (load now, so a file llama.cpp cannot read fails here)
    except (ImportError, OSError, RuntimeError, ValueError) as e:
        raise ModelError(f"Cannot run {path} with llama.cpp ({e}); set embedding_backend='torch'") from None
    return cast("Embedder", embedder)


def backend_reason(settings: Settings) -> str:
    """Why backend_for chose what it chose, in words (`rag bench` prints it)."""
    backend = backend_for(settings)
    if settings.embedding_backend != "auto":
        return f"{backend}: set by embedding_backend"
    if backend == "torch":
        return "torch: onnxruntime or onnx is not installed"
    if backend == "openvino":
        return "openvino: the CPU has avx512_bf16 and no AMX, so OpenVINO computes in bfloat16 (docs/speed.md)"
    if bf16_without_amx():
        return "onnx-int8: openvino is not installed"
    return (
        "onnx-int8: the CPU has no avx512_bf16 (or has AMX, where bf16 was not measured): int8 weights (docs/speed.md)"
    )


def make_embedder(path: Path, name: str, settings: Settings) -> Embedder:
    """The embedder for settings.embedding_backend, falling back to sentence-transformers when the
    fast path's packages are missing or the folder is not a plain Transformer + Pooling model.

    The manifest records `name` for torch, fp32 ONNX and OpenVINO (the same vectors, cosine >= 0.9999),
    and `name+onnx-int8` for int8 weights, whose vectors differ slightly: an index built with one is
    rebuilt, not mixed, when the other is used. llamacpp (llama.cpp on a GGUF copy, BERT folders with mean
    pooling only, no fallback) records `name+llamacpp` for q8_0 weights, `name` for f16 ones."""
    from .errors import ModelError

    backend = backend_for(settings)
    if backend not in BACKENDS:
        raise ModelError(f"Unknown embedding_backend {backend!r}; use auto, {', '.join(BACKENDS)}")
    if backend == "llamacpp":
        return _llamacpp_embedder(path, name, settings)
    pooling = _pooling_mode(path)
    if backend != "torch" and pooling is not None:
        quantize = backend == "onnx-int8"
        label = "onnx-int8" if quantize else "onnx"  # openvino reads the fp32 export
        target = (
            Path(settings.cache_dir) / "onnx" / _cache_key(path, label) / f"model{'.int8' if quantize else ''}.onnx"
        )
        try:
            if not target.exists():
                log.info("Exporting %s to %s (once)", path, target)
                export_onnx(path, target, pooling, quantize)
                _settle(target.parent, path, label)
            runner = OpenVinoEmbedder if backend == "openvino" else OnnxEmbedder
            embedder = runner(
                path,
                f"{name}+{backend}" if quantize else name,
                target,
                threads=settings.threads,
                batch_size=settings.embed_batch,
            )
            embedder.session  # noqa: B018  (load now, so a runtime that cannot read the file falls back here)
            return cast("Embedder", embedder)
        except (ImportError, OSError, RuntimeError, ValueError) as e:
            if settings.embedding_backend != "auto":
                raise ModelError(f"Cannot run {path} with {backend} ({e}); set embedding_backend='torch'") from None
            if backend == "openvino":
                log.warning("OpenVINO cannot run %s (%s); using onnxruntime", path, e)
                return make_embedder(path, name, settings.replace(embedding_backend="onnx-int8"))
            log.warning("ONNX export of %s failed (%s); using sentence-transformers", path, e)
    elif backend != "torch" and settings.embedding_backend != "auto":
        raise ModelError(f"{path} is not a plain Transformer + Pooling folder; set embedding_backend='torch'")
    from .device import embedder_device  # "cuda" where settings.gpu, the backend and a CUDA torch allow it

    device = embedder_device(settings)
    return cast("Embedder", SentenceTransformerEmbedder(path, name, batch_size=settings.embed_batch, device=device))
