"""The batched degradation as a data preprocessor: seeded, checkpointed, eval-aware."""
import numpy as np
import torch
from mmagic.structures import DataSample
from mmengine.config import Config
from skimage import data

from pgpsr.registry import MODELS


def batch(n=4, size=64):
    photo = data.astronaut()
    gts = [torch.from_numpy(photo[i * 50:i * 50 + size, 100:100 + size].copy()).permute(2, 0, 1)
           for i in range(n)]
    samples = [DataSample(gt_img=g, metainfo=dict(gt_channel_order='rgb')) for g in gts]
    return dict(inputs={}, data_samples=samples)


def build(repo_root, **kw):
    steps = Config.fromfile(f'{repo_root}/configs/_base_/degradations/realesrgan_x4.py')
    return MODELS.build(dict(type='DegradingDataPreprocessor', degradation=steps.degradation,
                             seed=3, **kw))


def test_degrades_gt_into_normalised_quarter_size_inputs(repo_root):
    pre = build(repo_root)
    out = pre(batch(), training=True)
    assert out['inputs'].shape == (4, 3, 16, 16)
    assert out['inputs'].min() >= -1 and out['inputs'].max() <= 1  # mean/std 127.5
    assert out['data_samples'].gt_img.shape == (4, 3, 64, 64)
    assert int(pre.num_batches) == 1


def test_same_batch_count_same_pairs_and_the_count_is_checkpointed(repo_root):
    a, b = build(repo_root), build(repo_root)
    first = a(batch(), training=True)['inputs']
    second = a(batch(), training=True)['inputs']
    assert not torch.equal(first, second)
    b.load_state_dict(a.state_dict())  # as after a resume at batch 2
    a_third = a(batch(), training=True)['inputs']
    assert torch.equal(b(batch(), training=True)['inputs'], a_third)


def test_eval_uses_the_given_inputs_and_sharpening_changes_targets(repo_root):
    pre = build(repo_root, sharpen_gt=dict(type='SharpenGT'))
    given = batch(2)
    given['inputs'] = [torch.zeros(3, 16, 16, dtype=torch.uint8)] * 2
    out = pre(given, training=False)
    assert torch.all(out['inputs'] == -1)
    plain = batch(2)
    sharpened = pre(batch(2), training=True)['data_samples'].gt_img
    original = torch.stack([s.gt_img for s in plain['data_samples']]).float() / 127.5 - 1
    assert not torch.equal(sharpened, original)
    assert np.isclose(sharpened.mean().item(), original.mean().item(), atol=0.02)
