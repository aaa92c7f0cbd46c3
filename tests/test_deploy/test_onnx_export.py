"""ONNX export of every model kind, with onnxruntime as the oracle: the exported graph run
by onnxruntime must give PyTorch's output within 1e-4 (float32, outputs in [-1, 1]) on
random LR and on a real photo, at two odd sizes that need padding; built with the real
classes at tiny width, their weights perturbed so that no zero-initialised layer (the
adapter's fusion, DiT's adaLN-zero) hides a part of the graph."""
import copy

import numpy as np
import onnx
import pytest
import torch

from pgpsr.apis import load_config
from pgpsr.deploy import ExportError, export_onnx, graph_kind, use_onnxruntime
from pgpsr.pruning import drop_blocks
from pgpsr.registry import MODELS
from tests.test_tools.helpers import ROOT

TOL = 1e-4
SIZES = [(13, 21), (10, 7)]  # odd, non-square, not multiples of any divisor


def _perturbed(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    return model.eval()


def _pgp(one_step=True, adapter=False, pruned=False):
    cfg = load_config(f'{ROOT}/configs/pgp_diffsr/pgp_dit_s1_tiny_x4.py').model
    if not one_step:
        cfg.test_cfg.update(one_step=False, num_steps=2)
    if adapter:  # the shipped recipe's site and bottleneck, at tiny width
        cfg.neck = dict(type='PhaseExchangeAdapter', channels=96, cond_channels=12,
                        insert='decoder_output', exchange='phase', blend=True, rank=16)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    if pruned:
        drop_blocks(model, ['encoder.0', 'bottleneck.1', 'decoder.1'])
    return _perturbed(model)


def _adcsr_osediff(tmp_path):
    """AdcSR's student on a diffusers UNet (the OSEDiff / release family)."""
    from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
    folder = save_tiny_pipeline('sd21', str(tmp_path / 'osediff'))
    cfg = load_config(f'{ROOT}/configs/adcsr/adcsr_osediff_tiny_stage2_x4.py').model
    cfg.teacher.codec.pretrained = cfg.teacher.backbone.pretrained = folder
    cfg.update(stage=None, feature_point='mid_block')
    torch.manual_seed(0)
    return _perturbed(MODELS.build(cfg))


def _adcsr_demo():
    """AdcSR's student on pgpsr's UNet (the CPU demo family)."""
    cfg = load_config(f'{ROOT}/configs/adcsr/adcsr_tiny_stage2_x4.py').model
    cfg.update(stage=None)
    torch.manual_seed(0)
    return _perturbed(MODELS.build(cfg))


def _photo_lr(h, w):
    """A real photo's crop (scikit-image's astronaut), in [-1, 1]."""
    import skimage.data
    img = skimage.data.astronaut()[180:180 + h, 200:200 + w].astype(np.float32)
    return torch.from_numpy(img).permute(2, 0, 1)[None] / 127.5 - 1


KINDS = {
    'pgp_parent': lambda tmp: _pgp(),
    'pgp_pruned': lambda tmp: _pgp(pruned=True),
    'pgp_pruned_adapter': lambda tmp: _pgp(adapter=True, pruned=True),
    'pgp_multistep_adapter': lambda tmp: _pgp(one_step=False, adapter=True),
    'adcsr_osediff_student': _adcsr_osediff,
    'adcsr_demo_student': lambda tmp: _adcsr_demo(),
}


@pytest.fixture(scope='module')
def parent_graph(tmp_path_factory):
    """The PGP parent's graph, exported once for the tests that need it."""
    out = str(tmp_path_factory.mktemp('graphs') / 'parent.onnx')
    return out, export_onnx(_pgp(), out)


@pytest.mark.parametrize('kind', sorted(KINDS))
def test_onnxruntime_equals_pytorch(kind, tmp_path, parent_graph):
    model = KINDS[kind](tmp_path)
    out = str(tmp_path / 'model.onnx')
    if kind == 'pgp_parent':
        out, report = parent_graph  # _pgp() builds the same seeded model every time
    else:
        report = export_onnx(model, out)
    assert report['checker'] == 'passed' and report['opset'] == '20'
    onnx.checker.check_model(onnx.load(out), full_check=True)
    ort_model = use_onnxruntime(copy.deepcopy(model), out)
    assert ort_model.onnx_graph.kind == graph_kind(model)
    d = model.lr_size_divisor
    if d > 1 and graph_kind(model) == 'sr_tile':  # the graph itself takes only multiples
        with pytest.raises(ValueError, match=f'multiples of {d}'):
            ort_model.onnx_graph(torch.zeros(1, 3, d + 1, 2 * d))
    g = torch.Generator().manual_seed(1)
    for h, w in SIZES:
        for lr in (torch.rand(1, 3, h, w, generator=g) * 2 - 1, _photo_lr(h, w)):
            with torch.no_grad():
                if graph_kind(model) == 'sr_tile':
                    want, got = model.sample(lr), ort_model.sample(lr)
                else:  # the denoiser step, and the whole sampler around it
                    cond = model.encode_condition(model.pad_lr(lr))
                    x_t = torch.randn(cond.shape, generator=g)
                    t = torch.tensor([700])
                    want, got = model.denoise(x_t, t, cond), ort_model.denoise(x_t, t, cond)
                    assert (want - got).abs().max() <= TOL * max(1.0, want.abs().max())
                    want, got = model.sample(lr, seed=3), ort_model.sample(lr, seed=3)
            assert ort_model.onnx_graph.runs > 0  # onnxruntime, not the torch forward
            ort_model.onnx_graph.runs = 0
            assert got.shape == want.shape == (1, 3, 4 * h, 4 * w)
            assert want.std() > 0.05  # a real output, not a constant
            err = float((got - want).abs().max())
            assert err <= TOL, f'{kind} at {h}x{w}: |onnxruntime - torch| = {err:.3g}'


def test_a_graph_of_another_model_is_refused(parent_graph):
    with pytest.raises(ValueError, match='pgpsr_kind'):  # a multi-step model wants a step
        use_onnxruntime(_pgp(one_step=False), parent_graph[0])


def test_an_op_the_exporter_cannot_express_is_named(tmp_path):
    model = _pgp()

    def bad_denoise(x_t, t, cond):  # data-dependent control flow: torch.export refuses it
        return x_t * 2 if bool(x_t.sum() > 0) else x_t

    model.denoise = bad_denoise
    with pytest.raises(ExportError, match='PGPDiffSR cannot be exported to ONNX.*data-dep'):
        export_onnx(model, str(tmp_path / 'bad.onnx'))
    # an op with no ONNX translation: the error names it
    model.denoise = lambda x_t, t, cond: torch.special.zeta(x_t.abs() + 2, x_t.abs() + 1)
    with pytest.raises(ExportError, match=r'op prims\.zeta: No ONNX function'):
        export_onnx(model, str(tmp_path / 'zeta.onnx'))
    with pytest.raises(ExportError, match='only PGPDiffSR and AdcSR'):
        graph_kind(torch.nn.Conv2d(3, 3, 1))
