"""The scorecard's figures table and its costly moments as Rich renderables (for ``screens.scorecard``).

The figures table is laid out for the width it is drawn at: every column wraps at word boundaries and is at
least as wide as its longest word (up to ``LONGEST_WHOLE_WORD``), so "transactional moves" never reads
"transactio" / "nal moves" at 80 columns; on a terminal too narrow for whole words they are folded rather
than the verdict squeezed.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from simulator.session import wording
from simulator.tui.plain import clean

VERDICT_STYLE = {"good": "green", "ok": "yellow", "poor": "red", "n/a": "dim"}


def format_value(figure: dict) -> str:
    """A figure's value as a coach reads it (the same words as the exports)."""
    return wording.figure_value(figure)


#: A column is never narrower than its longest word up to this, so words wrap whole ("transactional" stays
#: one word at 80 columns); only a longer token (a URL) is folded.
LONGEST_WHOLE_WORD = 14
#: The figures table's wrapping columns: header and share of the free width (the verdict is fixed).
_COLUMNS = (("figure", 2), ("you", 2), ("this call", 4), ("reference", 4))
_VERDICT_WIDTH = 7


def _longest_word(cells: list[str]) -> int:
    return min(LONGEST_WHOLE_WORD, max((len(w) for cell in cells for w in cell.split()), default=1))


def share_out(total: int, ratios: list[int], minimums: list[int]) -> list[int]:
    """``total`` columns shared by ``ratios``, no share below its minimum (those get their minimum and the
    rest is shared again); the shares add up to ``total`` unless the minimums alone exceed it."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(ratios)) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum(ratios[i] for i in free)
        low = [i for i in free if weight and room * ratios[i] / weight < minimums[i]]
        if not free or not low:
            break
        fixed.update({i: minimums[i] for i in low})
    widths = [fixed.get(i, int(room * ratios[i] / weight) if weight else 0) for i in range(len(ratios))]
    for i in sorted(free, key=lambda i: -ratios[i])[: max(0, total - sum(widths))]:
        widths[i] += 1
    return widths


class FiguresTable:
    """The figures as a Rich table laid out for the width it is drawn at (see :func:`figures_table`)."""

    def __init__(self, card: dict) -> None:
        self.rows = [(clean(f.get("name", "")), clean(format_value(f)), clean(f.get("verdict", "")),
                      clean(f.get("detail") or ""), clean(f.get("reference", ""))) for f in card.get("figures", [])]

    def table(self, width: int) -> Table:
        cells = [[row[k] for row in self.rows] for k in (0, 1, 3, 4)]
        # the box's edges and four dividers (spaces in SIMPLE_HEAD), and one column of padding on each side of
        # a cell but not at the table's edges (pad_edge=False)
        free = width - _VERDICT_WIDTH - (2 + 4) - (2 * 5 - 2)
        minimums = [_longest_word(c) for c in cells]
        if sum(minimums) > free:  # too narrow for whole words: fold them rather than squeeze the verdict
            minimums = [1] * len(minimums)
        widths = share_out(max(free, len(minimums)), [ratio for _, ratio in _COLUMNS], minimums)
        table = Table(expand=True, show_lines=False, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
        for (header, _), w in zip(_COLUMNS[:2], widths[:2], strict=True):
            table.add_column(header, width=w, overflow="fold")
        table.add_column("verdict", width=_VERDICT_WIDTH, no_wrap=True)
        table.add_column("this call", width=widths[2], overflow="fold")
        table.add_column("reference", width=widths[3], overflow="fold", style="dim")
        for name, value, verdict, detail, reference in self.rows:
            table.add_row(name, value, Text(verdict, style=VERDICT_STYLE.get(verdict, "")), detail, reference)
        return table

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 (Rich's protocol)
        yield self.table(options.max_width)


def figures_table(card: dict) -> FiguresTable:
    """The figures with what this call measured (its own target included) and the published reference;
    every column wraps at word boundaries, each at least as wide as its longest word (up to
    ``LONGEST_WHOLE_WORD``), so nothing is cut off and no word is split at any width."""
    return FiguresTable(card)


def moment_grid(rank: int, moment: dict) -> Table:
    """One costly moment: the labels in one column, the words wrapped in the next (continuation lines
    stay under the words, not at column 0)."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(justify="right", no_wrap=True, style="bold")
    grid.add_column(ratio=1, overflow="fold")
    turn = moment.get("turn_index")
    where = f" ({wording.turn_no(turn)})" if isinstance(turn, int) else ""
    grid.add_row(f"{rank}. You said", Text(f"“{clean(moment.get('text') or moment.get('rep_text', ''))}”{where}"))
    if moment.get("why"):
        grid.add_row("Why it cost", Text(clean(moment["why"]), style="italic"))
    if moment.get("alternative"):
        grid.add_row(Text("Try instead", style="bold green"), Text(f"“{clean(moment['alternative'])}”", style="green"))
    return grid
