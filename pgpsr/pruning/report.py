"""The redundancy table as files a person reads: CSV, JSON and a heatmap PNG."""
import csv
import json
import math
import os.path as osp
from typing import Dict

import numpy as np

from .redundancy import block_redundancy

KINDS = ('adj_cosine', 'adj_kl', 'io_cosine', 'io_kl')


def save_table(table: Dict[str, Dict], out_dir: str) -> Dict[str, str]:
    """Write ``redundancy.csv`` (one row per block and step) and ``redundancy.json``."""
    per_block = {m: block_redundancy(table, m) for m in ('cosine', 'kl')}
    csv_path, json_path = osp.join(out_dir, 'redundancy.csv'), osp.join(out_dir,
                                                                        'redundancy.json')
    with open(csv_path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['block', 'part', 'step', *KINDS, 'score_cosine', 'score_kl'])
        for name, row in table.items():
            for s in range(len(row['io_cosine'])):
                w.writerow([name, row['part'], s, *[_fmt(row[k][s]) for k in KINDS],
                            _fmt(per_block['cosine'][name]), _fmt(per_block['kl'][name])])
    with open(json_path, 'w') as f:
        json.dump(dict(blocks=_nan_to_none(table), score=per_block,
                       note='lower score = more redundant; encoder/bottleneck: adjacent-step '
                            'measure, decoder: input-vs-output'), f, indent=1)
    return dict(csv=csv_path, json=json_path)


def plot_heatmap(table: Dict[str, Dict], path: str, title: str = '') -> str:
    """Blocks x sampling steps, one panel per measure; part boundaries drawn.

    Measures with no value (t vs t-1 of a one-step model) are left out; with few steps
    and blocks every cell is labelled with its value. Rows keep a fixed height, so SDXL's
    ~100 blocks stay legible; ``*`` marks blocks whose in-vs-out value is the
    shape-changing substitute (see ``pgpsr.pruning.measures``).
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(table)
    kinds = [k for k in KINDS if not all(math.isnan(v) for n in names for v in table[n][k])]
    steps = len(table[names[0]]['io_cosine'])
    fig, axes = plt.subplots(1, len(kinds), squeeze=False,
                             figsize=(2.2 + (1.2 + 0.35 * steps) * len(kinds),
                                      1.2 + 0.32 * len(names)))
    for ax, kind in zip(axes[0], kinds):
        data = np.array([table[n][kind] for n in names], dtype=float)
        im = ax.imshow(np.ma.masked_invalid(data), aspect='auto', cmap='viridis_r')
        ax.set_title(kind.replace('adj_', 't vs t-1 ').replace('io_', 'in vs out '), fontsize=9)
        ax.set_xlabel('sampling step')
        ax.set_xticks(range(steps))
        ax.set_yticks(range(len(names)))
        labels = [n + (' *' if table[n].get('io_substitute') else '') for n in names]
        ax.set_yticklabels(labels if ax is axes[0][0] else [], fontsize=7)
        if steps <= 8 and len(names) <= 48:
            for i in range(len(names)):
                for j in range(steps):
                    if not math.isnan(data[i, j]):
                        ax.text(j, i, f'{data[i, j]:.3g}', ha='center', va='center',
                                fontsize=7, color='grey')
        for i in range(1, len(names)):
            if table[names[i]]['part'] != table[names[i - 1]]['part']:
                ax.axhline(i - 0.5, color='white', linewidth=1.5)
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(title or 'block redundancy (lighter = lower dissimilarity = more redundant)',
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _fmt(v: float) -> str:
    return '' if v is None or (isinstance(v, float) and math.isnan(v)) else f'{v:.6g}'


def _nan_to_none(obj):
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nan_to_none(v) for v in obj]
    return obj
