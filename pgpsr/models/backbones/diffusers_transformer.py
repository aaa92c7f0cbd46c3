"""A prunable view of a real diffusers DiT-family transformer (DiT, PixArt-alpha).

The wrapped model keeps diffusers' layout and runs its own forward; a removed transformer
block is replaced in place by an identity, so the output equals the diffusers model's
with the same blocks removed (tested against ``DiTTransformer2DModel(...).sample``). The
blocks are split into ``encoder`` / ``bottleneck`` / ``decoder`` thirds (a DiT has no U
shape; the split only decides which PGP criterion scores a block: adjacent-step for the
first two, input-vs-output for the last). Block 0 stays: diffusers' DiT reads the final
layer's adaLN conditioning from block 0's norm.
Ref: Peebles & Xie, "Scalable Diffusion Models with Transformers" (ICCV 2023).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from diffusers import DiTTransformer2DModel, PixArtTransformer2DModel
from torch import nn

from pgpsr.registry import MODELS
from ..pretrained.diffusers_loading import build_diffusers_model, widened_input_conv
from .base import PrunableBackbone
from .prompt_embeddings import load_prompt_embeddings

CLASSES = dict(DiTTransformer2DModel=DiTTransformer2DModel,
               PixArtTransformer2DModel=PixArtTransformer2DModel)


@MODELS.register_module()
class DiffusersTransformerDenoiser(PrunableBackbone):
    """A diffusers DiT / PixArt transformer with pgpsr's block contract.

    Args:
        pretrained, subfolder, config: Where the model comes from (see
            ``diffusers_loading``); e.g. a DiT-XL-2 pipeline folder with
            ``subfolder='transformer'``.
        model_class: ``DiTTransformer2DModel`` (class-conditional adaLN-zero) or
            ``PixArtTransformer2DModel`` (text cross-attention, adaLN-single).
        conditioning: ``input`` or ``concat`` (the patch embedding widened with
            zero-initialised channels for the condition), as ``DiffusersUNetDenoiser``.
        cond_channels: Condition channels (default: the model's input channels).
        class_label: DiT class id used for every sample (default: the null class that
            classifier-free guidance trains, i.e. no class information).
        prompt_embeds: PixArt caption embedding file (None: the null prompt).
        parts: Blocks in the encoder / bottleneck / decoder parts (default: thirds).
    """

    def __init__(self, pretrained: Optional[str] = None, subfolder: Optional[str] = None,
                 config=None, model_class: str = 'DiTTransformer2DModel',
                 conditioning: str = 'concat', cond_channels: Optional[int] = None,
                 class_label: Optional[int] = None, prompt_embeds: Optional[str] = None,
                 parts: Optional[Sequence[int]] = None) -> None:
        super().__init__()
        if model_class not in CLASSES:
            raise ValueError(f'DiffusersTransformerDenoiser.model_class must be one of '
                             f'{list(CLASSES)}, got {model_class!r}')
        if conditioning not in ('input', 'concat'):
            raise ValueError("DiffusersTransformerDenoiser.conditioning must be 'input' or "
                             f"'concat', got {conditioning!r}")
        self.transformer = build_diffusers_model(CLASSES[model_class], type(self).__name__,
                                                 pretrained, subfolder, config)
        cfg = self.transformer.config
        self.model_class, self.conditioning = model_class, conditioning
        self.latent_channels = cfg.in_channels
        self.in_channels = self.out_channels = cfg.in_channels  # a learned sigma is cut
        self.cond_channels = (cond_channels or cfg.in_channels) if conditioning == 'concat' \
            else 0
        if self.cond_channels:
            self._widen_patch_embed(self.cond_channels)
        n = len(self.transformer.transformer_blocks)
        self.parts = tuple(parts) if parts else (n // 3, n - 2 * (n // 3), n // 3)
        if sum(self.parts) != n:
            raise ValueError(f'DiffusersTransformerDenoiser.parts {self.parts} must sum to '
                             f'the {n} transformer blocks')
        if model_class == 'DiTTransformer2DModel':
            self.class_label = cfg.num_embeds_ada_norm if class_label is None else class_label
        else:
            for k, v in load_prompt_embeddings(prompt_embeds, type(self).__name__,
                                               cfg.caption_channels, tokens=120).items():
                self.register_buffer(k, v, persistent=False)

    @property
    def size_divisor(self) -> int:
        return self.transformer.config.patch_size

    def _widen_patch_embed(self, extra: int) -> None:
        embed = self.transformer.pos_embed
        embed.proj = widened_input_conv(embed.proj, extra)

    # ---- the block contract ----------------------------------------------------------------
    def block_table(self) -> List[Tuple[str, str, nn.ModuleList, int]]:
        blocks, (e, b, _) = self.transformer.transformer_blocks, self.parts
        table = []
        for i in range(len(blocks)):
            part = 'encoder' if i < e else 'bottleneck' if i < e + b else 'decoder'
            table.append((f'{part}.{i}', part, blocks, i))
        return table

    def drop_refusal(self, name: str) -> Optional[str]:
        if name == self.block_table()[0][0] and self.model_class == 'DiTTransformer2DModel':
            return ("diffusers' DiT computes the final layer's adaLN conditioning with block "
                    "0's norm, so block 0 must stay")
        return None

    def is_droppable(self, name: str) -> bool:
        return self.drop_refusal(name) is None

    def block_widths(self) -> Dict[str, int]:
        return {n: self.transformer.inner_dim for n, _, _, _ in self.block_table()}

    # ---- forward -------------------------------------------------------------------------------
    def forward(self, x_t: torch.Tensor, t: Optional[torch.Tensor] = None,
                cond: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Predict noise / v / x0 for ``x_t`` at ``t`` (a learned-sigma half is dropped)."""
        if t is None:
            raise ValueError('DiffusersTransformerDenoiser needs timesteps t')
        b = x_t.shape[0]
        t = t.expand(b) if t.dim() == 0 else t
        h, w = x_t.shape[-2:]
        if h % self.size_divisor or w % self.size_divisor:
            raise ValueError(f'DiffusersTransformerDenoiser input {h}x{w} is not a multiple '
                             f'of the patch size {self.size_divisor}')
        sample = torch.cat([x_t, cond], dim=1) if self.cond_channels else x_t
        if self.model_class == 'DiTTransformer2DModel':
            out = self._dit_forward(sample, t)
        else:
            ehs = self.prompt_embeds.to(x_t.dtype).expand(b, -1, -1)
            out = self.transformer(sample, encoder_hidden_states=ehs, timestep=t,
                                   added_cond_kwargs=dict(resolution=None,
                                                          aspect_ratio=None)).sample
        return out[:, :self.latent_channels]

    def _dit_forward(self, sample: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``DiTTransformer2DModel.forward`` (diffusers 0.28), unpatchifying any h x w grid
        (diffusers' own assumes a square one)."""
        tr, p = self.transformer, self.size_divisor
        gh, gw = sample.shape[-2] // p, sample.shape[-1] // p
        labels = torch.full((sample.shape[0],), self.class_label, device=sample.device,
                            dtype=torch.long)
        hs = tr.pos_embed(sample)
        for block in tr.transformer_blocks:
            hs = block(hs, attention_mask=None, encoder_hidden_states=None,
                       encoder_attention_mask=None, timestep=t, cross_attention_kwargs=None,
                       class_labels=labels)
        cond = tr.transformer_blocks[0].norm1.emb(t, labels, hidden_dtype=hs.dtype)
        shift, scale = tr.proj_out_1(F.silu(cond)).chunk(2, dim=1)
        hs = tr.proj_out_2(tr.norm_out(hs) * (1 + scale[:, None]) + shift[:, None])
        hs = hs.reshape(-1, gh, gw, p, p, tr.out_channels)
        return torch.einsum('nhwpqc->nchpwq', hs).reshape(-1, tr.out_channels, gh * p, gw * p)
