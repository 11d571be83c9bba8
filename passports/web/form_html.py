"""HTML of the generated passport form.

A battery passport form has several hundred fields; drawn with nested template includes it took half a
second of template engine time per page, so the tree from ``schema_forms`` is written out here instead, in
one pass, with every value escaped (``html.escape``, quotes included). The words on the page are looked up once
per page through gettext, so the form follows the user's language like every other page.

Accessibility: every input has a ``<label>``; groups are ``<fieldset>``s with a ``<legend>``; an error is
written between the label and the input, linked with ``aria-describedby`` and flagged ``aria-invalid``, as
is the help text; row buttons name the row they act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from passports.web.schema_forms import EMPTY_LIST_INPUT, FormNode


def escape(text: str) -> str:
    """HTML-escape text, quotes included (the standard library's ``html.escape``: Django's ``escape`` does the
    same through a lazy-string wrapper that cost a third of this page's time)."""
    return _escape(text, quote=True)


@dataclass(frozen=True)
class _Words:
    required: str
    error: str
    not_given: str
    inherited: str
    locked: str
    remove: str
    add: str
    none: str
    json: str
    raw_help: str
    no_errors: str
    tiers: dict[str, str]

    @classmethod
    def current(cls) -> _Words:
        return cls(
            required=_("Required"),
            error=_("Error:"),
            not_given=_("— not given —"),
            inherited=_("Inherited from the model passport"),
            locked=_("Computed by the platform: the passport's Digital Link. It cannot be edited."),
            remove=_("Remove"),
            add=_("Add to “%(title)s”"),
            none=_("None to declare (empty list)"),
            json=_("JSON"),
            raw_help=_("This value does not fit the schema's form. Correct it as JSON, or empty the box to remove it."),
            no_errors=_("No errors"),
            tiers={
                "public": _("Public"),
                "legitimate_interest": _("Legitimate interest"),
                "authority": _("Authorities"),
            },
        )


def render_section(section: FormNode) -> SafeString:
    """One top-level section of the form as a card, with its error badge and access tier."""
    words = _Words.current()
    out: list[str] = []
    dom_id = escape(section.dom_id)
    errors = section.error_total
    out.append(
        f'<section class="card sf-section{" has-errors" if errors else ""}" id="{dom_id}" '
        f'aria-labelledby="{dom_id}-title"><header class="sf-section-head">'
        f'<h2 id="{dom_id}-title">{escape(section.title)}{_required_mark(section, words)}</h2>'
        '<div class="sf-section-meta">'
    )
    if errors:
        count = ngettext("%(count)d error", "%(count)d errors", errors) % {"count": errors}
        out.append(f'<span class="badge badge-bad">{escape(count)}</span>')
    else:
        out.append(f'<span class="badge badge-ok">{escape(words.no_errors)}</span>')
    if section.path:
        out.append(_tier(section, words))
    out.append("</div></header>")
    if section.help or section.legal:
        out.append(f'<p class="help">{escape(section.help)}{_legal(section)}</p>')
    if section.kind == "object":
        out.extend(_errors(section, words))
        out.append('<div class="sf-grid">')
        for child in section.children:
            _node(child, words, out)
        out.append("</div>")
    else:
        _node(section, words, out)
    out.append("</section>")
    return mark_safe("".join(out))  # noqa: S308  # every value above went through escape()


def _required_mark(node: FormNode, words: _Words) -> str:
    if not node.required:
        return ""
    return f'<span class="req" title="{escape(words.required)}">*</span>'


def _tier(node: FormNode, words: _Words) -> str:
    label = words.tiers.get(node.tier, node.tier)
    return f'<span class="tier tier-{escape(node.tier)}">{escape(label)}</span>'


def _legal(node: FormNode) -> str:
    return f' <span class="legal">{escape(node.legal)}</span>' if node.legal else ""


def _errors(node: FormNode, words: _Words, *, with_id: bool = False) -> list[str]:
    ident = f' id="{escape(node.dom_id)}-error"' if with_id else ""
    return [
        f'<p class="error-text"{ident}><span class="visually-hidden">{escape(words.error)} </span>{escape(message)}</p>'
        for message in node.errors
    ]


def _node(node: FormNode, words: _Words, out: list[str]) -> None:
    if node.kind == "field":
        _field(node, words, out)
    elif node.kind == "raw":
        _raw(node, words, out)
    elif node.kind == "object":
        _group(node, words, out)
    elif node.kind in {"rows", "list"}:
        _rows(node, words, out)


def _group(node: FormNode, words: _Words, out: list[str]) -> None:
    out.append(
        f'<fieldset class="sf-group{" has-error" if node.errors else ""}" id="{escape(node.dom_id)}">'
        f"<legend>{escape(node.title)}{_required_mark(node, words)}</legend>"
    )
    out.extend(_errors(node, words))
    if node.help:
        out.append(f'<p class="help sf-group-help">{escape(node.help)}</p>')
    out.append('<div class="sf-grid">')
    for child in node.children:
        _node(child, words, out)
    out.append("</div></fieldset>")


def _rows(node: FormNode, words: _Words, out: list[str]) -> None:
    unit = f' <span class="unit-inline">({escape(node.unit)})</span>' if node.unit else ""
    out.append(
        f'<fieldset class="sf-rows sf-wide{" has-error" if node.errors else ""}" id="{escape(node.dom_id)}" '
        f'data-rows data-next-index="{node.next_index}" data-placeholder="__i{node.depth}__">'
        f"<legend>{escape(node.title)}{_required_mark(node, words)}{unit}</legend>"
    )
    out.extend(_errors(node, words))
    if node.help:
        out.append(f'<p class="help sf-group-help">{escape(node.help)}</p>')
    out.append(f'<ol class="sf-row-list sf-{node.kind}">')
    for row in node.children:
        _row(row, node, words, out)
    out.append("</ol><template>")
    if node.blank is not None:
        _row(node.blank, node, words, out)
    checked = " checked" if node.declared_empty else ""
    out.append(
        '</template><div class="sf-rows-actions">'
        f'<button type="button" class="btn btn-small" data-add-row>+ {escape(words.add % {"title": node.title})}'
        "</button>"
        f'<label class="sf-none"><input type="checkbox" name="{EMPTY_LIST_INPUT}" value="{escape(node.pointer)}"'
        f"{checked}> {escape(words.none)}</label></div></fieldset>"
    )


def _row(row: FormNode, array: FormNode, words: _Words, out: list[str]) -> None:
    number = str(row.index + 1) if row.index >= 0 else ""
    remove_label = escape(f"{words.remove}: {row.title} {number}".strip())
    remove = (
        f'<button type="button" class="btn-link btn-remove" data-remove-row aria-label="{remove_label}">'
        f"{escape(words.remove)}</button>"
    )
    out.append(f'<li class="sf-row" id="{escape(row.dom_id)}">')
    if array.kind == "rows":
        out.append(
            f'<div class="sf-row-head"><span class="sf-row-title">{escape(row.title)} '
            f'<span class="sf-row-number">{number}</span></span>{remove}</div>'
        )
        out.extend(_errors(row, words))
        out.append('<div class="sf-grid">')
        for child in row.children:
            _node(child, words, out)
        out.append("</div>")
    else:
        out.append('<div class="sf-list-item">')
        for child in row.children:
            _node(child, words, out)
        out.append(f"{remove}</div>")
        out.extend(_errors(row, words))
    out.append("</li>")


def _described_by(node: FormNode) -> str:
    ids = []
    if node.errors:
        ids.append(f"{node.dom_id}-error")
    if (node.help or node.legal) and not node.compact:
        ids.append(f"{node.dom_id}-help")
    if node.locked:
        ids.append(f"{node.dom_id}-locked")
    attributes = f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""
    if node.errors:
        attributes += ' aria-invalid="true"'
    if node.required:
        attributes += ' aria-required="true"'
    return attributes


def _field_classes(node: FormNode) -> str:
    flags = (
        (node.widget == "textarea", "sf-wide"),
        (bool(node.errors), "has-error"),
        (node.inherited, "is-inherited"),
        (node.locked, "is-locked"),
    )
    return " ".join(["sf-field", *(name for on, name in flags if on)])


def _field(node: FormNode, words: _Words, out: list[str]) -> None:
    classes = _field_classes(node)
    dom_id = escape(node.dom_id)
    name = escape(node.pointer)
    label_class = ' class="visually-hidden"' if node.compact else ""
    out.append(
        f'<div class="{classes}"><label for="{dom_id}"{label_class}>{escape(node.title)}'
        f"{_required_mark(node, words)}</label>"
    )
    if not node.compact:
        inherited = f' <span class="badge badge-inherited">{escape(words.inherited)}</span>' if node.inherited else ""
        out.append(f'<div class="sf-meta">{_tier(node, words)}{inherited}</div>')
    out.extend(_errors(node, words, with_id=True))
    out.append('<div class="sf-control">')
    aria = _described_by(node)
    if node.widget in {"select", "boolean"}:
        options = [f'<option value="">{escape(words.not_given)}</option>']
        options.extend(
            f'<option value="{escape(choice.value)}"{" selected" if choice.selected else ""}>'
            f"{escape(choice.label)}</option>"
            for choice in node.choices
        )
        out.append(f'<select id="{dom_id}" name="{name}"{aria}>{"".join(options)}</select>')
    elif node.widget == "textarea":
        out.append(f'<textarea id="{dom_id}" name="{name}" rows="3"{aria}>\n{escape(node.value)}</textarea>')
    else:
        if node.widget == "number":
            kind = 'type="text" inputmode="decimal"'
        elif node.widget == "integer":
            kind = 'type="text" inputmode="numeric"'
        else:
            kind = f'type="{escape(node.widget)}"'
        placeholder = f' placeholder="{escape(node.placeholder)}"' if node.placeholder else ""
        readonly = " readonly" if node.locked else ""
        out.append(
            f'<input {kind} id="{dom_id}" name="{name}" value="{escape(node.value)}"{placeholder}{aria}{readonly}>'
        )
    if node.unit:
        out.append(f'<span class="unit">{escape(node.unit)}</span>')
    out.append("</div>")
    if node.locked:
        out.append(f'<p class="help" id="{dom_id}-locked">{escape(words.locked)}</p>')
    if (node.help or node.legal) and not node.compact:
        out.append(f'<p class="help" id="{dom_id}-help">{escape(node.help)}{_legal(node)}</p>')
    out.append("</div>")


def _raw(node: FormNode, words: _Words, out: list[str]) -> None:
    dom_id = escape(node.dom_id)
    out.append(
        f'<div class="sf-field sf-wide{" has-error" if node.errors else ""}">'
        f'<label for="{dom_id}">{escape(node.title)} <span class="sf-hint">({escape(words.json)})</span></label>'
    )
    out.extend(_errors(node, words, with_id=True))
    aria = f' aria-invalid="true" aria-describedby="{dom_id}-error"' if node.errors else ""
    out.append(
        f'<textarea class="mono" id="{dom_id}" name="{escape(node.pointer)}" rows="4"{aria}>\n{escape(node.value)}'
        f'</textarea><p class="help">{escape(words.raw_help)}</p></div>'
    )
