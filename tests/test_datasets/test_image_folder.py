
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from PIL import Image
from torch.utils.data import DataLoader

from pgpsr.datasets import SeededInfiniteSampler
from pgpsr.registry import DATASETS

PIPELINE = [dict(type='LoadSRImage', key='gt'), dict(type='RandomCropGT', crop_size=32),
            dict(type='RandomFlipRotate', keys=['gt']),
            dict(type='BicubicDegradation', scale=4), dict(type='PackInputs')]


@pytest.fixture
def photo_dir(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / 'gt').mkdir()
    for i in range(5):
        Image.fromarray(rng.integers(0, 255, (40 + i, 50, 3), dtype=np.uint8)).save(
            tmp_path / 'gt' / f'im{i}.png')
    return tmp_path


def _stream(dataset, workers, n=12):
    sampler = SeededInfiniteSampler(dataset, shuffle=True, seed=7)
    loader = DataLoader(dataset, batch_size=3, sampler=sampler, num_workers=workers,
                        collate_fn=pseudo_collate)
    it = iter(loader)
    return [torch.stack(next(it)['inputs']) for _ in range(n // 3)]


def test_same_seed_same_pairs_for_any_worker_count(photo_dir):
    ds = DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(photo_dir),
                             gt_folder='gt', pipeline=PIPELINE, seed=3))
    a, b = _stream(ds, 0), _stream(ds, 2)
    for x, y in zip(a, b):
        assert torch.equal(x, y)
    assert a[0].shape == (3, 3, 8, 8)
    # later epochs draw different crops of the same image
    first, again = ds[0]['inputs'], ds[len(ds)]['inputs']
    assert not torch.equal(first, again)
    assert torch.equal(ds[0]['inputs'], first)


def test_realesrgan_pairs_are_the_same_for_any_worker_count(photo_dir, repo_root):
    from mmengine.config import Config
    steps = Config.fromfile(f'{repo_root}/configs/_base_/degradations/realesrgan_x4.py')
    pipeline = PIPELINE[:3] + [dict(type='DegradationPipeline', steps=steps.degradation),
                               dict(type='PackInputs')]
    ds = DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(photo_dir),
                             gt_folder='gt', pipeline=pipeline, seed=3))
    for x, y in zip(_stream(ds, 0), _stream(ds, 2)):
        assert torch.equal(x, y) and x.shape == (3, 3, 8, 8)


def test_bad_file_is_logged_by_name_and_skipped(photo_dir, monkeypatch):
    import pgpsr.datasets.image_folder as image_folder
    logged = []
    monkeypatch.setattr(image_folder, 'print_log', lambda msg, **kw: logged.append(msg))
    (photo_dir / 'gt' / 'im0.png').write_bytes(b'\x89PNG broken')
    ds = DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(photo_dir),
                             gt_folder='gt', pipeline=PIPELINE, max_bad_files=1))
    assert logged == [f"SRImageFolderDataset: LR synthesised from the GT of {photo_dir / 'gt'} "
                      "by ['RandomCropGT', 'RandomFlipRotate', 'BicubicDegradation'] (no LR "
                      'folder given)']
    out = ds[0]
    assert len(logged) == 2 and str(photo_dir / 'gt' / 'im0.png') in logged[1]
    assert out['data_samples'].gt_path.endswith('im1.png')
    assert list(ds.bad_files) == [str(photo_dir / 'gt' / 'im0.png')]
    (photo_dir / 'gt' / 'im1.png').write_bytes(b'')
    with pytest.raises(RuntimeError, match='max_bad_files=1'):
        ds[1]


def test_small_images_are_padded_to_the_crop(tmp_path):
    (tmp_path / 'gt').mkdir()
    Image.fromarray(np.full((10, 7, 3), 90, np.uint8)).save(tmp_path / 'gt' / 'tiny.png')
    ds = DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(tmp_path),
                             gt_folder='gt', pipeline=PIPELINE))
    assert ds[0]['data_samples'].gt_img.shape == (3, 32, 32)


def test_paired_folders_list_unmatched_files(tmp_path):
    for folder, names in (('gt', ['a', 'b']), ('lq', ['a', 'c'])):
        (tmp_path / folder).mkdir()
        for n in names:
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / folder / f'{n}.png')
    with pytest.raises(ValueError, match=r"GT without LQ: \['b'\]; LQ without GT: \['c'\]"):
        DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(tmp_path),
                            gt_folder='gt', lq_folder='lq'))


def test_empty_folder_is_reported(tmp_path):
    (tmp_path / 'gt').mkdir()
    with pytest.raises(FileNotFoundError, match='no images'):
        DATASETS.build(dict(type='SRImageFolderDataset', data_root=str(tmp_path),
                            gt_folder='gt'))


def test_a_photo_smaller_than_the_crop_is_padded_with_one_warning_per_file(tmp_path):
    import logging

    from mmengine.logging import MMLogger
    from pgpsr.registry import TRANSFORMS
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        crop = TRANSFORMS.build(dict(type='RandomCropGT', crop_size=32))
        small = np.arange(20 * 24 * 3, dtype=np.uint8).reshape(20, 24, 3)
        for path in ('a.png', 'a.png', 'b.png', 'big.png'):
            img = np.zeros((40, 40, 3), np.uint8) if path == 'big.png' else small
            out = crop(dict(gt=img, gt_path=path))
            assert out['gt'].shape == (32, 32, 3)
    finally:
        logger.removeHandler(handler)
    padded = [m for m in seen if 'smaller than the crop' in m]
    assert len(padded) == 2 and padded[0].startswith('a.png: image 20x24')
    assert padded[1].startswith('b.png')
