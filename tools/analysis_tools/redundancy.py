"""Per-block redundancy of a trained model: table (CSV/JSON) and heatmap (PNG).

    python tools/analysis_tools/redundancy.py CONFIG CHECKPOINT --out DIR \
        [--batches 4] [--steps 20] [--cfg-options ...]

Runs the model's sampler on the first validation batches while recording every block,
and writes DIR/redundancy.{csv,json,png}. Lower = more redundant: PGP-DiffSR removes
encoder/bottleneck blocks whose features barely change between sampling steps and
decoder blocks whose output barely differs from their input.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from pgpsr.analysis import model_and_batches
from pgpsr.pruning import analyse_redundancy, block_redundancy
from pgpsr.pruning.report import plot_heatmap, save_table


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?', help='omit to analyse the freshly built model')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--batches', type=int, default=2, help='calibration batches')
    p.add_argument('--steps', type=int, default=None, help='sampling steps (test_cfg)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    _, model, batches = model_and_batches(args.config, args.checkpoint, args.batches,
                                          args.cfg_options, device=args.device)
    table = analyse_redundancy(model, batches, num_steps=args.steps)
    os.makedirs(args.out, exist_ok=True)
    files = save_table(table, args.out)
    files['png'] = plot_heatmap(table, osp.join(args.out, 'redundancy.png'),
                                title=osp.basename(args.config))
    scores = block_redundancy(table, 'cosine')
    print('block            part        cosine score (lower = more redundant)')
    for name in sorted(scores, key=scores.get):
        print(f'{name:16s} {table[name]["part"]:11s} {scores[name]:.4g}')
    print('wrote', ', '.join(files.values()))
    return files


if __name__ == '__main__':
    main()
