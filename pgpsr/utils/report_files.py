"""Where the analysis tools leave their results: ``OUT/NAME.json`` (everything measured)
beside ``OUT/NAME.md`` (the table a README quotes), written the same way by every tool."""
import json
import os
import os.path as osp
from typing import Optional


def write_json(path: Optional[str], report) -> None:
    """``report`` as indented JSON at ``path`` (a tool's ``--json``; None: nothing)."""
    if path:
        with open(path, 'w') as f:
            json.dump(report, f, indent=1)


def write_report(out_dir: str, name: str, report, markdown: Optional[str] = None) -> str:
    """Write ``report`` as JSON (and ``markdown`` when given); returns the JSON's path."""
    os.makedirs(out_dir, exist_ok=True)
    path = osp.join(out_dir, f'{name}.json')
    write_json(path, report)
    if markdown is not None:
        with open(osp.join(out_dir, f'{name}.md'), 'w') as f:
            f.write(markdown + '\n')
    return path
