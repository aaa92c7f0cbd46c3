"""extract_subimages: tiling arithmetic, bad files, resume."""
import json

import numpy as np
from PIL import Image

from pgpsr.datasets.subimages import tile_origins
from tests.test_tools.helpers import run_tool


def test_tile_origins_cover_the_image():
    assert tile_origins(512, 200, 150, 0) == [0, 150, 300, 312]
    assert tile_origins(500, 200, 150, 0) == [0, 150, 300]
    assert tile_origins(512, 200, 150, 20) == [0, 150, 300]  # 12 px left: below thresh
    assert tile_origins(100, 200, 150, 0) == [0]  # smaller than a tile: the image itself


def test_cli_cuts_in_parallel_reports_bad_files_and_resumes(tmp_path):
    src, dst = tmp_path / 'in', tmp_path / 'out'
    (src / 'sub').mkdir(parents=True)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (300, 260, 3), dtype=np.uint8)
    Image.fromarray(img).save(src / 'a.png')
    Image.fromarray((img[..., 0].astype(np.uint16) * 257)).save(src / 'sub' / 'g16.png')
    (src / 'broken.jpg').write_bytes(b'\xff\xd8\xff\xe0garbage')
    args = ['tools/dataset_converters/extract_subimages.py', '--input', str(src), '--output',
            str(dst), '--crop-size', '128', '--step', '100', '--workers', '2']
    res = run_tool(args, timeout=300)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    # 300: origins 0,100,172 ; 260: 0,100,132 -> 9 tiles per image, two images
    assert summary == dict(images=3, sub_images=18, failed=1)
    assert 'broken.jpg' in res.stderr
    tile = np.asarray(Image.open(dst / 'a_s001.png'))
    assert np.array_equal(tile, img[:128, :128])
    assert (dst / 'sub_g16_s009.png').exists()
    (dst / 'a_s005.png').unlink()  # as if interrupted
    again = json.loads(run_tool(args, timeout=300).stdout.strip().splitlines()[-1])
    assert again['sub_images'] == 1
