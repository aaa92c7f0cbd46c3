"""Encode a prompt with a Stable Diffusion folder's own text encoder(s), offline.

    python tools/misc/encode_prompt.py SD_DIR --prompt "a sharp photo" --out prompt.safetensors
        [--size 1024 1024]   # SDXL's target size conditioning

Use the file as ``model.backbone.prompt_embeds`` (DiffusersUNetDenoiser): SR then runs
no text encoder. SDXL folders (with text_encoder_2/) also get the pooled embedding and
time_ids.
"""
import argparse

from safetensors.torch import save_file

from pgpsr.models.backbones.prompt_encoding import encode_prompt


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('folder', help='a diffusers SD pipeline folder (text_encoder/, tokenizer/)')
    p.add_argument('--prompt', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--size', type=int, nargs=2, default=(1024, 1024), metavar=('H', 'W'))
    args = p.parse_args(argv)
    tensors = encode_prompt(args.folder, args.prompt, args.size)
    save_file(tensors, args.out)
    print(f'wrote {args.out}: ' + ', '.join(f'{k} {tuple(v.shape)}' for k, v in tensors.items()))


if __name__ == '__main__':
    main()
