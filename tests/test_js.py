"""The pages' scripts against the words they use: every word a script asks for by name
exists in both languages (a missing one would show its key on the page). The scripts' own
logic is tested by Node's runner (tests/js/, `make test`)."""

from __future__ import annotations

import re
from pathlib import Path

from maps.i18n import STRINGS

SCRIPTS = Path(__file__).resolve().parent.parent / "maps" / "static" / "js"
# t("word") or t("word", {...}); a word built at run time, t("status_" + s), by its prefix.
WORD = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']""")


def _words_asked() -> dict[str, set[str]]:
    asked: dict[str, set[str]] = {}
    for script in sorted(SCRIPTS.rglob("*.js")):
        for word in WORD.findall(script.read_text(encoding="utf-8")):
            asked.setdefault(word, set()).add(str(script.relative_to(SCRIPTS)))
    return asked


def test_the_scripts_ask_for_words_that_exist():
    asked = _words_asked()
    assert len(asked) > 50  # the pattern still finds them
    for language, words in STRINGS.items():
        missing = {
            word: sorted(where)
            for word, where in asked.items()
            if word not in words
            and not (word.endswith("_") and any(key.startswith(word) for key in words))
        }
        assert missing == {}, f"{language} lacks {missing}"
