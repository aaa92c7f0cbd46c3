"""The phase-exchange adapter beside an exported diffusers UNet, and its loader.

A pgpsr model pruned with the adapter computes UNet + adapter; exporting the UNet alone
would silently change its output. So ``tools/model_converters/pgpsr_to_diffusers.py``
writes the adapter next to the UNet (``OUT/adapter/adapter_config.json`` +
``adapter.safetensors``) and :func:`attach_adapter` re-attaches it to a plain
``UNet2DConditionModel`` with forward hooks, at the same places as in pgpsr:

    unet = UNet2DConditionModel.from_pretrained(OUT)
    adapter = attach_adapter(unet, OUT + '/adapter')   # adapter.remove() detaches it
    unet(torch.cat([x_t, lr_latent], 1), t, encoder_hidden_states=...)  # as pgpsr's model

The hooks read the LR condition from the UNet's input (its channels after the latent
ones), so only UNets that take ``cat([x_t, cond])`` (``conditioning='concat'``) export an
adapter. A site whose decoder unit was pruned adapts what passes through it: the output
of the last live unit before it, or the up block's input when none is.
"""
import json
import os
import os.path as osp
from typing import Dict, List

import torch
from safetensors.torch import load_file, save_file

from .phase_exchange_adapter import PhaseExchangeAdapter

CONFIG_FILE, WEIGHTS_FILE = 'adapter_config.json', 'adapter.safetensors'


def _anchors(backbone, sites: List[str]) -> List[Dict]:
    """Where each adapter site acts in the exported UNet: ``pre`` on an up block's input
    or ``post`` on a live unit's last module, with the sites applied there in order."""
    unet, levels, out = backbone.unet, len(backbone.unet.up_blocks), []
    for i, blk in enumerate(unet.up_blocks):
        anchor = dict(kind='pre', module=f'up_blocks.{i}', sites=[])
        live = 0
        for k in range(len(blk.resnets)):
            name = f'decoder.{levels - 1 - i}.{k}'
            if name not in backbone.dropped:
                out.append(anchor)
                last = 'attentions' if getattr(blk, 'attentions', None) else 'resnets'
                anchor = dict(kind='post', module=f'up_blocks.{i}.{last}.{live}', sites=[])
                live += 1
            if name in sites:
                anchor['sites'].append(name.replace('.', '_'))
        out.append(anchor)
    return [a for a in out if a['sites']]


def adapter_spec(model) -> Dict:
    """The adapter's config and hook places for the exported UNet of ``model``.

    Raises:
        ValueError: the neck is not a PhaseExchangeAdapter, or the UNet's input does not
            carry the condition the adapter reads.
    """
    neck, backbone = model.neck, model.backbone
    if not isinstance(neck, PhaseExchangeAdapter):
        raise ValueError(f'the neck {type(neck).__name__} has no diffusers export; only '
                         'PhaseExchangeAdapter is written beside the UNet')
    if not backbone.cond_channels:
        raise ValueError('the adapter reads the LR condition, but this UNet does not take it '
                         "as input (conditioning='input'): a plain diffusers UNet call would "
                         'not give the adapter its condition')
    keys = list(neck.units)
    spec = dict(insert=neck.insert, exchange=neck.exchange, blend=neck.blend, rank=neck.rank,
                cond_channels=neck.cond_channels, latent_channels=backbone.latent_channels,
                units=keys, channels={k: neck.units[k].fuse.out_channels for k in keys})
    if neck.insert == 'output':
        spec['hooks'] = [dict(kind='output', module='', sites=['output'])]
    elif neck.insert == 'decoder_input':
        spec['hooks'] = [dict(kind='pre', module='up_blocks.0', sites=keys)]
    else:
        spec['hooks'] = _anchors(backbone, [k.replace('_', '.') for k in keys])
    return spec


def save_adapter(model, out_dir: str) -> List[str]:
    """Write ``adapter_config.json`` and ``adapter.safetensors``; returns the files."""
    spec = adapter_spec(model)
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, CONFIG_FILE), 'w') as f:
        json.dump(spec, f, indent=1)
    state = {k: v.detach().contiguous() for k, v in model.neck.state_dict().items()}
    save_file(state, osp.join(out_dir, WEIGHTS_FILE))
    return [CONFIG_FILE, WEIGHTS_FILE]


def build_adapter(folder: str) -> PhaseExchangeAdapter:
    """The adapter written by :func:`save_adapter`, weights loaded; ``.spec`` holds its
    config."""
    with open(osp.join(folder, CONFIG_FILE)) as f:
        spec = json.load(f)
    adapter = PhaseExchangeAdapter(spec['channels'], spec['cond_channels'], spec['insert'],
                                   spec['exchange'], spec['blend'], spec['rank'])
    for key in spec['units']:
        if key not in adapter.units:
            adapter.units[key] = adapter._unit(key)
    adapter.load_state_dict(load_file(osp.join(folder, WEIGHTS_FILE)), strict=True)
    adapter.spec = spec
    return adapter.eval()


def attach_adapter(unet: torch.nn.Module, folder: str) -> PhaseExchangeAdapter:
    """Re-attach the adapter in ``folder`` to a plain diffusers ``unet`` with forward
    hooks, so that ``unet(cat([x_t, cond]), t, ...)`` computes pgpsr's model; returns the
    adapter (move it with the UNet; ``adapter.remove()`` takes the hooks off)."""
    adapter = build_adapter(folder).to(unet.device)
    spec, call = adapter.spec, {}  # call: this forward's condition and spectra

    def take_cond(mod, args, kwargs):
        sample = args[0] if args else kwargs['sample']
        call.update(cond=sample[:, spec['latent_channels']:], spectra={})

    def apply(keys, x):
        spectra = None if spec['insert'] == 'output' else call['spectra']  # as pgpsr's
        for key in keys:
            x = adapter.apply_unit(key, x, call['cond'], spectra)
        return x

    handles = [unet.register_forward_pre_hook(take_cond, with_kwargs=True)]
    for hook in spec['hooks']:
        module, keys = unet.get_submodule(hook['module']), hook['sites']
        if hook['kind'] == 'pre':
            def pre(mod, args, kwargs, keys=keys):
                return args, dict(kwargs, hidden_states=apply(keys, kwargs['hidden_states']))
            handles.append(module.register_forward_pre_hook(pre, with_kwargs=True))
            continue

        def post(mod, args, out, keys=keys):
            if isinstance(out, torch.Tensor):
                return apply(keys, out)
            if hasattr(out, 'sample'):  # UNet2DConditionOutput (insert='output')
                out.sample = apply(keys, out.sample)
                return out
            return (apply(keys, out[0]), *out[1:])
        handles.append(module.register_forward_hook(post))
    adapter.remove = lambda: [h.remove() for h in handles]
    return adapter
