"""HTML of the hosted pages: plain string.Template text, no template engine.

Every value is HTML-escaped when substituted (render()); only `Markup` values (HTML this
module built itself from escaped parts) go in as they are. Forms post back to the URL they
carry in `action`, which keeps the authorize request's query string across the pages.
"""
from __future__ import annotations

import base64
import html
from string import Template


class Markup(str):
    """HTML that is already safe (built here from escaped parts)."""


def esc(value) -> str:
    if isinstance(value, Markup):
        return value
    return html.escape("" if value is None else str(value), quote=True)


def render(template: Template, **values) -> Markup:
    return Markup(template.substitute({k: esc(v) for k, v in values.items()}))


def join(parts) -> Markup:
    return Markup("".join(esc(p) for p in parts))


_DEFAULT_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f3f3;
 margin:0;color:#16191f}
.modal-content{max-width:380px;margin:48px auto;background:#fff;padding:24px 32px;
 border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
h1{font-size:20px;margin:0 0 16px}
label{display:block;font-size:14px;margin:12px 0 4px}
input[type=text],input[type=password],input[type=email],input[type=tel]{width:100%;
 box-sizing:border-box;padding:8px;font-size:15px;border:1px solid #aab7b8;border-radius:4px}
button{margin-top:16px;width:100%;padding:10px;font-size:15px;border:0;border-radius:4px;
 background:#0073bb;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0073bb;border:1px solid #0073bb}
.error{background:#fde8e8;color:#b0160c;padding:8px 12px;border-radius:4px;margin-bottom:8px}
.message{background:#e8f4fd;color:#0b4f7c;padding:8px 12px;border-radius:4px;margin-bottom:8px}
.links{margin-top:16px;font-size:14px}
.links a{color:#0073bb;display:block;margin-top:6px}
.logo{display:block;max-width:200px;max-height:80px;margin:0 auto 16px}
.hint{font-size:12px;color:#545b64}
"""

_LAYOUT = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$default_css</style>
$custom_css
</head>
<body class="background-customizable">
<div class="modal-content">
<div class="banner-customizable">$logo</div>
<h1>$title</h1>
$notice
$body
</div>
</body>
</html>
""")


def _logo(logo: bytes | None, kind: str | None) -> Markup:
    if not logo:
        return Markup("")
    data = base64.b64encode(logo).decode("ascii")
    return Markup(f'<img class="logo logo-customizable" alt="logo" '
                  f'src="data:{esc(kind or "image/png")};base64,{data}">')


def _css(css: str | None) -> Markup:
    if not css:
        return Markup("")
    # The stored CSS goes inside <style>: it can't be HTML-escaped there, so any "</"
    # (which could close the element) is neutralised instead.
    return Markup("<style>" + css.replace("</", "<\\/") + "</style>")


def notice(error: str | None = None, message: str | None = None) -> Markup:
    out = ""
    if error:
        out += (f'<div class="error errorMessage-customizable" role="alert" id="error">'
                f'{esc(error)}</div>')
    if message:
        out += (f'<div class="message textDescription-customizable" id="message">'
                f'{esc(message)}</div>')
    return Markup(out)


def page(title: str, body: Markup, *, error: str | None = None, message: str | None = None,
         css: str | None = None, logo: bytes | None = None, logo_type: str | None = None) -> str:
    return render(_LAYOUT, title=title, default_css=Markup(_DEFAULT_CSS), custom_css=_css(css),
                  logo=_logo(logo, logo_type), notice=notice(error, message), body=body)


# --- form pieces ----------------------------------------------------------------------------

_FIELD = Template('<label class="label-customizable" for="$name">$label</label>'
                  '<input class="inputField-customizable" id="$name" name="$name" type="$type" '
                  'value="$value" $extra>')
_HIDDEN = Template('<input type="hidden" name="$name" value="$value">')


def field(name: str, label: str, *, type: str = "text", value: str = "",
          autocomplete: str | None = None, required: bool = True) -> Markup:
    extra = []
    if autocomplete:
        extra.append(f'autocomplete="{esc(autocomplete)}"')
    if required:
        extra.append("required")
    return render(_FIELD, name=name, label=label, type=type, value=value,
                  extra=Markup(" ".join(extra)))


def hidden(name: str, value) -> Markup:
    return render(_HIDDEN, name=name, value=value)


def form(action: str, csrf: str, fields: list, button: str, *, name: str = "form",
         extra_buttons: list | None = None) -> Markup:
    parts = [Markup(f'<form method="post" action="{esc(action)}" name="{esc(name)}">'),
             hidden("_csrf", csrf), *fields,
             Markup(f'<button class="submitButton-customizable" type="submit" name="action" '
                    f'value="submit">{esc(button)}</button>')]
    parts += extra_buttons or []
    parts.append(Markup("</form>"))
    return join(parts)


def links(items: list[tuple[str, str]], css_class: str = "redirect-customizable") -> Markup:
    if not items:
        return Markup("")
    inner = "".join(f'<a class="{esc(css_class)}" href="{esc(href)}">{esc(text)}</a>'
                    for href, text in items)
    return Markup(f'<div class="links">{inner}</div>')


def radio_group(name: str, options: list[tuple[str, str]]) -> Markup:
    parts = []
    for i, (value, label) in enumerate(options):
        checked = " checked" if i == 0 else ""
        parts.append(f'<label><input type="radio" name="{esc(name)}" value="{esc(value)}"'
                     f'{checked}> {esc(label)}</label>')
    return Markup("".join(parts))


def error_page(title: str, text: str, *, detail: str | None = None) -> str:
    body = Markup(f'<p class="errorMessage-customizable" id="error-text">{esc(text)}</p>')
    if detail:
        body = Markup(body + f'<p class="hint">{esc(detail)}</p>')
    return page(title, body)
