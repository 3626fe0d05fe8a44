"""Where the models run: an NVIDIA GPU where one is found and the builds can use it, else the CPU (the
default, and all that CI has). Settings.gpu (RAG_GPU) is "auto", "off" or "on"; docs/speed.md, "GPU".

Detection never raises and costs nothing without a GPU: nvidia-smi is looked up on PATH, and torch (seconds
to import) is imported only where nvidia-smi lists a GPU and the installed torch is a CUDA build.
`make install` builds llama.cpp with CUDA where it finds a GPU and nvcc; the embedder needs a CUDA torch,
which is installed by hand (the default install keeps the CPU wheel).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GpuError

if TYPE_CHECKING:
    from .config import Settings

NVIDIA_SMI_TIMEOUT = 5.0  # seconds: a hung driver must not hang `rag ask`
LLM_FIX = "make install GPU=1"
EMBEDDER_FIX = 'a CUDA build of torch==2.13.0 (docs/speed.md, "GPU")'
GPU_BACKENDS = ("auto", "torch")  # embedding backends that may run on the GPU: sentence-transformers on torch
_GPU_LINE = re.compile(r"GPU \d+: (.+?)(?: \(UUID: [^)]*\))?")
_TORCH_CUDA = re.compile(r"^cuda\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def parse_gpu_list(text: str) -> str | None:
    """The first GPU's name in `nvidia-smi -L` output ("GPU 0: NVIDIA H200 (UUID: GPU-...)"), or None."""
    for line in text.splitlines():
        m = _GPU_LINE.fullmatch(line.strip())
        if m:
            return m.group(1)
    return None


@cache
def gpu_name() -> str | None:
    """The first NVIDIA GPU `nvidia-smi -L` lists; None without nvidia-smi, without a GPU, or on any failure."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        done = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=NVIDIA_SMI_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return parse_gpu_list(done.stdout) if done.returncode == 0 else None


@cache
def llm_offload() -> bool:
    """Can the installed llama.cpp offload layers to a GPU (a GPU build that sees one)? False on any failure."""
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except (ImportError, OSError, AttributeError, RuntimeError):  # RuntimeError: its library failed to load
        return False


def parse_torch_cuda(text: str) -> str | None:
    """The CUDA version in torch/version.py's text ("cuda: Optional[str] = '12.8'"); None for a CPU build."""
    m = _TORCH_CUDA.search(text)
    return m.group(1) if m else None


def torch_cuda() -> str | None:
    """The CUDA version the installed torch was built for, read from its version.py without importing torch;
    None for a CPU build or no torch."""
    try:
        spec = find_spec("torch")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            return parse_torch_cuda((Path(folder) / "version.py").read_text(encoding="utf-8"))
        except OSError:
            continue
    return None


@cache
def embed_device() -> str:
    """ "cuda" where nvidia-smi lists a GPU and the installed torch is a CUDA build that reaches it, else "cpu".
    torch is imported only in that case (importing it takes seconds)."""
    if gpu_name() is None or torch_cuda() is None:
        return "cpu"
    from .parse import TORCH_IMPORT

    try:
        with TORCH_IMPORT:
            import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except (ImportError, OSError, RuntimeError):
        return "cpu"


def _llm(settings: Settings) -> tuple[str, str]:
    """("gpu" or "cpu", why) for the LLM. Raises GpuError for gpu="on" when it cannot run on the GPU."""
    if settings.gpu == "off":
        return "cpu", "RAG_GPU=off"
    name = gpu_name()
    if settings.gpu == "on":
        # "on" trusts llama.cpp alone: it may reach a GPU that nvidia-smi does not list
        if llm_offload():
            return "gpu", f"all layers on {name or 'the GPU'}, RAG_GPU=on"
        why = "llama.cpp was built without GPU support" if name else "no GPU found by nvidia-smi"
        raise GpuError(f"RAG_GPU=on, but {why}; on a machine with an NVIDIA GPU run: {LLM_FIX} (or set RAG_GPU=auto)")
    # subtle: "auto" asks nvidia-smi first, so a CPU machine never changes (a Metal build on a Mac can offload too)
    if name is None:
        return "cpu", "no GPU found"
    if llm_offload():
        return "gpu", f"all layers on {name}"
    return "cpu", f"llama.cpp built without GPU support; for the GPU run: {LLM_FIX}"


def _embedder(settings: Settings) -> tuple[str, str]:
    """("cuda" or "cpu", why) for the embedder. Raises GpuError for gpu="on" when it cannot run on the GPU."""
    if settings.gpu == "off":
        return "cpu", "RAG_GPU=off"
    if settings.gpu == "auto" and gpu_name() is None:
        return "cpu", "no GPU found"
    if settings.embedding_backend not in GPU_BACKENDS:
        why = f"embedding_backend={settings.embedding_backend} runs on the CPU"
        if settings.gpu == "on":
            raise GpuError(f"RAG_GPU=on, but {why}; set embedding_backend to auto or torch")
        return "cpu", why
    if embed_device() == "cuda":
        return "cuda", f"sentence-transformers (torch, fp32) on {gpu_name()}"
    if gpu_name() is None:
        why = "no GPU found"
    elif torch_cuda() is None:
        why = f"torch is a CPU build; for the GPU install {EMBEDDER_FIX}"
    else:
        why = "torch cannot reach the GPU (torch.cuda.is_available() is False)"
    if settings.gpu == "on":
        raise GpuError(f"RAG_GPU=on, but the embedder cannot run on the GPU: {why} (or set RAG_GPU=auto)")
    return "cpu", why


def llm_gpu_layers(settings: Settings) -> int:
    """llama.cpp's n_gpu_layers: -1 (every layer on the GPU) where settings.gpu and the build allow it, else 0.
    Raises GpuError for gpu="on" when the LLM cannot run on the GPU."""
    return -1 if _llm(settings)[0] == "gpu" else 0


def embedder_device(settings: Settings) -> str:
    """The torch device for the embedder: "cuda" where settings.gpu, the backend and torch allow it, else "cpu".
    Raises GpuError for gpu="on" when the embedder cannot run on the GPU."""
    return _embedder(settings)[0]


def _cpu_backend(settings: Settings) -> str:
    """The embedding backend `auto` resolves to on this CPU, in words."""
    from .embed import backend_for, bf16_without_amx

    backend = backend_for(settings)
    words = {
        "openvino": "openvino bf16" if bf16_without_amx() else "openvino f32",
        "onnx-int8": "onnxruntime int8",
        "onnx": "onnxruntime fp32",
        "torch": "sentence-transformers (torch)",
    }
    return words.get(backend, backend)


def describe(settings: Settings) -> dict[str, str]:
    """Where the LLM and the embedder run, and why, in words (for `rag bench`). Never raises: what
    RAG_GPU=on would refuse reads "error: ...".

    e.g. {"gpu": "none found", "llm": "cpu (no GPU found)", "embedder": "cpu: openvino bf16 (no GPU found)"}"""
    name = gpu_name()
    out = {"gpu": (name or "none found") + ("" if settings.gpu == "auto" else f" (RAG_GPU={settings.gpu})")}
    try:
        where, why = _llm(settings)
        out["llm"] = f"{where} ({why})"
    except GpuError as e:
        out["llm"] = f"error: {e}"
    try:
        device, why = _embedder(settings)
        out["embedder"] = f"gpu: {why}" if device == "cuda" else f"cpu: {_cpu_backend(settings)} ({why})"
    except GpuError as e:
        out["embedder"] = f"error: {e}"
    return out
