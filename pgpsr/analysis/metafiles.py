"""Write the results of one ``results_table.py`` run into the OpenMMLab metafiles, so the
README table and the metafiles always carry the same, freshly measured numbers."""
import os.path as osp
from typing import Dict, List

import yaml


def result_entries(report: Dict, row: str) -> List[Dict]:
    """One metafile ``Results`` entry per LR kind for the table row ``row``."""
    out = []
    for kind, quality in report['quality'].items():
        m = quality['mean'][row]
        out.append({'Task': 'Image Super-Resolution',
                    'Dataset': f"{quality['photo_set']} held-out photos "
                               f"({len(quality['images'])}), {kind} LR x4",
                    'Metrics': {'PSNR-Y': round(m['psnr_y'], 2), 'SSIM-Y': round(m['ssim_y'], 4),
                                'NIQE': round(m['niqe'], 2)},
                    'Command': 'make results'})
    return out


def efficiency_metadata(report: Dict, row: str) -> Dict:
    b = report['benchmark']
    r = next(x for x in b['models'] if x['model'] == row)
    lat = r.get('latency', {}).get('median_s')
    size = 'x'.join(map(str, b['lr_size']))
    meta = {'Parameters': f"{r['params'] / 1e6:.2f}M",
            f'MACs (full SR, {size} LR)': f"{r['macs'] / 1e9:.2f}G"}
    if lat is not None:
        meta[f"Efficiency ({size} LR, {b['device']} {b['torch_threads']} threads, "
             f"{b['precision']}, make results)"] = (
            f"{lat:.3f} s, peak {r.get('peak_mem_mib') or 0:.0f} MiB")
    return meta


def update_metafiles(report: Dict, metafiles: List[str]) -> List[str]:
    """Replace the ``Results`` and measured ``Metadata`` of every metafile model whose name
    is a row's config stem; returns the names updated."""
    stems = {}  # config stem -> its first row (later rows vary test-time options)
    for m in report['models']:
        stems.setdefault(osp.splitext(osp.basename(m['config']))[0], m['name'])
    updated = []
    for path in metafiles:
        with open(path) as f:
            data = yaml.safe_load(f)
        for model in data['Models']:
            row = stems.get(model['Name'])
            if row is None:
                continue
            model['Results'] = result_entries(report, row)
            meta = {k: v for k, v in (model.get('Metadata') or {}).items()
                    if not k.startswith(('Parameters', 'MACs', 'Efficiency'))}
            model['Metadata'] = {**efficiency_metadata(report, row), **meta}
            updated.append(model['Name'])
        with open(path, 'w') as f:
            yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True, width=100)
    return updated
