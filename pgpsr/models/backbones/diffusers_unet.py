"""A prunable view of a real diffusers ``UNet2DConditionModel`` (SD1.5 / SD2.1 / SDXL).

The wrapped UNet keeps diffusers' module tree and state-dict layout (``unet.<diffusers
key>``), so pretrained folders load as they are and models (pruned ones whenever diffusers
can express them) export back to a diffusers folder
(tools/model_converters/pgpsr_to_diffusers.py). The wrapper re-runs
diffusers' forward over the same modules (outputs equal ``UNet2DConditionModel(...)
.sample``, tested) so that it can skip removed units and observe each one.

Blocks follow the block-pruning literature (BK-SDM, Kim et al. 2023; LAPTOP-Diff, Zhang et
al. 2024; KOALA, Lee et al. 2024): each ResNet (+ its transformer) of the down and up
blocks and each unit of the mid block is a block (``encoder.L.J`` / ``bottleneck.K`` /
``decoder.L.J``); each ``BasicTransformerBlock`` of a transformer deeper than one layer
(SDXL's 2 and 10) is a block of its own (``<unit>.attn.K``): the intra-block redundancy
that PGP-DiffSR names. A removed encoder unit passes its input on, and its skip carries
that input (same shape, so the decoder stays valid); a removed decoder unit passes its
input on and ignores its skip. Units that change the width cannot be removed
(:meth:`drop_refusal` says why). Which removals a diffusers config can still express
(:meth:`export_refusal`) is worked out in ``diffusers_export_plan``.
"""
from typing import Dict, Iterable, List, Optional, Tuple

import torch
from diffusers import UNet2DConditionModel
from torch import nn

from pgpsr.registry import MODELS
from ..pretrained.diffusers_loading import build_diffusers_model, widened_input_conv
from .base import DroppedBlock, PrunableBackbone
from .diffusers_export_plan import NotExportableError, export_plan
from .prompt_embeddings import load_prompt_embeddings, pipeline_folder

CONDITIONING = ('input', 'concat')


class UNetUnitView(nn.Module):
    """One pruning unit: references to a ResNet and/or a transformer of the wrapped UNet
    (not registered in the backbone, so parameters are not listed twice)."""

    def __init__(self, resnet: Optional[nn.Module], attn: Optional[nn.Module],
                 attn_first: bool = False, skip_channels: int = 0) -> None:
        super().__init__()
        self.resnet, self.attn, self.attn_first = resnet, attn, attn_first
        self.skip_channels = skip_channels

    @property
    def in_channels(self) -> int:
        """Channels of the main input (a decoder unit's skip not counted)."""
        if self.resnet is not None and not self.attn_first:
            return self.resnet.in_channels - self.skip_channels
        return self.attn.in_channels

    @property
    def out_channels(self) -> int:
        return self.resnet.out_channels if self.resnet is not None else self.attn.in_channels

    def forward(self, x: torch.Tensor, temb: torch.Tensor, attn_kwargs: Dict,
                skip: Optional[torch.Tensor] = None) -> torch.Tensor:
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        if self.attn_first and self.attn is not None:
            x = self.attn(x, return_dict=False, **attn_kwargs)[0]
        if self.resnet is not None:
            x = self.resnet(x, temb)
        if not self.attn_first and self.attn is not None:
            x = self.attn(x, return_dict=False, **attn_kwargs)[0]
        return x


