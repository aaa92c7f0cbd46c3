"""tools/train.py end to end: training, kill -9, --resume continues exactly."""
import torch

from .helpers import (assert_same_optimizer_state, losses_by_iter, run_and_rerun_killed,
                      run_tool, train_killed_after, write_config)

CONFIG = """
max_iters = 12
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=6, max_keep_ckpts=5))
log_processor = dict(window_size=1)
custom_hooks = [dict(type='EMAHook', momentum=0.1, priority=49)]
train_dataloader = dict(num_workers=2, persistent_workers=True)
"""


def _load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_resume_after_kill_matches_an_uninterrupted_run(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', CONFIG)
    full, cut = tmp_path / 'full', tmp_path / 'cut'
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(full)], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]

    train_killed_after(cfg, cut, 'iter_6.pth')
    assert not (cut / 'iter_12.pth').exists()
    assert (cut / 'last_checkpoint').read_text().strip().endswith('iter_6.pth')

    res = run_tool(['tools/train.py', cfg, '--work-dir', str(cut), '--resume'], timeout=400)
    assert res.returncode == 0, res.stderr[-3000:]
    assert 'Advance dataloader 6 steps' in res.stdout + res.stderr

    a, b = losses_by_iter(full), losses_by_iter(cut)
    for it in range(7, 13):
        assert a[it] == b[it], (it, a[it], b[it])
    ca, cb = _load(full / 'iter_12.pth'), _load(cut / 'iter_12.pth')
    for key in ('state_dict', 'ema_state_dict'):
        for name, value in ca[key].items():
            assert torch.equal(value, cb[key][name]), (key, name)
    assert_same_optimizer_state(ca['optimizer'], cb['optimizer'])
    assert ca['param_schedulers'] == cb['param_schedulers']
    assert ca['meta']['iter'] == cb['meta']['iter'] == 12


def test_wrong_config_key_names_it(tmp_path):
    cfg = write_config(tmp_path / 'bad.py', """
model = dict(backbone=dict(hiden_size=64))
""")
    res = run_tool(['tools/train.py', cfg, '--work-dir', str(tmp_path / 'w')], timeout=300)
    assert res.returncode != 0
    assert 'hiden_size' in res.stderr


def test_missing_config_file_is_reported(tmp_path):
    res = run_tool(['tools/train.py', str(tmp_path / 'nope.py')], timeout=300)
    assert res.returncode != 0 and 'nope.py does not exist' in res.stderr


def test_test_tool_writes_metrics_json(tmp_path):
    cfg = write_config(tmp_path / 'cfg.py', """
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=1000)
default_hooks = dict(checkpoint=dict(interval=2))
test_evaluator = [dict(type='PSNRY', crop_border=4), dict(type='SSIMY', crop_border=4),
                  dict(type='FID'), dict(type='LPIPS', vgg16_path='/nonexistent/vgg16.pth')]
""")
    work = tmp_path / 'w'
    assert run_tool(['tools/train.py', cfg, '--work-dir', str(work)],
                    timeout=300).returncode == 0
    out = tmp_path / 'metrics.json'
    res = run_tool(['tools/test.py', cfg, str(work / 'iter_2.pth'), '--work-dir', str(work),
                    '--out', str(out)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    import json
    results = json.loads(out.read_text())
    metrics, per_image = results['mean'], results['per_image']
    assert set(metrics) == {'PSNR', 'SSIM', 'FID'}
    assert metrics['FID'] > 0  # a set metric: in the means, not per image
    assert 5 < metrics['PSNR'] < 60 and -1 <= metrics['SSIM'] <= 1
    # every held-out photo by name, and the means are the means of those values
    assert len(per_image) >= 2 and all(set(v) == {'PSNR', 'SSIM'} for v in per_image.values())
    for key in ('PSNR', 'SSIM'):
        mean = sum(v[key] for v in per_image.values()) / len(per_image)
        assert abs(mean - metrics[key]) < 1e-9
    # LPIPS without its VGG16 weights: skipped, and the reason names the missing file
    assert list(results['skipped']) == ['LPIPS']
    assert '/nonexistent/vgg16.pth' in results['skipped']['LPIPS']


def test_resume_replays_the_batched_degradation_pairs(tmp_path):
    """Real-ESRGAN pairs made per batch in the data preprocessor: after kill -9 and
    --resume the same LR batches come back (same losses and weights at the end)."""
    cfg = write_config(tmp_path / 'cfg.py', """
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=1000)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2, max_keep_ckpts=3))
log_processor = dict(window_size=1)
""", base='configs/pgp_diffsr/pgp_dit_tiny_realesrgan-batched_x4.py')
    full, cut = tmp_path / 'full', tmp_path / 'cut'
    run_and_rerun_killed(cfg, full, cut, 'iter_2.pth')
    a, b = losses_by_iter(full), losses_by_iter(cut)
    assert [a[i] for i in (3, 4)] == [b[i] for i in (3, 4)], (a, b)
    ca, cb = _load(full / 'iter_4.pth'), _load(cut / 'iter_4.pth')
    for name, value in ca['state_dict'].items():
        assert torch.equal(value, cb['state_dict'][name]), name
