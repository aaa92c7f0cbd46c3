"""Export the denoiser of a pgpsr model on a diffusers UNet as a plain diffusers folder.

    python tools/model_converters/pgpsr_to_diffusers.py CONFIG [CHECKPOINT] OUT_DIR \
        [--cfg-options k=v ...]

The folder (config.json + diffusion_pytorch_model.safetensors) loads with
``UNet2DConditionModel.from_pretrained(OUT_DIR)`` and computes what pgpsr's backbone
computes: fine-tuned and widened-``conv_in`` models (its input is then
``cat([x_t, lr_latent])``) and pruned models whenever a diffusers config can express what
is left (prune with ``exportable=True`` to be sure; otherwise the tool says why not and
writes nothing). A phase-exchange adapter is written beside it, in ``OUT_DIR/adapter/``;
``pgpsr.models.necks.attach_adapter(unet, OUT_DIR + '/adapter')`` re-attaches it. A neck
that cannot be exported stops the tool: it never writes a UNet without its adapter.
"""
import argparse
import os.path as osp
import sys

from pgpsr.apis import init_model, load_config
from pgpsr.apis.runner_setup import add_cfg_options_arg
from pgpsr.models.backbones import DiffusersUNetDenoiser
from pgpsr.models.backbones.diffusers_export import (NotExportableError, export_config,
                                                     save_diffusers)
from pgpsr.models.necks.adapter_export import adapter_spec, save_adapter


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
    model = init_model(cfg, ckpt)
    backbone = model.backbone
    if not isinstance(backbone, DiffusersUNetDenoiser):
        sys.exit(f'{args.config}: the backbone is {type(backbone).__name__}; only '
                 'DiffusersUNetDenoiser models export to a diffusers UNet folder')
    neck = getattr(model, 'neck', None)
    try:  # both checked before anything is written
        export_config(backbone)
        if neck is not None:
            adapter_spec(model)
    except NotExportableError as e:
        sys.exit(f'cannot export {ckpt or args.config}: {e}. Prune with what a diffusers '
                 "config can express: tools/prune.py --exportable, or exportable=True in "
                 "the ProgressivePruneHook's stages")
    except ValueError as e:
        sys.exit(f'cannot export {ckpt or args.config}: {e}')
    files = save_diffusers(backbone, out)
    if neck is not None:
        files += [f'adapter/{f}' for f in save_adapter(model, osp.join(out, 'adapter'))]
    print(f'wrote {out}: {", ".join(f for f in files if f != "adapter")}')


if __name__ == '__main__':
    main()
