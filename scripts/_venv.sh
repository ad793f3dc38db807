# Sourced by the scripts: make .venv with the project and its dev tools, once.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
PY=.venv/bin/python
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  "$PY" -m pip install --quiet --upgrade pip
  "$PY" -m pip install --quiet -e '.[dev]'
  touch .venv/.installed
fi
