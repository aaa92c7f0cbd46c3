"""Measured results go into the metafiles: the right model, every LR kind, rounded as the
README prints them; other models and keys are left alone."""
import yaml

from pgpsr.analysis.metafiles import update_metafiles

REPORT = dict(
    models=[dict(name='parent', config='checkpoints/pgp_dit_s1_x4.py', checkpoint='x.pth')],
    quality={kind: dict(photo_set='photos', images=[{}] * 21, mean=dict(
        parent=dict(psnr_y=p, ssim_y=0.81234, niqe=6.456)))
        for kind, p in (('bicubic', 28.123), ('realesrgan', 24.5))},
    benchmark=dict(lr_size=[64, 64], device='cpu', torch_threads=2, precision='fp32',
                   models=[dict(model='parent', params=1_460_000, macs=8.63e9,
                                latency=dict(median_s=0.3314), peak_mem_mib=4.2)]))


def test_results_and_measured_metadata_are_replaced(tmp_path):
    meta = tmp_path / 'metafile.yml'
    meta.write_text(yaml.safe_dump(dict(Models=[
        dict(Name='pgp_dit_s1_x4', Config='c.py', Metadata=dict(Parameters='old', Note='kept'),
             Results=[dict(Metrics={'PSNR-Y': 1.0})]),
        dict(Name='other', Config='o.py', Results=[])])))
    assert update_metafiles(REPORT, [str(meta)]) == ['pgp_dit_s1_x4']
    models = yaml.safe_load(meta.read_text())['Models']
    res = models[0]['Results']
    assert [r['Metrics']['PSNR-Y'] for r in res] == [28.12, 24.5]
    assert res[0]['Metrics']['SSIM-Y'] == 0.8123 and res[0]['Dataset'].startswith('photos')
    assert models[0]['Metadata']['Parameters'] == '1.46M' and models[0]['Metadata']['Note'] == 'kept'
    assert any('0.331 s' in str(v) for v in models[0]['Metadata'].values())
    assert models[1] == dict(Name='other', Config='o.py', Results=[])
