"""PhaseExchangeAdapter: restore the Fourier phase a pruned denoiser estimates poorly.

The LR condition (the codec latent of the bicubic-upsampled LR) is projected to the
feature width (or to a narrow bottleneck the feature is projected into, ``rank``) and
resized to the feature grid; both are Fourier transformed; the result
keeps the feature *amplitude* and takes the LR *phase* (fully, or by a learned
per-channel blend of unit phasors), and returns through a zero-initialised 1x1
projection added to the feature, so an untrained adapter changes nothing. FFTs run in
fp32 even under autocast. The exact formula is unpublished; this implements the exchange
PGP-DiffSR describes, with the variants as options. Ref: PGP-DiffSR (arXiv 2512.02681).
"""
import math
from contextlib import ExitStack
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

from pgpsr.registry import MODELS
from .real_dft import irfft2_parts, rfft2_parts

INSERTS = ('output', 'decoder_input', 'decoder_output', 'decoder_blocks')
EXCHANGES = ('phase', 'amplitude')


def _hypot(re: torch.Tensor, im: torch.Tensor) -> torch.Tensor:
    """sqrt(re^2 + im^2): 2.5x faster than ``torch.hypot`` on the real/imag views of a
    spectrum on a CPU (hypot guards against overflows that feature spectra never reach).
    Phases are taken as ``z / |z|``, never as ``polar(1, angle(z))`` (an atan2, a cos and
    a sin per frequency)."""
    return torch.addcmul(re * re, im, im).sqrt_()


class _Magnitude(torch.autograd.Function):
    """|z| from its real and imaginary parts, with a zero (not NaN) gradient at z = 0:
    flat tiles have all-zero spectra away from DC."""

    @staticmethod
    def forward(ctx, re: torch.Tensor, im: torch.Tensor) -> torch.Tensor:
        mag = _hypot(re, im)
        ctx.save_for_backward(re, im, mag)
        return mag

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        re, im, mag = ctx.saved_tensors
        g = torch.where(mag > 0, grad / mag, torch.zeros_like(mag))
        return g * re, g * im


_magnitude = _Magnitude.apply


