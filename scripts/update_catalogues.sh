#!/usr/bin/env bash
# Re-extract the English message ids from governance/ (code and templates) and merge them into the
# four catalogues, governance/locales/<lang>/LC_MESSAGES/messages.po. See docs/translations.md.
set -euo pipefail

cd "$(dirname "$0")/.."

languages=(fr en nl ar)
# The template is rebuilt on every run, so it is not committed: the .po files are the source
# of truth and the unit test re-extracts from the code anyway.
pot="$(mktemp --suffix=.pot)"
trap 'rm -f "$pot"' EXIT

# Keywords (`N_` besides the defaults) are in babel.cfg; `--keyword N_` repeats it for older Babel.
# --no-location and --sort-output keep diffs small and stable: no line numbers that move when
# someone edits a file, and a fixed order. --no-wrap keeps one message on one line.
.venv/bin/pybabel --quiet extract \
    --mapping-file babel.cfg \
    --keyword N_ \
    --output-file "$pot" \
    --no-location \
    --sort-output \
    --no-wrap \
    --project governance \
    --copyright-holder "the governance contributors" \
    --msgid-bugs-address "" \
    .

for lang in "${languages[@]}"; do
    po="governance/locales/$lang/LC_MESSAGES/messages.po"
    if [[ -f "$po" ]]; then
        # No fuzzy matching: a guessed translation would be shown as if someone had checked it.
        # Obsolete messages are dropped; git keeps them if we ever need them back.
        .venv/bin/pybabel --quiet update \
            --input-file "$pot" \
            --output-file "$po" \
            --locale "$lang" \
            --no-fuzzy-matching \
            --ignore-obsolete \
            --ignore-pot-creation-date \
            --no-wrap
    else
        .venv/bin/pybabel --quiet init \
            --input-file "$pot" \
            --output-file "$po" \
            --locale "$lang" \
            --no-wrap
    fi
done

# Count what is left to translate, so the person running this knows what to do next.
.venv/bin/python - <<'PY'
from pathlib import Path

from babel.messages.pofile import read_po

for po in sorted(Path("governance/locales").glob("*/LC_MESSAGES/messages.po")):
    with po.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    missing = [m for m in messages if not all(m.string if m.pluralizable else [m.string])]
    print(f"{po}: {len(messages)} messages, {len(missing)} untranslated")
PY
