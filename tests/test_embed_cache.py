"""The exported-model cache (rag/embed.py): keyed by what a model folder holds, and replaced, not piled up."""

import os
from pathlib import Path

from rag.embed import SOURCE_RECORD, _cache_key, _settle


def _model(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"hidden_size": 384}')
    (folder / "model.safetensors").write_bytes(weights)
    return folder


def _export(cache: Path, source: Path, label: str) -> Path:
    entry = cache / _cache_key(source, label)
    entry.mkdir(parents=True)
    (entry / "model.onnx").write_bytes(b"onnx")
    _settle(entry, source, label)
    return entry


def test_the_same_model_installed_again_elsewhere_has_the_same_key(tmp_path: Path) -> None:
    weights = os.urandom(3 << 20)  # 3 MiB: sampled, not read whole
    first = _model(tmp_path / "venv-1" / "model", weights)
    again = _model(tmp_path / "venv-2" / "model", weights)
    os.utime(again / "model.safetensors", (0, 0))
    assert _cache_key(first, "onnx") == _cache_key(again, "onnx") != _cache_key(first, "onnx-int8")
    retrained = bytearray(weights)
    retrained[-10] ^= 1  # one byte of the last piece
    assert _cache_key(_model(tmp_path / "venv-3" / "model", bytes(retrained)), "onnx") != _cache_key(first, "onnx")
    (first / "config.json").write_text('{"hidden_size": 768}')
    assert _cache_key(first, "onnx") != _cache_key(again, "onnx")


def test_a_new_export_removes_the_ones_it_replaces_and_keeps_the_rest(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "onnx"
    model = _model(tmp_path / "model", os.urandom(4096))
    other = _model(tmp_path / "other", os.urandom(4096))
    earlier = _export(cache, model, "onnx")
    int8 = _export(cache, model, "onnx-int8")
    theirs = _export(cache, other, "onnx")
    legacy = cache / "0123456789abcdef"  # an earlier version's, keyed by path and time: no record
    legacy.mkdir()
    (legacy / "model.int8.onnx").write_bytes(b"onnx")
    in_progress = cache / "fedcba9876543210"  # another process still writing: no model file yet
    (in_progress / "tmpabc").mkdir(parents=True)

    (model / "model.safetensors").write_bytes(os.urandom(4096))  # the folder's weights change
    newer = _export(cache, model, "onnx")
    assert newer != earlier
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in (newer, int8, theirs, in_progress))
    assert (newer / SOURCE_RECORD).read_text() == f"{model.resolve()}\nonnx\n"
