"""OSEDiff's released checkpoint + a local SD2.1-base folder -> a diffusers folder with the
LoRA merged (no peft needed), for the OSEDiff teacher config.

    python tools/model_converters/osediff_to_pgpsr.py --sd21 pretrained/stable-diffusion-2-1-base \
        --release pretrained/osediff.pkl --out pretrained/osediff [--lora-alpha 8]

Writes OUT/unet and OUT/vae (``save_pretrained``). The scale of each LoRA is
lora_alpha / rank, peft's rule; OSEDiff trains with peft's default alpha, 8.
"""
import argparse
import json
import sys

from pgpsr.converters.osediff_conversion import convert_osediff


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sd21', required=True, help='local SD2.1-base folder (unet/, vae/)')
    p.add_argument('--release', required=True, help="OSEDiff's checkpoint (osediff.pkl)")
    p.add_argument('--out', required=True)
    p.add_argument('--lora-alpha', type=float, default=8.0)
    args = p.parse_args(argv)
    try:
        summary = convert_osediff(args.sd21, args.release, args.out, args.lora_alpha)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        sys.exit(f'cannot convert: {exc}')
    print(json.dumps(dict(summary, out=args.out), indent=1))


if __name__ == '__main__':
    main()