@MODELS.register_module()
class DiffusersUNetDenoiser(PrunableBackbone):
    """A diffusers ``UNet2DConditionModel`` with pgpsr's block contract.

    Args:
        pretrained: A diffusers folder (or a weights file with ``config``); None with
            ``config`` for random weights. subfolder: e.g. ``'unet'`` in a pipeline folder.
        config: Architecture (dict or config.json / folder) when not taken from
            ``pretrained``.
        conditioning: ``input``: the UNet sees only ``x_t`` (one-step models, where x_t is
            the LR latent, as OSEDiff); ``concat``: ``cat([x_t, cond])``, ``conv_in`` widened
            by ``cond_channels`` zero-initialised input channels (the pretrained function
            is unchanged at the start of fine-tuning).
        cond_channels: Channels of the condition (default: the UNet's ``in_channels``).
        prompt_embeds: File from ``tools/misc/encode_prompt.py``; None: the null prompt,
            as the diffusers pipeline conditions on ``''`` (the model's training
            distribution): the pipeline folder's CLIP encoder(s) applied to ``''``; zeros
            for SDXL's ``force_zeros_for_empty_prompt`` or a folder without text encoder.
        grad_checkpointing: Recompute units in backward to save memory.
    """

    def __init__(self, pretrained: Optional[str] = None, subfolder: Optional[str] = None,
                 config=None, conditioning: str = 'concat',
                 cond_channels: Optional[int] = None, prompt_embeds: Optional[str] = None,
                 grad_checkpointing: bool = False) -> None:
        super().__init__()
        if conditioning not in CONDITIONING:
            raise ValueError(f'DiffusersUNetDenoiser.conditioning must be one of '
                             f'{CONDITIONING}, got {conditioning!r}')
        self.unet = build_diffusers_model(UNet2DConditionModel, type(self).__name__,
                                          pretrained, subfolder, config)
        cfg = self.unet.config
        self._check_supported(cfg)
        self.conditioning, self.grad_checkpointing = conditioning, grad_checkpointing
        self.in_channels, self.out_channels = cfg.in_channels, cfg.out_channels
        self.latent_channels = cfg.out_channels
        self.cond_channels = 0
        if conditioning == 'concat':
            self.cond_channels = cond_channels or cfg.in_channels
            self._widen_conv_in(self.cond_channels)
        pooled = None
        if cfg.addition_embed_type == 'text_time':
            pooled = (cfg.projection_class_embeddings_input_dim -
                      6 * cfg.addition_time_embed_dim)
        cross = cfg.cross_attention_dim
        cross = cross if isinstance(cross, int) or cross is None else cross[0]
        folder = pipeline_folder(pretrained, subfolder)  # its text encoder: the null prompt
        for k, v in load_prompt_embeddings(prompt_embeds, type(self).__name__, cross, pooled,
                                           folder=folder).items():
            self.register_buffer(k, v, persistent=False)
        self._units: List[nn.Module] = []
        self._unit_names: List[Tuple[str, str]] = []
        self._build_views()

    # ---- set-up -------------------------------------------------------------------------
    @staticmethod
    def _check_supported(cfg) -> None:
        unsupported = dict(class_embed_type=cfg.class_embed_type,
                           encoder_hid_dim_type=cfg.encoder_hid_dim_type,
                           time_cond_proj_dim=cfg.time_cond_proj_dim)
        bad = {k: v for k, v in unsupported.items() if v is not None}
        if cfg.addition_embed_type not in (None, 'text_time'):
            bad['addition_embed_type'] = cfg.addition_embed_type
        if bad:
            raise ValueError(f'DiffusersUNetDenoiser supports SD1.x/2.x/SDXL-style UNets; this '
                             f'config uses {bad}')

    def _widen_conv_in(self, extra: int) -> None:
        self.unet.conv_in = widened_input_conv(self.unet.conv_in, extra)
        self.unet.register_to_config(in_channels=self.unet.conv_in.in_channels)

    def _build_views(self) -> None:
        """The unit views, in forward order, with their names and parts."""
        skips = [self.unet.conv_in.out_channels]  # widths of the skips, as forward stacks them
        for i, blk in enumerate(self.unet.down_blocks):
            attns = getattr(blk, 'attentions', None) or [None] * len(blk.resnets)
            for j, (res, attn) in enumerate(zip(blk.resnets, attns)):
                self._units.append(UNetUnitView(res, attn))
                self._unit_names.append((f'encoder.{i}.{j}', 'encoder'))
                skips.append(res.out_channels)
            skips += [d.out_channels for d in blk.downsamplers or []]
        mid = self.unet.mid_block
        if mid is not None:
            self._units.append(UNetUnitView(mid.resnets[0], None))
            self._unit_names.append(('bottleneck.0', 'bottleneck'))
            attns = list(getattr(mid, 'attentions', None) or [])
            attns += [None] * (len(mid.resnets) - 1 - len(attns))
            for k, (attn, res) in enumerate(zip(attns, mid.resnets[1:])):
                self._units.append(UNetUnitView(res, attn, attn_first=True))
                self._unit_names.append((f'bottleneck.{k + 1}', 'bottleneck'))
        levels = len(self.unet.up_blocks)
        for i, blk in enumerate(self.unet.up_blocks):
            attns = getattr(blk, 'attentions', None) or [None] * len(blk.resnets)
            for j, (res, attn) in enumerate(zip(blk.resnets, attns)):
                self._units.append(UNetUnitView(res, attn, skip_channels=skips.pop()))
                self._unit_names.append((f'decoder.{levels - 1 - i}.{j}', 'decoder'))

    # ---- the block contract ----------------------------------------------------------------
    @property
    def size_divisor(self) -> int:
        return 2 ** self.unet.num_upsamplers

    def block_table(self):
        table = []
        for idx, (name, part) in enumerate(self._unit_names):
            table.append((name, part, self._units, idx))
            unit = self._units[idx]
            layers = getattr(getattr(unit, 'attn', None), 'transformer_blocks', None)
            if layers is not None and len(layers) > 1:
                table += [(f'{name}.attn.{k}', part, layers, k) for k in range(len(layers))]
        return table

    def decoder_sites(self) -> List[str]:
        """Decoder units (not their transformer layers): where adapters attach."""
        return [n for n, part in self._unit_names if part == 'decoder']

    def block_widths(self) -> Dict[str, int]:
        """Output channels of every unit (adapters size themselves from this)."""
        return {n: u.out_channels for (n, _), u in zip(self._unit_names, self._units)
                if isinstance(u, UNetUnitView)}

    def drop_refusal(self, name: str) -> Optional[str]:
        if '.attn.' in name:
            return None  # a transformer layer is residual: same shape in and out
        unit = self.blocks()[name][1]
        if unit.in_channels != unit.out_channels:
            return (f'unit {name!r} changes the width ({unit.in_channels} -> '
                    f'{unit.out_channels} channels), so nothing can stand in for it')
        return None

    def export_refusal(self, dropped: Iterable[str]) -> Optional[str]:
        """Why a diffusers config could not express this UNet with ``dropped`` removed
        (None when it could: :mod:`.diffusers_export_plan`)."""
        try:
            export_plan(self, dropped)
        except NotExportableError as exc:
            return str(exc)
        return None

    def is_droppable(self, name: str) -> bool:
        return self.drop_refusal(name) is None

    def drop_block(self, name: str) -> None:
        """Drop a unit (its ResNet and transformer leave the UNet) or one transformer
        layer; a layer of an already removed unit is gone with it (no-op)."""
        if '.attn.' in name and name.split('.attn.')[0] in self.dropped:
            return
        units = [n for n, _ in self._unit_names]
        unit = self._units[units.index(name)] if name in units else None
        super().drop_block(name)  # an unknown name: a KeyError listing the blocks
        if isinstance(unit, UNetUnitView):  # free the modules in the diffusers tree too
            self._replace_in_tree(unit.resnet)
            self._replace_in_tree(unit.attn)

    def _replace_in_tree(self, module: Optional[nn.Module]) -> None:
        if module is None:
            return
        for holder in self.unet.modules():
            if isinstance(holder, nn.ModuleList):
                for k, m in enumerate(holder):
                    if m is module:
                        holder[k] = DroppedBlock()
                        return

    # ---- forward (diffusers' UNet2DConditionModel.forward over the live units) -------------
    def conditioning_kwargs(self, batch: int, dtype: torch.dtype) -> Tuple[torch.Tensor, Dict]:
        """The prompt embedding and SDXL's added conditions, expanded to ``batch``."""
        ehs = getattr(self, 'prompt_embeds', None)
        if ehs is not None:
            ehs = ehs.to(dtype).expand(batch, -1, -1)
        added = {}
        if self.unet.config.addition_embed_type == 'text_time':
            added = dict(text_embeds=self.pooled_prompt_embeds.to(dtype).expand(batch, -1),
                         time_ids=self.time_ids.to(dtype).expand(batch, -1))
        return ehs, added

    def forward(self, x_t: torch.Tensor, t: Optional[torch.Tensor] = None,
                cond: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Predict noise / v / x0 (the scheduler's prediction type) for ``x_t`` at ``t``."""
        if t is None:
            raise ValueError('DiffusersUNetDenoiser needs timesteps t')
        unet, b = self.unet, x_t.shape[0]
        sample = torch.cat([x_t, cond], dim=1) if self.cond_channels else x_t
        ehs, added = self.conditioning_kwargs(b, x_t.dtype)
        t = t.expand(b) if t.dim() == 0 else t
        if unet.config.center_input_sample:
            sample = 2 * sample - 1.0
        emb = unet.time_embedding(unet.get_time_embed(sample=sample, timestep=t), None)
        aug = unet.get_aug_embed(emb=emb, encoder_hidden_states=ehs, added_cond_kwargs=added)
        emb = emb + aug if aug is not None else emb
        if unet.time_embed_act is not None:
            emb = unet.time_embed_act(emb)
        ehs = unet.process_encoder_hidden_states(encoder_hidden_states=ehs,
                                                 added_cond_kwargs=added)
        attn_kwargs = dict(encoder_hidden_states=ehs)
        # as diffusers: explicit upsampling sizes only when the input is not a multiple
        uneven = any(d % self.size_divisor for d in sample.shape[-2:])
        h = unet.conv_in(sample)
        skips, u = [h], 0
        for blk in unet.down_blocks:
            for _ in blk.resnets:
                h = self._run_unit(u, h, emb, attn_kwargs)
                skips.append(h)
                u += 1
            for down in blk.downsamplers or []:
                h = down(h)
                skips.append(h)
        if unet.mid_block is not None:
            for _ in unet.mid_block.resnets:
                h = self._run_unit(u, h, emb, attn_kwargs)
                u += 1
        for i, blk in enumerate(unet.up_blocks):
            for _ in blk.resnets:
                h = self._run_unit(u, h, emb, attn_kwargs, skip=skips.pop())
                u += 1
            for up in blk.upsamplers or []:
                size = (skips[-1].shape[2:] if uneven and i < len(unet.up_blocks) - 1
                        else None)
                h = up(h, size)
        if unet.conv_norm_out is not None:
            h = unet.conv_act(unet.conv_norm_out(h))
        return unet.conv_out(h)

    def _run_unit(self, u: int, h: torch.Tensor, emb: torch.Tensor, attn_kwargs: Dict,
                  skip: Optional[torch.Tensor] = None) -> torch.Tensor:
        unit = self._units[u]
        if isinstance(unit, DroppedBlock):
            return unit(h)  # identity; a removed decoder unit ignores its skip
        return self.run_block(unit, h, emb, attn_kwargs, skip)
