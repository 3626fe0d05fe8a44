"""A BERT sentence-transformers folder run by llama.cpp (llama-cpp-python's bindings): the folder's
weights are written to a GGUF file once, locally and offline (write_gguf, after llama.cpp's
convert_hf_to_gguf.py BertModel), and texts are tokenized by the folder's own tokenizer.json, so the
word pieces are exactly those the other backends read. docs/speed.md has the measurements.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .embed import FolderModel

if TYPE_CHECKING:
    import numpy as np

# The 2-D matmul weights go in this format ("f16" or "q8_0"); norms, biases and the position and
# token-type tables stay f32, the word-piece table f16 (a lookup, not a matmul). f16, because q8_0 was
# no faster on MiniLM here (7.2 vs 7.3 texts/s, docs/speed.md) and its vectors differ from torch's
# (cosine 0.9997) where f16's do not (0.999999).
WEIGHTS = "f16"
MATMULS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_up", "ffn_down")
SPECIAL = {"unk": "unk_token", "sep": "sep_token", "pad": "pad_token", "mask": "mask_token", "bos": "cls_token"}


def manifest_name(name: str) -> str:
    """f16 weights give torch's vectors (cosine >= 0.9999): the plain name; q8_0 ones differ slightly."""
    return name if WEIGHTS == "f16" else f"{name}+llamacpp"


def is_bert(path: Path) -> bool:
    """A BERT encoder with mean pooling and safetensors weights: what write_gguf converts."""
    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        config.get("model_type") == "bert" and (path / "model.safetensors").exists() and (path / "vocab.txt").exists()
    )


def _vocab(path: Path) -> tuple[list[str], list[int], dict[str, int]]:
    """vocab.txt as llama.cpp's WordPiece reads it: "##x" -> "x", others "▁x", special tokens as they are."""
    import gguf

    words = (path / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if words and words[-1] == "":
        words.pop()
    specials = {t["content"] for t in json.loads((path / "tokenizer.json").read_text())["added_tokens"] if t["special"]}
    tokens, types = [], []
    for w in words:
        if w in specials:
            tokens.append(w)
            types.append(int(gguf.TokenType.CONTROL))
        else:
            tokens.append(w[2:] if w.startswith("##") else "\u2581" + w)
            types.append(int(gguf.TokenType.NORMAL))
    return tokens, types, {w: i for i, w in enumerate(words)}


def _write_header(writer: Any, path: Path, weights: str) -> None:
    import gguf

    config = json.loads((path / "config.json").read_text())
    tokens, types, ids = _vocab(path)
    if len(tokens) != config["vocab_size"]:
        raise ValueError(f"vocab.txt has {len(tokens)} words, config.json says {config['vocab_size']}")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config.get("layer_norm_eps", 1e-12))
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    ftype = gguf.LlamaFileType.MOSTLY_Q8_0 if weights == "q8_0" else gguf.LlamaFileType.MOSTLY_F16
    writer.add_file_type(ftype)
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_type_count(config.get("type_vocab_size", 2))
    names = json.loads((path / "tokenizer_config.json").read_text())
    for kind, key in SPECIAL.items():
        if names.get(key) in ids:
            getattr(writer, f"add_{kind}_token_id")(ids[names[key]])


def _tensors(path: Path, weights: str) -> Any:
    """(gguf name, data, raw dtype) for each tensor llama.cpp's BERT graph reads."""
    import gguf
    import numpy as np
    from safetensors import safe_open

    config = json.loads((path / "config.json").read_text())
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, config["num_hidden_layers"])
    matmul = gguf.GGMLQuantizationType.Q8_0 if weights == "q8_0" else gguf.GGMLQuantizationType.F16
    with safe_open(str(path / "model.safetensors"), "np") as f:
        for key in f.keys():  # noqa: SIM118  (safe_open is not a mapping)
            hf = key.removeprefix("bert.")
            name = names.get_name(hf, try_suffixes=(".weight", ".bias"))
            if name is None:  # position_ids, the pooler: not used for embeddings
                continue
            data = np.ascontiguousarray(f.get_tensor(key), dtype=np.float32)
            if data.ndim == 2 and name.split(".")[-2] in MATMULS:
                qtype = matmul
            elif name == "token_embd.weight":
                qtype = gguf.GGMLQuantizationType.F16
            else:
                qtype = gguf.GGMLQuantizationType.F32
            yield name, gguf.quants.quantize(data, qtype), qtype


