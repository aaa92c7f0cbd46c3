"""The real-photo set builder on a fake unpacked package folder (no network)."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from pgpsr.datasets.photo_packages import build_photo_set, fetch_packages, licence_of

COPYRIGHT = """Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: someone
License: GPL-2+

Files: 16.04/lake.jpg
Copyright: 2018, A Photographer
License: CC-BY-4.0
"""


def fake_package(root, name, files):
    pkg = root / name
    (pkg / 'usr/share/doc' / name).mkdir(parents=True)
    (pkg / 'usr/share/doc' / name / 'copyright').write_text(COPYRIGHT)
    rng = np.random.default_rng(len(name))
    for rel, size in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray((rng.random(size + (3,)) * 255).astype(np.uint8)).save(pkg / rel)


def test_builds_train_crops_held_out_photos_and_a_manifest(tmp_path):
    fake_package(tmp_path / 'pkgs', 'walls', {'usr/share/backgrounds/lake.jpg': (300, 500)})
    fake_package(tmp_path / 'pkgs', 'docs', {'ex/data/cat.png': (120, 90),
                                             'ex/reg/cat.png': (300, 300)})
    sources = dict(walls=dict(split='train', files=['usr/share/backgrounds/lake.jpg']),
                   docs=dict(split='heldout', files=['ex/data/cat.png', 'ex/reg/cat.png']))
    out = tmp_path / 'photos'
    m = build_photo_set(str(tmp_path / 'pkgs'), str(out), dict(walls='1.0'), sources,
                        crop=64, crops_per_photo=5, train_short_side=200)
    assert sorted(os.listdir(out / 'train')) == [f'lake_{k:02d}.png' for k in range(5)]
    assert sorted(os.listdir(out / 'heldout')) == ['data_cat.png', 'reg_cat.png']
    assert Image.open(out / 'heldout/data_cat.png').size == (88, 88)  # min side, /4
    assert Image.open(out / 'heldout/reg_cat.png').size == (256, 256)
    assert Image.open(out / 'train/lake_00.png').size == (64, 64)
    rows = {r['file']: r for r in json.load(open(out / 'manifest.json'))['files']}
    assert rows['train/lake_03.png']['licence'] == 'CC-BY-4.0'  # the file's own stanza
    assert rows['train/lake_03.png']['version'] == '1.0'
    assert rows['heldout/reg_cat.png']['licence'] == 'GPL-2+'  # falls to Files: *
    again = build_photo_set(str(tmp_path / 'pkgs'), str(tmp_path / 'again'), None, sources,
                            crop=64, crops_per_photo=5, train_short_side=200)
    assert again['files'] == [dict(r, version='unknown') for r in m['files']]  # seeded
    a, b = (np.asarray(Image.open(p / 'train/lake_02.png')) for p in (out, tmp_path / 'again'))
    assert np.array_equal(a, b)


def test_reserved_packages_are_refused(tmp_path):
    with pytest.raises(ValueError, match='reserved for independent evaluation'):
        fetch_packages(['mate-backgrounds'], str(tmp_path))
    with pytest.raises(ValueError, match='reserved'):
        build_photo_set(str(tmp_path), str(tmp_path / 'o'), None,
                        {'plasma-workspace-wallpapers': dict(split='train', files=[])})


def test_licence_lookup_prefers_the_most_specific_stanza():
    assert licence_of(COPYRIGHT, 'usr/share/backgrounds/lake.jpg') == 'CC-BY-4.0'
    assert licence_of(COPYRIGHT, 'usr/share/backgrounds/other.jpg') == 'GPL-2+'
    assert licence_of('', 'x.jpg') == 'unknown'