def exchange_spectrum(feat: torch.Tensor, ref: torch.Tensor, exchange: str = 'phase',
                      blend: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Real BxCxHxW signal with ``feat``'s amplitude and ``ref``'s phase (or the reverse
    for ``exchange='amplitude'``); ``blend`` (C values in [0, 1]) mixes the phases.
    ``ref`` is a real signal or already its spectrum (complex, ``rfft2``, ortho).

    Computed on the real and imaginary parts, without complex division: with ``A`` the
    kept amplitude, ``t`` the phase source and ``o`` the amplitude source's own phasor,
    the blended result ``A * m / |m|`` with ``m = (1 - a) o + a t / |t|`` equals
    ``g * A / |g|`` with ``g = (1 - a) A o + (a A / |t|) t``, and ``A o`` is the amplitude
    source itself."""
    size = feat.shape[-2:]
    with torch.autocast(feat.device.type, enabled=False):
        f = _spectrum(feat.float())
        r = (ref.real, ref.imag) if ref.is_complex() else _spectrum(ref.float())
        (sr, si), (tr, ti) = (f, r) if exchange == 'phase' else (r, f)
        amp = _magnitude(sr, si)
        k = amp / _magnitude(tr, ti).clamp_min(1e-12)  # |kept| / |taken|
        if blend is None:
            return _signal(k * tr, k * ti, size)
        # learned mix of the two phasors, then renormalised to the kept amplitude
        a = blend.view(-1, 1, 1)
        a = a if exchange == 'phase' else 1 - a  # the weight of the taken phase
        k = k * a
        gr = torch.addcmul((1 - a) * sr, k, tr)
        gi = torch.addcmul((1 - a) * si, k, ti)
        s = amp / _magnitude(gr, gi).clamp_min(1e-12)
        return _signal(gr * s, gi * s, size)


def _spectrum(x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """(real, imag) of rfft2 (ortho); as matrix products in an exported graph."""
    if torch.compiler.is_exporting():
        return rfft2_parts(x)
    spec = torch.fft.rfft2(x, norm='ortho')
    return spec.real, spec.imag


def _signal(re: torch.Tensor, im: torch.Tensor, size) -> torch.Tensor:
    """irfft2 (ortho) of ``re + i im`` on a ``size`` grid; matrix products when exported."""
    if torch.compiler.is_exporting():
        return irfft2_parts(re, im, size)
    return torch.fft.irfft2(torch.complex(re, im), s=size, norm='ortho')


class PhaseExchangeUnit(nn.Module):
    """One insertion site: LR projection, spectrum exchange, zero-initialised fusion.

    With ``rank`` the exchange runs in an ``rank``-channel bottleneck (a 1x1 projection
    down, the exchange, the zero-initialised fusion back up), so the FFTs cost
    ``rank / channels`` of the full-width ones; ``None`` exchanges at full width."""

    def __init__(self, channels: int, cond_channels: int, blend: bool, exchange: str,
                 rank: Optional[int] = None) -> None:
        super().__init__()
        if rank is not None and not 0 < rank <= channels:
            raise ValueError(f'PhaseExchangeAdapter: rank must be in [1, {channels}] (the '
                             f'site width) or None; got {rank!r}')
        width = rank or channels
        self.exchange = exchange
        self.down = nn.Conv2d(channels, width, 1, bias=False) if rank else None
        self.cond_proj = nn.Conv2d(cond_channels, width, 1)
        self.blend_logit = nn.Parameter(torch.zeros(width)) if blend else None
        self.fuse = nn.Conv2d(width, channels, 1)
        nn.init.zeros_(self.fuse.weight)
        nn.init.zeros_(self.fuse.bias)

    def forward(self, feat: torch.Tensor, cond: torch.Tensor,
                cond_spectrum: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Adapt a BxCxHxW feature map. ``cond_spectrum`` (:func:`condition_spectrum` on
        ``feat``'s grid), when given, replaces resizing, projecting and transforming the
        condition here: the projection is linear, so it is applied to the shared
        spectrum instead."""
        z = self.down(feat) if self.down is not None else feat
        return feat + self.fuse(self.swapped(z, cond, cond_spectrum).to(feat.dtype))

    def forward_tokens(self, x: torch.Tensor, grid, cond: torch.Tensor,
                       cond_spectrum: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Adapt BxNxC tokens laid on ``grid``: the channel projections act on the tokens,
        so only the bottleneck is transposed into a map (where the FFTs run on
        contiguous rows, faster than channels-last ones) and back."""
        z = F.linear(x, self.down.weight.flatten(1)) if self.down is not None else x
        zmap = z.transpose(1, 2).reshape(x.shape[0], -1, *grid)
        s = self.swapped(zmap, cond, cond_spectrum).flatten(2).transpose(1, 2)
        return x + F.linear(s.to(x.dtype), self.fuse.weight.flatten(1), self.fuse.bias)

    def swapped(self, z: torch.Tensor, cond: torch.Tensor,
                cond_spectrum: Optional[torch.Tensor]) -> torch.Tensor:
        """``z`` with its amplitude and the projected condition's phase (or the reverse)."""
        if cond_spectrum is None:
            ref = self.cond_proj(resize_to(cond, z.shape[-2:]))
        else:
            ref = self.project_spectrum(cond_spectrum, z.shape[-2:])
        blend = torch.sigmoid(self.blend_logit) if self.blend_logit is not None else None
        return exchange_spectrum(z, ref, self.exchange, blend)

    def project_spectrum(self, spec: torch.Tensor, size) -> torch.Tensor:
        """rfft2(cond_proj(x)) from rfft2(x): the 1x1 weights mix channels at every
        frequency; the bias is a constant, all of it at DC (sqrt(H*W) with 'ortho')."""
        w = self.cond_proj.weight.float().flatten(1).to(spec.dtype)
        out = torch.einsum('oc,bchw->bohw', w, spec)
        out[..., 0, 0] += self.cond_proj.bias.float() * math.sqrt(size[0] * size[1])
        return out


def resize_to(x: torch.Tensor, size) -> torch.Tensor:
    """``x`` on a ``size`` grid (bilinear), untouched when it already is."""
    size = tuple(size)
    return x if tuple(x.shape[-2:]) == size else F.interpolate(
        x, size=size, mode='bilinear', align_corners=False)


def condition_spectrum(cond: torch.Tensor, size) -> torch.Tensor:
    """rfft2 (fp32, ortho) of the condition resized to ``size``: computed once per
    denoiser call and grid, shared by every adapter site on that grid."""
    with torch.autocast(cond.device.type, enabled=False):
        return torch.fft.rfft2(resize_to(cond, size).float(), norm='ortho')


def token_grid(x: torch.Tensor, cond: torch.Tensor) -> tuple:
    """The (h, w) grid that BxNxC tokens lie on over the condition (patch size inferred)."""
    n = x.shape[1]
    h, w = cond.shape[-2:]
    p = math.isqrt((h * w) // n)  # integer ops: exported graphs have symbolic sizes
    gh, gw = h // p, w // p
    if gh * gw != n:
        raise ValueError(f'cannot lay {n} tokens on the {h}x{w} condition grid')
    return gh, gw


@MODELS.register_module()
class PhaseExchangeAdapter(nn.Module):
    """The phase-exchange adapter of PGP-DiffSR, as a neck of ``PGPDiffSR``.

    Args:
        channels: Feature width at the insertion sites (the latent channels for
            ``insert='output'``, the backbone width otherwise), ``{site: width}``, or
            ``'auto'``: each site's width from the backbone's ``block_widths()``, so one
            config fits SD1.5, SD2.1, SDXL or a DiT.
        cond_channels: Channels of the LR condition latent.
        insert: ``output`` (on the denoiser's prediction), ``decoder_input`` (before the
            first decoder block), ``decoder_output`` (after the last decoder position:
            one site, so one exchange per denoiser call) or ``decoder_blocks`` (after
            every decoder position, dropped ones included, so pruning never leaves a
            unit unused).
        exchange: ``phase`` (the method) or ``amplitude`` (the ablation: LR amplitude,
            feature phase). blend: learn a per-channel phase blend instead of a full swap.
        rank: Exchange in a ``rank``-channel bottleneck at each site (projected down,
            exchanged, fused back up) instead of at the full site width: the FFTs and
            the phase arithmetic shrink by ``rank / width``. ``None``: full width.
    """

    def __init__(self, channels: Union[int, str, Dict[str, int]], cond_channels: int,
                 insert: str = 'output', exchange: str = 'phase', blend: bool = False,
                 rank: Optional[int] = None) -> None:
        super().__init__()
        if channels == 'auto' and insert == 'output':
            raise ValueError("PhaseExchangeAdapter: channels='auto' sizes decoder sites; "
                             "insert='output' needs the latent channel count")
        if insert not in INSERTS or exchange not in EXCHANGES:
            raise ValueError(f'PhaseExchangeAdapter: insert must be one of {INSERTS} and '
                             f'exchange one of {EXCHANGES}; got {insert!r}, {exchange!r}')
        self.insert, self.channels, self.cond_channels = insert, channels, cond_channels
        self.exchange, self.blend, self.rank = exchange, blend, rank
        self.units = nn.ModuleDict()
        if insert == 'output':
            self.units['output'] = self._unit('output')

    def _unit(self, site: str) -> PhaseExchangeUnit:
        c = self.channels[site] if isinstance(self.channels, dict) else self.channels
        return PhaseExchangeUnit(c, self.cond_channels, self.blend, self.exchange, self.rank)

    def attach(self, backbone) -> None:
        """Create the units of the backbone's decoder sites (called once by the model)."""
        if self.insert == 'output':
            return
        if self.channels == 'auto':
            self.channels = backbone.block_widths()
        names = backbone.decoder_sites()
        sites = dict(decoder_input=names[:1], decoder_output=names[-1:]).get(
            self.insert, names)
        for n in sites:
            key = n.replace('.', '_')
            if key not in self.units:
                self.units[key] = self._unit(n)

    def apply_unit(self, key: str, x: torch.Tensor, cond: torch.Tensor,
                   spectra: Optional[Dict] = None) -> torch.Tensor:
        """Adapt one site's feature (a map, or DiT tokens); ``spectra`` caches the
        condition's spectrum per grid for the duration of one denoiser call."""
        tokens = x.dim() == 3
        size = token_grid(x, cond) if tokens else tuple(x.shape[-2:])
        spec = None
        # exported graphs have symbolic sizes (unhashable): each site computes its own
        if spectra is not None and not torch.compiler.is_exporting():
            if size not in spectra:
                spectra[size] = condition_spectrum(cond, size)
            spec = spectra[size]
        unit = self.units[key]
        return unit.forward_tokens(x, size, cond, spec) if tokens else unit(x, cond, spec)

    def forward(self, pred: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """``insert='output'``: adapt the denoiser's prediction."""
        return self.units['output'](pred, cond) if self.insert == 'output' else pred

    def run(self, backbone, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor):
        """Run ``backbone`` with the adapter at its sites (what ``PGPDiffSR.denoise`` calls)."""
        if self.insert == 'output':
            return self(backbone(x_t, t, cond), cond)
        sites = set(backbone.decoder_sites())
        table = {n: holder[i] for n, _, holder, i in backbone.block_table() if n in sites}
        spectra: Dict = {}  # the condition's spectrum, once per grid for this call
        with ExitStack() as stack:
            for name, module in table.items():
                key = name.replace('.', '_')
                if key not in self.units:
                    continue
                if self.insert == 'decoder_input':
                    def pre(mod, args, key=key):
                        return (self.apply_unit(key, args[0], cond, spectra), *args[1:])
                    h = module.register_forward_pre_hook(pre)
                else:
                    def post(mod, args, out, key=key):
                        return self.apply_unit(key, out, cond, spectra)
                    h = module.register_forward_hook(post)
                stack.callback(h.remove)
            return backbone(x_t, t, cond)
