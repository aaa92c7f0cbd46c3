"""The pretrained-backbone configs run as a user runs them: tools/train.py on tiny folders
in the released diffusers layout, the SR parent (stage 1) then progressive pruning from
its checkpoint (stage 2), resume-free reload of the pruned result, 2-rank gloo training
with pruning, and the export back to a diffusers folder (the pruned SD2.1 and SDXL
results included, adapter and all)."""
import re

import pytest
import torch
from diffusers import UNet2DConditionModel

from pgpsr.apis import init_model
from pgpsr.models.necks import attach_adapter
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from .helpers import losses_by_iter, run_dist_train, run_tool, write_config

CONFIGS = dict(sd21='configs/pgp_diffsr/pgp_sd21unet_tiny_x4.py',
               sdxl='configs/pgp_diffsr/pgp_sdxlunet_tiny_x4.py',
               dit='configs/pgp_diffsr/pgp_dit_pretrained_tiny_x4.py')
PARENTS = {a: c.replace('_tiny_x4', '_unpruned_tiny_x4') for a, c in CONFIGS.items()}


@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp('pretrained')
    return {a: save_tiny_pipeline(a, str(root / a)) for a in CONFIGS}


def config_for(arch, folders, tmp_path, body='', load_from=None, stage=CONFIGS):
    """The shipped tiny stage-2 config (or ``stage=PARENTS``: stage 1), pointed at this
    test's folder; stage 2 starts from ``load_from`` (None: the pretrained weights)."""
    return write_config(tmp_path / f'{arch}{"_parent" if stage is PARENTS else ""}.py', f"""
model = dict(codec=dict(pretrained='{folders[arch]}'),
             backbone=dict(pretrained='{folders[arch]}'))
load_from = {load_from!r}
""" + body, base=stage[arch])


def train_parent(arch, folders, tmp_path) -> str:
    """Stage 1, the SR parent, for 2 iterations: its last checkpoint."""
    work = tmp_path / 'parent'
    res = run_tool(['tools/train.py', config_for(arch, folders, tmp_path, stage=PARENTS),
                    '--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=2'])
    assert res.returncode == 0, res.stderr[-3000:]
    return str(work / 'iter_2.pth')


@pytest.mark.parametrize('arch', list(CONFIGS))
def test_parent_then_pgp_then_the_checkpoint_rebuilds_from_the_config(arch, folders,
                                                                      tmp_path):
    parent = train_parent(arch, folders, tmp_path)
    parent_sd = torch.load(parent, map_location='cpu', weights_only=False)['state_dict']
    assert parent_sd and not any(k.startswith('neck.') for k in parent_sd)  # no adapter yet
    cfg = config_for(arch, folders, tmp_path, load_from=parent)
    work = tmp_path / 'w'
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(work), '--cfg-options',
                    'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2'])
    assert res.returncode == 0, res.stderr[-3000:]
    log = res.stdout + res.stderr
    assert f'Load checkpoint from {parent}' in log, log[-3000:]
    assert 'ProgressivePruneHook stage 1' in log
    assert len(losses_by_iter(work)) == 2
    model = init_model(cfg, str(work / 'iter_2.pth'))  # original config, pruned weights
    assert len(model.backbone.dropped) >= 2
    out = model.sample(torch.rand(1, 3, 16, 12) * 2 - 1, num_steps=2)
    assert out.shape == (1, 3, 64, 48) and torch.isfinite(out).all()
    if arch != 'dit':  # the UNet recipes prune with exportable=True: the result exports
        check_exported(model, cfg, work / 'iter_2.pth', tmp_path / 'exported')


def check_exported(model, cfg, ckpt, out):
    """tools/model_converters/pgpsr_to_diffusers.py on the pruned checkpoint; oracle:
    plain diffusers ``from_pretrained`` (+ the adapter's loader) on the same inputs."""
    res = run_tool(['tools/model_converters/pgpsr_to_diffusers.py', cfg, str(ckpt), str(out)])
    assert res.returncode == 0, res.stderr[-3000:]
    unet = UNet2DConditionModel.from_pretrained(str(out)).eval()
    assert sum(p.numel() for p in unet.parameters()) == \
        sum(p.numel() for p in model.backbone.parameters())  # the pruned size, not the parent
    attach_adapter(unet, str(out / 'adapter'))
    x, c, t = torch.randn(2, 4, 8, 8), torch.randn(2, 4, 8, 8), torch.tensor([50, 700])
    ehs, added = model.backbone.conditioning_kwargs(2, x.dtype)
    with torch.no_grad():
        want = model.eval().denoise(x, t, c)
        got = unet(torch.cat([x, c], 1), t, encoder_hidden_states=ehs,
                   added_cond_kwargs=added).sample
    assert want.abs().mean() > 0.05 and (got - want).abs().max() <= 1e-5


