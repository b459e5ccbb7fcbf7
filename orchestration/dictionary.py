"""The BI data dictionary: every table and column of the published marts, in French and Arabic, as
one self-contained HTML file (no script, no link outside it: it opens offline).

Everything comes from the dbt manifest, so the dictionary cannot drift from the marts: the tables
and columns are the marts models' (models/marts/), the types and keys their contracts', and the
texts the docs blocks of models/marts/dictionary/dictionary_<language>.md: per table `<lang>__<table>`,
`<lang>__<table>__grain` and `<lang>__<table>__question`; per column `<lang>__<table>__<column>` or,
for a column meaning the same in every table, `<lang>__col__<column>`. A table or column without its
text in a language is an error naming what to write."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestration.warehouse.mart_keys import foreign_keys

LANGUAGES = ("fr", "ar")
WORDS = {
    "fr": {
        "title": "Dictionnaire des données — marts publiés",
        "intro": "Les tables du schéma « marts », que les outils BI lisent avec le rôle bi_reader "
        "(les analystes : bi_analyst, qui peut aussi créer des vues dans le schéma « analyst »). "
        "Généré depuis le projet dbt : il décrit exactement ce qui est publié.",
        "meaning": "Sens",
        "grain": "Grain",
        "keys": "Clés",
        "question": "Question type",
        "column": "Colonne",
        "type": "Type",
        "key": "Clé",
        "description": "Signification",
        "primary": "clé primaire",
        "foreign": "clé étrangère vers",
        "tables": "Tables",
        "other": "العربية",
    },
    "ar": {
        "title": "قاموس البيانات — الجداول المنشورة",
        "intro": "جداول المخطط « marts » التي تقرؤها أدوات ذكاء الأعمال بالدور bi_reader "
        "(المحللون: bi_analyst، الذي يمكنه أيضا إنشاء عروض في المخطط « analyst »). "
        "مولَّد من مشروع dbt: يصف بالضبط ما هو منشور.",
        "meaning": "المعنى",
        "grain": "مستوى التفصيل",
        "keys": "المفاتيح",
        "question": "سؤال نموذجي",
        "column": "العمود",
        "type": "النوع",
        "key": "المفتاح",
        "description": "المعنى",
        "primary": "مفتاح أساسي",
        "foreign": "مفتاح خارجي نحو",
        "tables": "الجداول",
        "other": "Français",
    },
}


class DictionaryError(RuntimeError):
    pass


@dataclass
class Column:
    name: str
    data_type: str
    key: tuple[str, str] | None  # ("primary", "") or ("foreign", "dim_x.x_key")
    text: dict[str, str]


@dataclass
class Table:
    name: str
    text: dict[str, str]
    grain: dict[str, str]
    question: dict[str, str]
    columns: list[Column] = field(default_factory=list)


def _mart_nodes(manifest: Mapping[str, Any]) -> list[dict]:
    from orchestration.defs.transform.layers import mart_names

    names = set(mart_names(manifest))
    return sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] in names),
        key=lambda n: n["name"],
    )


def build(manifest: Mapping[str, Any]) -> list[Table]:
    """The dictionary of the marts; DictionaryError lists every text missing."""
    docs = {d["name"]: d["block_contents"].strip() for d in manifest["docs"].values()}
    nodes = _mart_nodes(manifest)
    refs = {
        (k.table, k.columns[0]): f"{k.to_table}.{k.to_columns[0]}"
        for k in foreign_keys(manifest, [n["name"] for n in nodes])
        if len(k.columns) == 1
    }
    missing: list[str] = []

    def text(*names: str) -> dict[str, str]:
        found = {}
        for lang in LANGUAGES:
            value = next((docs[f"{lang}__{n}"] for n in names if docs.get(f"{lang}__{n}")), None)
            if value is None:
                missing.append(f"{lang}__{names[0]}")
            found[lang] = value or ""
        return found

    tables = []
    for node in nodes:
        name = node["name"]
        table = Table(name, text(name), text(f"{name}__grain"), text(f"{name}__question"))
        for column, spec in node["columns"].items():
            types = {c["type"] for c in spec.get("constraints", [])}
            key = (
                ("primary", "")
                if "primary_key" in types
                else (("foreign", refs[(name, column)]) if (name, column) in refs else None)
            )
            table.columns.append(
                Column(column, spec.get("data_type") or "", key, text(f"{name}__{column}", f"col__{column}"))
            )
        tables.append(table)
    if missing:
        raise DictionaryError(
            f"{len(missing)} text(s) of the BI dictionary are missing; write them as docs blocks in "
            f"dbt_project/models/marts/dictionary/dictionary_<language>.md: {', '.join(sorted(missing))}"
        )
    return tables


_STYLE = """
body{font-family:system-ui,"Segoe UI","Noto Sans","Noto Naskh Arabic",sans-serif;
     margin:0;color:#1d2630;background:#fafbfc}
header,section{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
header{border-bottom:3px solid #0b6e4f}
h1{font-size:1.6rem;margin:.2rem 0} h2{font-size:1.25rem;margin:2rem 0 .3rem;color:#0b6e4f}
nav a{margin-inline-end:.8rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.2rem;background:#fff}
th,td{border:1px solid #d8dee4;padding:.3rem .5rem;text-align:start;vertical-align:top}
th{background:#eef3f1} code{font-family:ui-monospace,monospace;direction:ltr;unicode-bidi:embed}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.3rem 0}
dt{font-weight:600} dd{margin:0} .lang{border-top:6px double #0b6e4f;margin-top:2rem}
"""


def _section(tables: list[Table], lang: str) -> str:
    w = WORDS[lang]
    e = html.escape
    other = "ar" if lang == "fr" else "fr"
    out = [
        f'<div class="lang" lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}" id="{lang}">',
        f"<header><h1>{e(w['title'])}</h1><p>{e(w['intro'])}</p>",
        f'<nav><a href="#{other}">{e(w["other"])}</a> {e(w["tables"])} : '
        + " ".join(f'<a href="#{lang}-{t.name}"><code>{e(t.name)}</code></a>' for t in tables)
        + "</nav></header>",
    ]
    for t in tables:
        keys = [f"<code>{e(c.name)}</code> ({e(w['primary'])})" for c in t.columns if c.key and c.key[0] == "primary"]
        keys += [
            f"<code>{e(c.name)}</code> → <code>{e(c.key[1])}</code>"
            for c in t.columns
            if c.key and c.key[0] == "foreign"
        ]
        out.append(
            f'<section id="{lang}-{t.name}"><h2><code>marts.{e(t.name)}</code></h2><dl>'
            f"<dt>{e(w['meaning'])}</dt><dd>{e(t.text[lang])}</dd>"
            f"<dt>{e(w['grain'])}</dt><dd>{e(t.grain[lang])}</dd>"
            f"<dt>{e(w['keys'])}</dt><dd>{'; '.join(keys)}</dd>"
            f"<dt>{e(w['question'])}</dt><dd>{e(t.question[lang])}</dd></dl>"
            f"<table><thead><tr><th>{e(w['column'])}</th><th>{e(w['type'])}</th><th>{e(w['key'])}</th>"
            f"<th>{e(w['description'])}</th></tr></thead><tbody>"
        )
        for c in t.columns:
            key = (
                ""
                if not c.key
                else (e(w["primary"]) if c.key[0] == "primary" else f"{e(w['foreign'])} <code>{e(c.key[1])}</code>")
            )
            out.append(
                f"<tr><td><code>{e(c.name)}</code></td><td><code>{e(c.data_type)}</code></td>"
                f"<td>{key}</td><td>{e(c.text[lang])}</td></tr>"
            )
        out.append("</tbody></table></section>")
    out.append("</div>")
    return "\n".join(out)


def render(tables: list[Table]) -> str:
    body = "\n".join(_section(tables, lang) for lang in LANGUAGES)
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Tadamon — {html.escape(WORDS['fr']['title'])} / {html.escape(WORDS['ar']['title'])}</title>"
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )
