"""Fuzzing the persona loader: whatever a persona file holds, loading it gives a valid persona or a
clean ``RapportError`` (one line naming the file) - never another exception.

Bounded (a few hundred examples, no example database left behind) so it runs with the other tests."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import RapportError
from simulator.persona.schema import Persona, load_persona, parse_persona
from tests.conftest import ROOT

REAL_FILES = sorted((ROOT / "personas").glob("*.toml"))
REAL_TEXTS = [path.read_text(encoding="utf-8") for path in REAL_FILES]
FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip


def load_text(folder: Path, text: str | bytes) -> Persona | None:
    """Load ``text`` as a persona file: the persona, or None after a clean ``RapportError``."""
    path = folder / "fuzzed.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    try:
        persona = load_persona(path)
    except RapportError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message, message
        return None
    assert isinstance(persona, Persona) and persona.facts
    return persona


# ---- text: anything at all, TOML-looking text, and mutations of the real files ---------------------
TOML_BITS = st.sampled_from([
    "name = ", "id = ", "facts", "[[facts]]", "[voice]", "[lines]", "[[concerns]]", "\n", " = ", '"', "'", "'''",
    '"""', "[", "]", "{", "}", ",", "=", "#", "\\u001b", "\\", "1e400", "-0", "nan", "inf", "true", "1979-05-27",
    "trust_needed = 200", 'kind = "cost"', "says = []", 'leads_to = ["nope"]', "9" * 5000, "[" * 200, "\x00",
    "\x1b[2J", "\ufeff", "é", "\r\n",
])  # fmt: skip


@FUZZ
@given(text=st.one_of(st.text(), st.binary(), st.lists(TOML_BITS | st.text(max_size=8)).map("".join)))
def test_any_text_is_a_persona_or_a_clean_error(tmp_path, text):
    load_text(tmp_path, text)


@st.composite
def mutated_real_file(draw) -> str:
    """A real persona file with a few random edits: cut, insert, duplicate or swap lines, overwrite a span."""
    text = draw(st.sampled_from(REAL_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True)
        op = draw(st.sampled_from(["cut", "insert", "duplicate", "swap", "overwrite", "truncate"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "cut":
            del lines[min(i, j):max(i, j) + 1]
        elif op == "insert":
            lines.insert(i, draw(TOML_BITS | st.text(max_size=30)) + draw(st.sampled_from(["", "\n"])))
        elif op == "duplicate":
            lines[i:i] = lines[min(i, j):max(i, j) + 1]
        elif op == "swap" and lines:
            lines[i], lines[j] = lines[j], lines[i]
        text = "".join(lines)
        if op == "overwrite" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + draw(TOML_BITS | st.text(max_size=10)) + text[start + draw(st.integers(0, 20)):]
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
    return text


@FUZZ
@given(text=mutated_real_file())
def test_a_mutated_real_persona_file_is_a_persona_or_a_clean_error(tmp_path, text):
    load_text(tmp_path, text)


# ---- data: valid TOML whose values are of the wrong kind, missing, or extra -------------------------
TOML_VALUES = st.recursive(
    st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.datetimes(), st.dates(), st.times()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_data(draw) -> dict:
    """A real persona's parsed data with values replaced, keys deleted or added anywhere in the tree."""
    data = copy.deepcopy(tomllib.loads(draw(st.sampled_from(REAL_TEXTS))))
    for _ in range(draw(st.integers(1, 4))):
        node = data
        while True:  # walk down a random path
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                node = child
                continue
            op = draw(st.sampled_from(["replace", "delete", "add"]))
            if op == "replace":
                node[key] = draw(TOML_VALUES)
            elif op == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.text(max_size=12))] = draw(TOML_VALUES)
            else:
                node.append(draw(TOML_VALUES))
            break
    return data


@FUZZ
@given(data=mutated_data())
def test_valid_toml_with_wrong_values_is_a_persona_or_a_clean_error(data):
    try:
        persona = parse_persona(data, "fuzzed.toml", "fuzzed")
    except RapportError as exc:
        assert str(exc).startswith("fuzzed.toml: ") and "\n" not in str(exc), str(exc)
        assert all(p.startswith("fuzzed.toml: ") and "\n" not in p for p in exc.problems)
        return
    assert isinstance(persona, Persona) and persona.facts


# ---- the real command ------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(text=mutated_real_file())
def test_rapport_personas_check_on_a_mutated_file_is_ok_or_one_line_per_problem(tmp_path, text):
    path = tmp_path / "fuzzed.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    script = Path(sys.executable).with_name("rapport")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "simulator"]
    proc = subprocess.run([*command, "personas", "check", str(path)], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert proc.stdout.startswith(f"{path}: ok (") and not proc.stderr
    else:
        assert proc.returncode == 1 and proc.stderr
        assert all(line.startswith(f"rapport: error: {path}: ") for line in proc.stderr.splitlines()), proc.stderr