def test_two_gloo_ranks_train_and_prune_a_diffusers_unet(folders, tmp_path):
    cfg = config_for('sd21', folders, tmp_path, """
train_cfg = dict(max_iters=3, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=3))
""")
    work = tmp_path / 'w'
    res = run_dist_train(cfg, work)
    assert res.returncode == 0, res.stderr[-4000:]
    ckpt = torch.load(work / 'iter_3.pth', map_location='cpu', weights_only=False)
    dropped = [k for k in ckpt['state_dict'] if k.startswith('backbone.unet.up_blocks')]
    assert dropped and len(losses_by_iter(work)) == 3
    assert 'world_size: 2' in res.stdout + res.stderr or 'Distributed training: True' in \
        res.stdout + res.stderr


def test_sdxl_fsdp_variant_prunes_between_restarts_on_two_gloo_ranks(folders, tmp_path):
    """pgp_sdxlunet-fsdp_tiny_x4.py: stage 0 runs before FSDP wraps the parent, stage 1
    by a restart at its iteration, with the EMA over the shards; the result reloads from
    the config and exports."""
    parent = train_parent('sdxl', folders, tmp_path)
    cfg = write_config(tmp_path / 'fsdp.py', f"""
model = dict(codec=dict(pretrained='{folders['sdxl']}'),
             backbone=dict(pretrained='{folders['sdxl']}'))
load_from = {parent!r}
train_cfg = dict(max_iters=3, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=3))
""", base='configs/pgp_diffsr/pgp_sdxlunet-fsdp_tiny_x4.py')
    work = tmp_path / 'w'
    res = run_dist_train(cfg, work)
    assert res.returncode == 0, res.stderr[-4000:]
    log = res.stdout + res.stderr
    assert 'ProgressivePruneHook stage 0 at iter 0' in log
    assert 'pruning stage due at iter 2 under DeviceFSDPStrategy' in log
    # the units' ResNets and transformers are FSDP units, the views call them
    units = re.findall(r"wrap='blocks'\): (\d+) FSDP units, (\d+) block-view references", log)
    assert units and all(int(n) > 10 and int(moved) > 10 for n, moved in units), units
    assert 'ProgressivePruneHook stage 1 at iter 2' in log
    assert sorted(losses_by_iter(work)) == [1, 2, 3]
    ckpt = torch.load(work / 'iter_3.pth', map_location='cpu', weights_only=False)
    assert ckpt['progressive_prune']['done'] == [0, 1]
    # ShardedEMAHook over the pruned units (the VAE frozen and unsharded): EMAHook's layout
    ema = ckpt['ema_state_dict']
    assert int(ema['steps']) == 3 and set(ema) == {'steps'} | {f'module.{k}' for k in ckpt['state_dict']}
    model = init_model(cfg, str(work / 'iter_3.pth'))
    removed = [n for h in ckpt['progressive_prune']['history'] for n in h['removed']]
    assert removed and model.backbone.dropped == removed
    check_exported(model, cfg, work / 'iter_3.pth', tmp_path / 'exported')


def test_export_to_a_plain_diffusers_folder(folders, tmp_path):
    cfg = config_for('sdxl', folders, tmp_path)
    out = tmp_path / 'exported'
    res = run_tool(['tools/model_converters/pgpsr_to_diffusers.py', cfg, str(out)])
    assert res.returncode == 0, res.stderr[-3000:]
    unet = UNet2DConditionModel.from_pretrained(str(out)).eval()
    backbone = init_model(cfg).backbone
    x, c, t = torch.randn(1, 4, 8, 8), torch.randn(1, 4, 8, 8), torch.tensor([50])
    ehs, added = backbone.conditioning_kwargs(1, x.dtype)
    with torch.no_grad():
        want = backbone(x, t, c)
        got = unet(torch.cat([x, c], 1), t, encoder_hidden_states=ehs,
                   added_cond_kwargs=added).sample
    assert (got - want).abs().max() <= 1e-5
    sd21 = config_for('sd21', folders, tmp_path)
    res = run_tool(['tools/model_converters/pgpsr_to_diffusers.py', sd21, str(tmp_path / 'x')])
    assert res.returncode == 0  # unpruned: exports
    pruned = tmp_path / 'p.pth'
    model = init_model(sd21)
    model.backbone.drop_block('decoder.1.1')  # a decoder unit alone: its skip has no reader
    torch.save(dict(state_dict=model.state_dict(), meta={}), pruned)
    res = run_tool(['tools/model_converters/pgpsr_to_diffusers.py', sd21, str(pruned),
                    str(tmp_path / 'y')])
    assert res.returncode != 0 and "decoder units ['decoder.1.1'] are all removed" in res.stderr
    assert 'tools/prune.py --exportable' in res.stderr  # the message names the fix
    assert not (tmp_path / 'y').exists()  # nothing written, not even the adapter
