"""The papers' nine-column table: published rows (cited) beside rows measured here.

    python tools/analysis_tools/paper_table.py [--test-set RealSR] \
        [--measured LABEL RESULTS_JSON ...]

Published rows come from ``published_rows.json`` beside this file, each with its source.
A measured row is the ``paper_row`` (or ``mean``) of a ``tools/test.py --metrics paper``
JSON, marked "measured here". Prints a markdown table.
"""
import argparse
import json
import os.path as osp

from pgpsr.apis.paper_metrics import PAPER_COLUMNS, markdown_row, paper_row

PUBLISHED = osp.join(osp.dirname(osp.abspath(__file__)), 'published_rows.json')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--test-set', help='only the published rows of this set (e.g. RealSR)')
    p.add_argument('--measured', nargs=2, action='append', default=[],
                   metavar=('LABEL', 'RESULTS_JSON'), help='a tools/test.py JSON (repeatable)')
    p.add_argument('--published', default=PUBLISHED, help='the published rows file')
    return p.parse_args(argv)


def table(published, measured, test_set=None) -> str:
    """Markdown: ``| method | set | PSNR ... CLIPIQA | source |``, published rows first."""
    head = '| ' + ' | '.join(['method', 'set', *PAPER_COLUMNS, 'source']) + ' |'
    lines = [head, '|' + '---|' * (len(PAPER_COLUMNS) + 3)]

    def line(label, set_name, row, source):
        cells = markdown_row(label, paper_row(row), header=False)[1:-1].split('|')
        return '|' + '|'.join([cells[0], f' {set_name} ', *cells[1:], f' {source} ']) + '|'
    for rec in published:
        if test_set is None or rec['test_set'].lower() == test_set.lower():
            lines.append(line(rec['method'], rec['test_set'], rec['row'], rec['source']))
    for label, path in measured:
        with open(path) as f:
            result = json.load(f)
        row = result.get('paper_row') or result['mean']
        lines.append(line(label, test_set or '', row, f'measured here ({path})'))
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    with open(args.published) as f:
        published = json.load(f)['rows']
    text = table(published, args.measured, args.test_set)
    print(text)
    return text


if __name__ == '__main__':
    main()
