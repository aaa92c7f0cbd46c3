"""Super-resolve your own photos (no ground truth needed).

    python tools/infer.py CONFIG [CHECKPOINT] --input photo.jpg|folder --output out/ \
        [--tile 64 --tile-overlap 8] [--color-fix wavelet|adain|adain_lr|none] \
        [--precision fp32|fp16|bf16] [--steps N] [--seed S] [--device cpu|cuda] \
        [--skip-existing | --overwrite] [--cfg-options k=v ...]

Any size and aspect ratio; grayscale, palette, 16-bit and RGBA inputs are accepted (alpha
is upscaled on its own and reattached; 16-bit inputs give 16-bit PNGs). Outputs are
OUTPUT/<name>_x<scale>.png; inputs are never overwritten. A file that cannot be read is
reported by name and the rest of the folder is still processed (exit code 1 at the end).
A pruned checkpoint works with its original config. CHECKPOINT may be left out for a
config that names its weights (``load_from``: the converted AdcSR release;
``weights_in_config``: the converted OSEDiff teacher).
"""
import argparse
import os
import os.path as osp
import sys

from tqdm import tqdm

from pgpsr.apis import init_model, load_config, super_resolve_to_png
from pgpsr.apis.inference import checkpoint_of
from pgpsr.apis.runner_setup import add_cfg_options_arg
from pgpsr.models.color_fix import COLOR_FIXES
from pgpsr.datasets.image_folder import IMG_EXTENSIONS, list_images
from pgpsr.datasets.image_io import BadImageError, read_image
from pgpsr.deploy import use_onnxruntime, use_torch_compile
from pgpsr.utils.pretrained import MissingWeightsError, require_local_path


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?',
                   help="default: the config's load_from (or none: weights_in_config)")
    p.add_argument('--input', required=True, help='an image file or a folder (recursive)')
    p.add_argument('--output', required=True, help='output folder')
    p.add_argument('--tile', type=int, help='LR tile size (default: the config\'s test_cfg)')
    p.add_argument('--tile-overlap', type=int, help='LR overlap between tiles')
    p.add_argument('--tile-batch', type=int, help='tiles per forward (default: the config\'s)')
    p.add_argument('--color-fix', choices=COLOR_FIXES,
                   help="default: the config's test_cfg.color_fix")
    p.add_argument('--precision', default='fp32', choices=['fp32', 'fp16', 'bf16'])
    p.add_argument('--steps', type=int, help='sampling steps (multi-step models)')
    p.add_argument('--seed', type=int)
    p.add_argument('--device', default='cpu')
    p.add_argument('--backend', default='torch',
                   choices=['torch', 'torch_compile', 'onnxruntime'],
                   help="who runs each tile's forward: PyTorch eager, torch.compile "
                        '(compiles on the first tiles), or onnxruntime from --onnx '
                        '(tools/deployment/pytorch2onnx.py); tiling, colour fix and PNG '
                        'writing are the same')
    p.add_argument('--onnx', help='the exported graph for --backend onnxruntime')
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--skip-existing', action='store_true', help='keep existing outputs')
    mode.add_argument('--overwrite', action='store_true', help='replace existing outputs')
    add_cfg_options_arg(p, 'model.test_cfg.color_fix=wavelet')
    return p.parse_args(argv)


def list_inputs(path: str):
    if osp.isfile(path):
        return [(path, osp.splitext(osp.basename(path))[0])]
    if not osp.isdir(path):
        sys.exit(f'--input {path} does not exist')
    files = list_images(path)
    if not files:
        sys.exit(f'--input {path} holds no images ({", ".join(IMG_EXTENSIONS)})')
    return [(osp.join(path, f), osp.splitext(f)[0]) for f in files]


def main(argv=None) -> int:
    args = parse_args(argv)
    inputs = list_inputs(args.input)
    try:
        cfg = load_config(args.config, args.cfg_options)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f'cannot load the config: {exc}')
    try:
        model = init_model(cfg, checkpoint_of(cfg, args.checkpoint), args.device)
    except (FileNotFoundError, MissingWeightsError, ValueError) as exc:
        sys.exit(f'cannot load the model: {exc}')
    if args.backend == 'onnxruntime':
        if not args.onnx:
            sys.exit('--backend onnxruntime needs --onnx FILE (make it with '
                     'tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT --out FILE)')
        if args.device != 'cpu' or args.precision != 'fp32':
            sys.exit('--backend onnxruntime runs the exported float32 graph on the CPU: '
                     'leave --device cpu and --precision fp32')
        try:
            use_onnxruntime(model, require_local_path(args.onnx, '--onnx'))
        except (FileNotFoundError, ValueError) as exc:
            sys.exit(f'cannot use the ONNX graph: {exc}')
    elif args.onnx:
        sys.exit('--onnx is read only with --backend onnxruntime')
    if args.backend == 'torch_compile':
        try:
            use_torch_compile(model)
        except RuntimeError as exc:
            sys.exit(f'cannot use torch.compile: {exc}')
    if args.steps:
        model.test_cfg['num_steps'] = args.steps
    if args.tile_batch:
        model.test_cfg['tile_batch'] = args.tile_batch
    os.makedirs(args.output, exist_ok=True)
    in_paths = {osp.abspath(p) for p, _ in inputs}
    failed = {}
    bar = tqdm(inputs, desc='images', unit='img')
    for path, stem in bar:
        dst = osp.join(args.output, f'{stem.replace(os.sep, "_")}_x{model.scale}.png')
        if osp.abspath(dst) in in_paths:
            failed[path] = f'output {dst} would overwrite an input; choose another --output'
            continue
        if osp.exists(dst) and not args.overwrite:
            if args.skip_existing:
                continue
            failed[path] = f'{dst} exists (use --skip-existing or --overwrite)'
            continue
        try:
            img = read_image(path)
        except BadImageError as exc:
            failed[path] = str(exc)
            tqdm.write(f'skipped: {exc}')
            continue
        tiles = tqdm(desc=osp.basename(path), unit='tile', leave=False)

        def progress(done, total):
            tiles.total = total
            tiles.update(done - tiles.n)
        # strip by strip, streamed into the PNG: no full-size buffer (tiling.py,
        # color_fix_strips.py, png_stream.py)
        super_resolve_to_png(model, img.rgb, dst, img.alpha, img.bit_depth, tile=args.tile,
                             tile_overlap=args.tile_overlap, color=args.color_fix,
                             precision=args.precision, seed=args.seed, progress=progress)
        tiles.close()
        del img
    if args.backend == 'torch_compile':
        from torch._dynamo.utils import counters
        print(f"backend torch_compile: {counters['stats']['unique_graphs']} compiled graphs")
    graph = getattr(model, 'onnx_graph', None)
    if graph is not None:
        print(f'backend onnxruntime: {graph.runs} forwards of {graph.path} '
              f"({graph.kind}, opset {graph.meta.get('opset')})")
    for path, reason in failed.items():
        print(f'FAILED {path}: {reason}', file=sys.stderr)
    print(f'{len(inputs) - len(failed)} of {len(inputs)} images written to {args.output}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
