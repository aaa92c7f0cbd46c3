"""Export the denoiser of a pgpsr model on a diffusers UNet as a plain diffusers folder.

    python tools/model_converters/pgpsr_to_diffusers.py CONFIG [CHECKPOINT] OUT_DIR \
        [--cfg-options k=v ...]

The folder (config.json + diffusion_pytorch_model.safetensors) loads with
``UNet2DConditionModel.from_pretrained(OUT_DIR)`` and computes what pgpsr's backbone
computes: fine-tuned and widened-``conv_in`` models (its input is then
``cat([x_t, lr_latent])``) and models pruned by transformer layers. Models with removed
ResNet units have no diffusers equivalent: the tool says so and writes nothing.
"""
import argparse
import sys

from pgpsr.apis import init_model, load_config
from pgpsr.apis.runner_setup import add_cfg_options_arg
from pgpsr.models.backbones import DiffusersUNetDenoiser
from pgpsr.models.backbones.diffusers_export import NotExportableError, save_diffusers


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('paths', nargs='+', metavar='[CHECKPOINT] OUT_DIR')
    add_cfg_options_arg(p, 'model.backbone.pretrained=pretrained/sd21-unet')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if len(args.paths) > 2:
        sys.exit('give CONFIG [CHECKPOINT] OUT_DIR')
    ckpt, out = (args.paths if len(args.paths) == 2 else (None, args.paths[0]))
    try:
        cfg = load_config(args.config, args.cfg_options)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f'cannot load the config: {exc}')
    backbone = init_model(cfg, ckpt).backbone
    if not isinstance(backbone, DiffusersUNetDenoiser):
        sys.exit(f'{args.config}: the backbone is {type(backbone).__name__}; only '
                 'DiffusersUNetDenoiser models export to a diffusers UNet folder')
    try:
        files = save_diffusers(backbone, out)
    except NotExportableError as e:
        sys.exit(f'cannot export {ckpt or args.config}: {e}')
    print(f'wrote {out}: {", ".join(files)}')


if __name__ == '__main__':
    main()