def write_gguf(path: Path, target: Path, weights: str = WEIGHTS) -> Path:
    """Write the folder's BERT weights and vocabulary to `target` (beside it, then renamed into place)."""
    import tempfile

    import gguf

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        out = Path(tmp) / target.name
        writer = gguf.GGUFWriter(str(out), "bert")
        _write_header(writer, path, weights)
        for name, data, qtype in _tensors(path, weights):
            writer.add_tensor(name, data, raw_dtype=qtype)  # quantized rows are bytes: the writer reads their shape
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(out, target)
    return target


class LlamaCppEmbedder(FolderModel):
    """The GGUF file run by llama.cpp with mean pooling. Texts are tokenized by tokenizer.json (cut at
    max_tokens word pieces with [CLS] and [SEP], as sentence-transformers does), sorted by length and
    packed into batches of up to batch_tokens tokens, one sequence per text."""

    def __init__(self, path: Path, name: str, model_file: Path, *, threads: int, batch_tokens: int = 512) -> None:
        super().__init__(path, name, model_file, threads=threads)
        self.batch_tokens = batch_tokens
        self._lock = threading.Lock()  # one llama context: the web chat may embed from several threads

    @cached_property
    def llm(self):  # type: ignore[no-untyped-def]
        import llama_cpp

        n = max(self.batch_tokens, self.max_tokens)
        return llama_cpp.Llama(
            str(self.model_file),
            embedding=True,
            pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
            n_ctx=n,
            n_batch=n,
            n_ubatch=n,  # subtle: an encoder runs a whole batch in one ubatch (llama.cpp asserts it)
            n_threads=self.threads,
            n_threads_batch=self.threads,
            flash_attn=True,  # skips the masked-out pairs between sequences packed in one batch
            verbose=False,
        )

    @cached_property
    def _batch(self):  # type: ignore[no-untyped-def]
        import llama_cpp

        n = max(self.batch_tokens, self.max_tokens)
        batch = llama_cpp.llama_batch_init(n, 0, 1)
        weakref.finalize(self, llama_cpp.llama_batch_free, batch)
        return batch

    @cached_property
    def n_seq(self) -> int:
        """Sequences one batch may hold (llama.cpp's limit for this context)."""
        return int(self.llm.context_params.n_seq_max)

    def _groups(self, lengths: list[int]) -> list[list[int]]:
        """Text indices, shortest first, in groups of at most batch_tokens tokens and n_seq texts."""
        import numpy as np

        groups: list[list[int]] = [[]]
        used = 0
        for i in np.argsort(lengths, kind="stable").tolist():
            if groups[-1] and (used + lengths[i] > self.batch_tokens or len(groups[-1]) >= self.n_seq):
                groups.append([])
                used = 0
            groups[-1].append(i)
            used += lengths[i]
        return groups

    def _encode(self, seqs: list[list[int]]) -> np.ndarray:
        """One llama_encode call over the sequences; their mean-pooled rows."""
        import llama_cpp
        import numpy as np

        batch, ctx = self._batch, self.llm.ctx
        n = 0
        for s, ids in enumerate(seqs):
            for p, tok in enumerate(ids):
                batch.token[n], batch.pos[n], batch.n_seq_id[n], batch.logits[n] = tok, p, 1, True
                batch.seq_id[n][0] = s
                n += 1
        batch.n_tokens = n
        if llama_cpp.llama_encode(ctx, batch) != 0:
            raise RuntimeError(f"llama_encode failed on {len(seqs)} texts of {n} tokens")
        dim = self.dim
        return np.stack(
            [np.ctypeslib.as_array(llama_cpp.llama_get_embeddings_seq(ctx, s), shape=(dim,)) for s in range(len(seqs))]
        )

    def embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
        with self._lock:
            for rows in self._groups([len(x) for x in ids]):
                out[rows] = self._encode([ids[i] for i in rows])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out
