"""Host memory of tiled inference per output pixel: streamed, in-memory canvas, full size.

    python tools/analysis_tools/tile_memory.py [--config C --checkpoint P]
        [--lr-sizes 128 512 1024] [--paths stream canvas full] [--color-fix wavelet]
        [--out work_dirs/tile_memory.json]

Each (path, size) runs in a fresh subprocess, so one run's freed memory cannot hide the
next one's peak: the child loads the model, runs one warm-up tile, resets the kernel's
peak-RSS counter (``/proc/self/clear_refs``), super-resolves a random square LR and
writes the PNG as tools/infer.py does, then reports VmHWM minus the RSS before the run.
``stream`` is tools/infer.py today (super_resolve_to_png: strips streamed into the PNG
file); ``canvas`` the strips quantised into an in-memory 8-bit image
(super_resolve_to_canvas + PngCanvas.save); ``full`` the first path
(super_resolve_float + write_png: a full-size float image, colour fix on the whole
image). Linux only (reads /proc).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time

CONFIG = 'checkpoints/pgp_dit_s1_pgp_x4.py'
CHECKPOINT = 'checkpoints/pgp_dit_s1_pgp_x4.pth'


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=CONFIG)
    p.add_argument('--checkpoint', default=CHECKPOINT)
    p.add_argument('--lr-sizes', type=int, nargs='+', default=[128, 512, 1024])
    p.add_argument('--paths', nargs='+', default=['stream', 'canvas', 'full'],
                   choices=['stream', 'canvas', 'full'])
    p.add_argument('--color-fix', default='wavelet')
    p.add_argument('--out', default='work_dirs/tile_memory.json')
    p.add_argument('--child', nargs=2, metavar=('PATH', 'LR_SIZE'), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def kib(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/self/status')


def child(args) -> dict:
    """One measurement in this (fresh) process; printed as JSON on the last line."""
    import numpy as np
    import torch

    from pgpsr.apis import (init_model, load_config, super_resolve_float,
                            super_resolve_to_canvas, super_resolve_to_png)
    from pgpsr.datasets.image_writer import write_png
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    path, size = args.child[0], int(args.child[1])
    model = init_model(load_config(args.config), args.checkpoint)
    tile = model.test_cfg['tile']
    rng = np.random.default_rng(0)
    super_resolve_float(model, rng.random((tile, tile, 3), np.float32), color='none')  # warm-up
    rgb = rng.random((size, size, 3), np.float32)
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # VmHWM := VmRSS
    base = kib('VmRSS')
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dst = osp.join(tmp, 'out.png')
        if path == 'stream':
            super_resolve_to_png(model, rgb, dst, color=args.color_fix)
        elif path == 'canvas':
            super_resolve_to_canvas(model, rgb, color=args.color_fix).save(dst)
        else:
            write_png(dst, super_resolve_float(model, rgb, color=args.color_fix))
    seconds = time.perf_counter() - start
    grown = (kib('VmHWM') - base) * 1024
    pixels = (size * model.scale) ** 2
    return dict(path=path, lr_size=size, out_size=size * model.scale, seconds=seconds,
                peak_growth_bytes=grown, bytes_per_out_px=grown / pixels,
                rss_after_load_mib=base / 1024, tile=tile, color_fix=args.color_fix)


def marginal_bytes_per_px(rows: list) -> dict:
    """Per path, the peak growth's slope in output pixels, from the smallest size and
    between the two largest: what each further pixel costs, the model's fixed working
    set removed (the allocator's fragmentation of it settles by the mid size, so the
    last slope is the linear term)."""
    slopes = {}
    for path in dict.fromkeys(r['path'] for r in rows):
        mine = sorted((r for r in rows if r['path'] == path), key=lambda r: r['out_size'])
        if len(mine) > 1 and mine[-1]['out_size'] > mine[0]['out_size']:
            slopes[path] = dict(from_smallest=_slope(mine[0], mine[-1]),
                                two_largest=_slope(mine[-2], mine[-1]))
    return slopes


def _slope(lo: dict, hi: dict) -> float:
    return ((hi['peak_growth_bytes'] - lo['peak_growth_bytes'])
            / (hi['out_size'] ** 2 - lo['out_size'] ** 2))


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    rows = []
    print(f'{"path":6} {"LR":>5} {"output":>6} {"peak growth MiB":>16} {"B/out px":>9} '
          f'{"time s":>7}')
    for size in args.lr_sizes:
        for path in args.paths:
            cmd = [sys.executable, osp.abspath(__file__), '--config', args.config,
                   '--checkpoint', args.checkpoint, '--color-fix', args.color_fix,
                   '--child', path, str(size)]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode:
                print(res.stderr[-3000:], file=sys.stderr)
                return 1
            row = json.loads(res.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f'{path:6} {size:5d} {row["out_size"]:6d} '
                  f'{row["peak_growth_bytes"] / 2 ** 20:16.1f} '
                  f'{row["bytes_per_out_px"]:9.2f} {row["seconds"]:7.1f}', flush=True)
    slopes = marginal_bytes_per_px(rows)
    for path, slope in slopes.items():
        print(f'{path}: {slope["from_smallest"]:.2f} B per extra output pixel from the '
              f'smallest size, {slope["two_largest"]:.2f} between the two largest')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(config=args.config, checkpoint=args.checkpoint, rows=rows,
                       marginal_bytes_per_out_px=slopes), f, indent=2)
    print(f'written {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
