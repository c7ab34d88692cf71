# Sourced by scripts/demo and scripts/test: a virtual environment in .venv with exactly the
# locked packages (requirements.lock, hash-checked) and this project installed editable.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v uv >/dev/null || python3 -m pip install --quiet uv
[ -x .venv/bin/python ] || uv venv --quiet --python python3 .venv
uv pip sync --quiet --python .venv/bin/python --require-hashes requirements.lock
uv pip install --quiet --python .venv/bin/python --no-deps --editable .
