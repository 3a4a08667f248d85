"""HTML building blocks of a report: one self-contained page (inline CSS, images as data URIs).

Every text that comes from data is escaped here; callers pass plain strings and get markup back.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any, Sequence

from algoconf.extras import require

if TYPE_CHECKING:
    from matplotlib.figure import Figure
else:  # the plots extra: a missing matplotlib stops here with the pip command that installs it
    Figure = require("matplotlib.figure", "plotting").Figure

__all__ = ["png_bytes", "figure_html", "table_html", "page_html", "esc", "fmt"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222;
       background: #fff; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; border-bottom: 2px solid #2c5f8a; padding-bottom: 4px; margin-top: 34px; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 10px 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
th { background: #eef3f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.changed td { background: #fff3cd; font-weight: 600; }
tr.best td { background: #e3f4e1; }
figure { margin: 14px 0; display: inline-block; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 13px; color: #444; max-width: 680px; }
.note { background: #f6f6f6; border-left: 4px solid #999; padding: 6px 12px; font-size: 14px; }
.warning { background: #c0262d; color: #fff; padding: 12px 18px; margin: 16px 0; font-size: 16px;
           font-weight: 600; border-radius: 4px; }
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any, digits: int = 4) -> str:
    """A float with ``digits`` significant digits (whole numbers from 1000 on); other values as text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float):
        if 1e3 <= abs(value) < 1e12:
            return f"{value:.0f}"  # 15330, not 1.533e+04
        return f"{value:.{digits}g}"
    return str(value)


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_html(png: bytes, caption: str, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def table_html(headers: Sequence[str] | None, rows: Sequence[Sequence[Any]], *, row_classes: Sequence[str] = (),
               numeric: Sequence[int] = (), table_id: str | None = None) -> str:
    """A table (no header row when ``headers`` is None); ``numeric`` column indices are
    right-aligned; ``row_classes[i]`` styles row i."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers or ())
    body = []
    for i, row in enumerate(rows):
        cls = row_classes[i] if i < len(row_classes) and row_classes[i] else ""
        cells = "".join(f'<td class="num">{esc(v)}</td>' if j in numeric else f"<td>{esc(v)}</td>"
                        for j, v in enumerate(row))
        body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    thead = f"<thead><tr>{head}</tr></thead>" if headers else ""
    return f"<table{ident}>{thead}<tbody>{''.join(body)}</tbody></table>"


def page_html(title: str, subtitle: str, sections: Sequence[tuple[str, str]],
              warnings: Sequence[str] = ()) -> str:
    """The whole page: ``sections`` are (heading, inner HTML) pairs; each of ``warnings`` (plain
    text) is a red banner under the title."""
    parts = [f"<h2>{esc(h)}</h2>\n{body}" for h, body in sections]
    banners = "".join(f'<div class="warning" role="alert">{esc(w)}</div>\n' for w in warnings)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{_CSS}</style></head>\n<body><main>"
            f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)}</p>\n{banners}" + "\n".join(parts)
            + "\n</main></body></html>\n")
