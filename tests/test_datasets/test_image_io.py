import numpy as np
import pytest
from PIL import Image

from pgpsr.datasets import BadImageError, read_image


def test_grayscale_rgba_16bit_and_palette_are_converted(tmp_path):
    gray = (np.arange(64).reshape(8, 8) * 4).astype(np.uint8)
    Image.fromarray(gray).save(tmp_path / 'g.png')
    d = read_image(str(tmp_path / 'g.png'))
    assert d.rgb.shape == (8, 8, 3) and d.alpha is None and d.bit_depth == 8
    assert np.allclose(d.rgb[..., 0], gray / 255.0) and np.allclose(d.rgb[..., 2], gray / 255.0)

    rgba = np.zeros((6, 5, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 128
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'a.png')
    d = read_image(str(tmp_path / 'a.png'))
    assert d.rgb.shape == (6, 5, 3) and d.alpha.shape == (6, 5)
    assert d.alpha[0, 0] == pytest.approx(128 / 255) and d.rgb[0, 0, 0] == pytest.approx(200 / 255)

    deep = (np.arange(16).reshape(4, 4) * 4000).astype(np.uint16)
    Image.fromarray(deep).save(tmp_path / 'd.png')
    d = read_image(str(tmp_path / 'd.png'))
    assert d.bit_depth == 16 and d.rgb.max() == pytest.approx(60000 / 65535, rel=1e-5)

    Image.fromarray(gray).convert('P').save(tmp_path / 'p.png')
    assert read_image(str(tmp_path / 'p.png')).rgb.shape == (8, 8, 3)


def test_truncation_is_caught_even_when_pillow_was_made_lenient(tmp_path, monkeypatch):
    """pyiqa sets ImageFile.LOAD_TRUNCATED_IMAGES = True when imported (tools/test.py
    --metrics paper imports it): a half JPEG must still be refused, and the flag kept."""
    import skimage.data
    from PIL import ImageFile
    monkeypatch.setattr(ImageFile, 'LOAD_TRUNCATED_IMAGES', True)
    Image.fromarray(skimage.data.astronaut()).save(tmp_path / 'full.jpg', quality=90)
    data = (tmp_path / 'full.jpg').read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) // 2])
    with pytest.raises(BadImageError, match='cut.jpg'):
        read_image(str(tmp_path / 'cut.jpg'))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_truncated_and_non_images_raise_naming_the_file(tmp_path):
    import skimage.data
    Image.fromarray(skimage.data.astronaut()).save(tmp_path / 'full.jpg', quality=90)
    data = (tmp_path / 'full.jpg').read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) // 2])
    with pytest.raises(BadImageError, match='cut.jpg'):
        read_image(str(tmp_path / 'cut.jpg'))
    (tmp_path / 'notes.png').write_text('not an image')
    with pytest.raises(BadImageError, match='notes.png'):
        read_image(str(tmp_path / 'notes.png'))
    with pytest.raises(BadImageError, match='missing.png: file not found'):
        read_image(str(tmp_path / 'missing.png'))


def test_load_transform_cache_returns_same_pixels(tmp_path):
    from pgpsr.registry import TRANSFORMS
    img = np.random.default_rng(0).integers(0, 255, (9, 7, 3), dtype=np.uint8)
    Image.fromarray(img).save(tmp_path / 'x.png')
    load = TRANSFORMS.build(dict(type='LoadSRImage', key='gt', cache=True))
    first = load(dict(gt_path=str(tmp_path / 'x.png')))['gt']
    (tmp_path / 'x.png').unlink()  # served from the cache now
    again = load(dict(gt_path=str(tmp_path / 'x.png')))['gt']
    assert np.array_equal(first, img) and np.array_equal(again, img)
