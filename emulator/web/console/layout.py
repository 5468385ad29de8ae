"""The console's page layout: one header (the console's pages as a navigation list), one
stylesheet, headings and notices in the same place on every page. Plain HTML and CSS, no
script; every value goes through `esc` (only Markup the console built itself goes in as is).
"""
from __future__ import annotations

import json
import time

from starlette.responses import HTMLResponse

from ..templates import Markup, esc

# (path, label) of the pages the header links to.
PAGES = (("/_emulator/", "User pools"), ("/_emulator/outbox", "Outbox"),
         ("/_emulator/triggers", "Trigger log"), ("/_emulator/tokens", "Token inspector"))

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f3f3;
 margin:0;color:#16191f;font-size:14px}
header{background:#232f3e;color:#fff;padding:12px 24px}
header a{color:#fff;text-decoration:none;font-weight:600}
header .crumbs{font-weight:400;color:#d5dbdb}
header .crumbs a{font-weight:400;color:#d5dbdb}
main{padding:16px 24px;max-width:1500px}
h1{font-size:22px;margin:8px 0 4px}
h2{font-size:17px;margin:20px 0 8px}
.panel{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:12px 16px;
 margin-bottom:16px}
table{border-collapse:collapse;width:100%;background:#fff}
.scroll{overflow-x:auto}
td.signals{min-width:320px}
td.time,.badge,form.feedback button{white-space:nowrap}
.explanation{overflow-wrap:anywhere}
th,td{text-align:left;vertical-align:top;padding:8px;border-bottom:1px solid #eaeded}
th{background:#fafafa;font-size:12px;color:#545b64;text-transform:uppercase;letter-spacing:.03em}
a{color:#0073bb}
.muted,.hint{color:#687078;font-size:12px}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
 background:#eaeded;color:#16191f}
.level-High{background:#fde8e8;color:#b0160c}
.level-Medium{background:#fdf1e0;color:#8a4b00}
.level-Low{background:#fffbe0;color:#6b5d00}
.level-None{background:#e9f7ec;color:#1d6f32}
.mode-ENFORCED{background:#e8f4fd;color:#0b4f7c}
.mode-AUDIT{background:#fdf1e0;color:#8a4b00}
.response-Fail{color:#b0160c;font-weight:600}
.response-Pass{color:#1d6f32;font-weight:600}
ul.signals{margin:0;padding-left:16px}
ul.signals li{margin-bottom:3px}
.score{font-size:12px;color:#545b64}
form.feedback{display:inline}
form.feedback button{padding:3px 10px;margin:4px 4px 0 0;font-size:12px;border-radius:4px;
 cursor:pointer;border:1px solid #0073bb;background:#fff;color:#0073bb}
form.feedback button.invalid{border-color:#b0160c;color:#b0160c}
.message{background:#e8f4fd;color:#0b4f7c;padding:8px 12px;border-radius:4px;margin:8px 0}
.error{background:#fde8e8;color:#b0160c;padding:8px 12px;border-radius:4px;margin:8px 0}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}
dl.facts dt{color:#545b64}
dl.facts dd{margin:0}
header nav{display:inline-block;margin-left:24px}
header nav a{color:#d5dbdb;font-weight:400;margin-right:14px}
header nav a[aria-current=page]{color:#fff;text-decoration:underline}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{
 outline:3px solid #ec7211;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
pre.json{background:#f7f7f7;border:1px solid #eaeded;border-radius:4px;padding:8px;
 overflow:auto;max-height:420px;font-size:12px;margin:4px 0 8px;white-space:pre-wrap}
iframe.mail{width:100%;height:320px;border:1px solid #d5dbdb;border-radius:4px;background:#fff}
input.copy{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;
 padding:4px 6px;border:1px solid #aab7b8;border-radius:4px;min-width:16em;max-width:100%}
form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end}
form.filters label,form.inspect label{display:block;font-size:12px;color:#545b64}
textarea{width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
button.primary{padding:6px 14px;border-radius:4px;border:1px solid #0073bb;background:#0073bb;
 color:#fff;cursor:pointer}
.ok{color:#1d6f32;font-weight:600}.bad{color:#b0160c;font-weight:600}
tbody th{background:none;font-size:inherit;color:inherit;text-transform:none;letter-spacing:0}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
 white-space:nowrap}
caption{text-align:left;font-weight:600;padding:6px 0;color:#16191f}
figure.chart{margin:8px 0 20px}figure.chart figcaption{font-weight:600;margin-bottom:4px}
svg.chart-svg{max-width:100%;height:auto;background:#fff}
ul.actions{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px}
a.action{display:inline-block;padding:5px 12px;border:1px solid #0073bb;border-radius:4px;
 text-decoration:none}
a.action[data-action=delete]{border-color:#b0160c;color:#b0160c}
"""


def page(title: str, body: str, *, crumbs=(), status: int = 200, message: str | None = None,
         error: str | None = None, current: str | None = None) -> HTMLResponse:
    """A whole console page. `crumbs`: (href or "", text) after the header's home link;
    `current`: the path of the PAGES entry to mark as the current page."""
    trail = "".join(f' / <a href="{esc(href)}">{esc(text)}</a>' if href else f" / {esc(text)}"
                    for href, text in crumbs)
    mark = ' aria-current="page"'
    nav = "".join(f'<a href="{esc(path)}"{mark if path == current else ""}>{esc(label)}</a>'
                  for path, label in PAGES)
    notice = ""
    if message:
        notice += f'<div class="message" id="message" role="status">{esc(message)}</div>'
    if error:
        notice += f'<div class="error" id="error" role="alert">{esc(error)}</div>'
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title><style>{_CSS}</style></head><body>'
            f'<a class="skip" href="#main">Skip to content</a>'
            f'<header><a href="/_emulator/">Cognito emulator</a>'
            f'<span class="crumbs">{trail}</span>'
            f'<nav aria-label="Console pages">{nav}</nav></header>'
            f'<main id="main"><h1>{esc(title)}</h1>{notice}{body}</main></body></html>')
    return HTMLResponse(html, status)


def section(ident: str, heading: str, content: str) -> str:
    """A panel with an h2 that names it (aria-labelledby)."""
    return (f'<section class="panel" aria-labelledby="{ident}"><h2 id="{ident}">{esc(heading)}'
            f'</h2>{content}</section>')


def when(epoch) -> str:
    if not isinstance(epoch, (int, float)) or isinstance(epoch, bool):
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def relative(seconds: float) -> str:
    """"in 59 min" / "3 h ago" for a time `seconds` from now."""
    span = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if span >= size:
            amount = f"{span / size:.0f} {unit}"
            break
    else:
        amount = f"{span:.0f} s"
    return f"in {amount}" if seconds >= 0 else f"{amount} ago"


def json_block(value, *, label: str, css_class: str = "") -> Markup:
    """Pretty-printed JSON in a <pre>, escaped (a value holding markup shows as text)."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    return Markup(f'<pre class="json {esc(css_class)}" aria-label="{esc(label)}" tabindex="0">'
                  f'{esc(text)}</pre>')


def select(name: str, label: str, options, chosen: str | None, *, any_label="any") -> Markup:
    items = [f'<option value=""{" selected" if not chosen else ""}>{esc(any_label)}</option>']
    items += [f'<option value="{esc(value)}"{" selected" if value == chosen else ""}>'
              f'{esc(text)}</option>' for value, text in options]
    return Markup(f'<div><label for="f-{esc(name)}">{esc(label)}</label>'
                  f'<select id="f-{esc(name)}" name="{esc(name)}">{"".join(items)}</select></div>')


def text_input(name: str, label: str, value: str | None) -> Markup:
    return Markup(f'<div><label for="f-{esc(name)}">{esc(label)}</label>'
                  f'<input id="f-{esc(name)}" name="{esc(name)}" type="text" '
                  f'value="{esc(value or "")}"></div>')
