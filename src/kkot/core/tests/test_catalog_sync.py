"""Every literal UI string in the source has an English translation in the compiled catalog.

``storefront/tests/test_i18n.py`` checks that the catalog itself is complete; this test checks that the catalog
keeps up with the code: a ``_("...")`` or ``{% translate "..." %}`` added without running ``makemessages`` and
translating it fails here, with the list of missing strings."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2]  # src/kkot
MO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"
SKIP_DIRS = {"locale", "ml", "__pycache__"}

# gettext function -> (index of the context argument or None, index of the msgid, index of the plural or None)
CALLS: dict[str, tuple[int | None, int, int | None]] = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
TEMPLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<q2>["'])(?P<ctx>.*?)(?P=q2))?[^%]*%\}"""
)

Key = tuple[str | None, str, str | None]  # (context, msgid, plural)


class _Missing(gettext.NullTranslations):
    MARK = "\x00missing\x00"

    def gettext(self, message: str) -> str:
        return self.MARK

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.MARK

    def pgettext(self, context: str, message: str) -> str:
        return self.MARK

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.MARK


def _files(suffix: str) -> Iterator[Path]:
    for path in SRC.rglob(f"*{suffix}"):
        if not SKIP_DIRS.intersection(path.relative_to(SRC).parts):
            yield path


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> gettext function, from ``from django.utils.translation import gettext_lazy as _l`` and
    the like anywhere in the module (``translation.gettext(...)`` is matched by its attribute name)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names.update({a.asname or a.name: a.name for a in node.names if a.name in CALLS})
    return names


def _python_keys(path: Path, root: Path = SRC) -> Iterator[tuple[Key, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            name = aliases.get(node.func.id)
        else:
            name = getattr(node.func, "attr", None)
        if name not in CALLS:
            continue
        ctx_i, msg_i, plural_i = CALLS[name]
        if len(node.args) <= max(i for i in (ctx_i, msg_i, plural_i) if i is not None):
            continue
        msgid = _literal(node.args[msg_i])
        ctx = _literal(node.args[ctx_i]) if ctx_i is not None else None
        plural = _literal(node.args[plural_i]) if plural_i is not None else None
        if msgid and (ctx_i is None or ctx) and (plural_i is None or plural):
            yield (ctx, msgid, plural), f"{path.relative_to(root)}:{node.lineno}"


def _template_keys(path: Path, root: Path = SRC) -> Iterator[tuple[Key, str]]:
    text = path.read_text(encoding="utf-8")
    for m in TEMPLATE_TAG.finditer(text):
        # The template engine looks a literal up with its percent signs doubled (as makemessages extracts it).
        msgid = m["msgid"].replace("%", "%%")
        if msgid:
            line = text.count("\n", 0, m.start()) + 1
            yield (m["ctx"], msgid, None), f"{path.relative_to(root)}:{line}"


def _translated(mo: gettext.GNUTranslations, key: Key) -> bool:
    ctx, msgid, plural = key
    if plural is not None:
        found = mo.npgettext(ctx, msgid, plural, 2) if ctx else mo.ngettext(msgid, plural, 2)
    else:
        found = mo.pgettext(ctx, msgid) if ctx else mo.gettext(msgid)
    return bool(found) and found != _Missing.MARK


def test_source_strings_are_all_in_the_english_catalog():
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    mo.add_fallback(_Missing())
    found: dict[Key, str] = {}
    for path in _files(".py"):
        for key, where in _python_keys(path):
            found.setdefault(key, where)
    for path in _files(".html"):
        for key, where in _template_keys(path):
            found.setdefault(key, where)
    assert len(found) > 1000  # the scan itself works
    missing = sorted(f"{where}: {key[1]!r}" for key, where in found.items() if not _translated(mo, key))
    assert not missing, (
        "Not in the English catalog; run `django-admin makemessages -l en`, translate and compile:\n"
        + "\n".join(missing)
    )


def test_scanner_finds_literals_and_contexts(tmp_path):
    py = tmp_path / "m.py"
    py.write_text(
        "from django.utils.translation import gettext as _, gettext_lazy as _l, pgettext_lazy, ngettext\n"
        'x = _("가")\ny = pgettext_lazy("btn", "나")\nz = ngettext("%(n)d개", "%(n)d개", 2)\nw = _(v)\n'
        'u = _l("라")\nv = other("마")\n'
    )
    keys = [k for k, _where in _python_keys(py, tmp_path)]
    assert keys == [(None, "가", None), ("btn", "나", None), (None, "%(n)d개", "%(n)d개"), (None, "라", None)]
    html = tmp_path / "t.html"
    html.write_text("""{% translate "목표(%)" %} {% translate '다' context "button" %} {% translate x %}""")
    assert [k for k, _where in _template_keys(html, tmp_path)] == [
        (None, "목표(%%)", None),
        ("button", "다", None),
    ]
