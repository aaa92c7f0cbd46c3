"""Export a pgpsr model to ONNX and check it against PyTorch.

    python tools/deployment/pytorch2onnx.py CONFIG [CHECKPOINT] --out model.onnx
        [--opset 20] [--verify-size H W ...]

One-step models (AdcSR students, PGPDiffSR with test_cfg.one_step) become one graph, LR
tile -> SR tile; multi-step PGPDiffSR models export the denoiser step (the sampler stays
in Python). Height and width are dynamic (multiples of the model's LR size divisor;
tools/infer.py --backend onnxruntime pads to them). After export the graph is checked
with the ONNX checker and run by onnxruntime on random inputs of the --verify-size
LR sizes: the largest difference to PyTorch is printed, and above 1e-4 the tool fails.
"""
import argparse
import json
import sys

import torch

from pgpsr.apis import init_model, load_config
from pgpsr.apis.inference import checkpoint_of
from pgpsr.apis.config_keys import ConfigKeyError
from pgpsr.deploy import DEFAULT_OPSET, ExportError, export_onnx, use_onnxruntime
from pgpsr.utils.pretrained import MissingWeightsError

TOLERANCE = 1e-4  # float32 outputs in [-1, 1]: the oracle bound


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Export a pgpsr model to ONNX')
    p.add_argument('config')
    p.add_argument('checkpoint', nargs='?', help="default: the config's own weights")
    p.add_argument('--out', required=True, help='the .onnx file to write')
    p.add_argument('--opset', type=int, default=DEFAULT_OPSET)
    p.add_argument('--verify-size', type=int, nargs=2, action='append', metavar=('H', 'W'),
                   help='LR sizes to compare onnxruntime with PyTorch on (default 13x21, '
                        '29x10)')
    return p.parse_args(argv)


def verify(config, checkpoint, out: str, sizes) -> float:
    """Largest |onnxruntime - PyTorch| of the SR tile (or denoiser step) over ``sizes``."""
    torch_model = init_model(config, checkpoint)
    ort_model = use_onnxruntime(init_model(config, checkpoint), out)
    worst = 0.0
    g = torch.Generator().manual_seed(0)
    for h, w in sizes:
        lr = torch.rand(1, 3, h, w, generator=g) * 2 - 1
        with torch.no_grad():
            if ort_model.onnx_graph.kind == 'sr_tile':
                a, b = torch_model.sample(lr), ort_model.sample(lr)
            else:
                cond = torch_model.encode_condition(torch_model.pad_lr(lr))
                x_t, t = torch.randn(cond.shape, generator=g), torch.tensor([500])
                a, b = torch_model.denoise(x_t, t, cond), ort_model.denoise(x_t, t, cond)
        worst = max(worst, float((a - b).abs().max()))
    return worst


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config)
        checkpoint = checkpoint_of(cfg, args.checkpoint)
        model = init_model(cfg, checkpoint)
    except (FileNotFoundError, ConfigKeyError, MissingWeightsError, ValueError) as exc:
        sys.exit(f'cannot load the model: {exc}')
    try:
        report = export_onnx(model, args.out, args.opset)
    except ExportError as exc:
        sys.exit(f'export refused: {exc}')
    sizes = args.verify_size or [(13, 21), (29, 10)]
    report['max_abs_diff_to_torch'] = verify(cfg, checkpoint, args.out, sizes)
    report['verified_lr_sizes'] = [list(s) for s in sizes]
    print(f"opset {report['opset']}, ONNX checker: {report['checker']}")
    print(json.dumps(report, indent=1))
    if report['max_abs_diff_to_torch'] > TOLERANCE:
        print(f"onnxruntime differs from PyTorch by {report['max_abs_diff_to_torch']:.3g} "
              f'> {TOLERANCE}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
