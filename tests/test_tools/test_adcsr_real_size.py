"""tools/analysis_tools/adcsr_real_size.py: the real-size table (meta-device counts, the
composed PGP∘AdcSR student included) and the side-by-side CPU timing (here on the tiny
SD2.1 layout, so it takes seconds)."""
import json

from mmengine.registry import init_default_scope

from pgpsr.analysis.adcsr_real_size import time_cpu
from pgpsr.models.pretrained import diffusers_archs as archs
from pgpsr.models.pretrained.tiny_pretrained import TINY_VAE
from .helpers import ROOT, run_tool

CONFIG = f'{ROOT}/configs/adcsr/adcsr_osediff_stage1_x4.py'


def test_tool_writes_the_table_with_the_papers_figures(tmp_path):
    res = run_tool(['tools/analysis_tools/adcsr_real_size.py', '--no-latency', '--out',
                    str(tmp_path)], timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads((tmp_path / 'adcsr_real_size.json').read_text())
    rows = report['counts']['rows']
    text = rows['osediff_with_text_encoder']
    assert text['params'] == rows['osediff']['params'] + report['counts']['text_encoder']['params']
    assert abs(rows['adcsr_student']['ratio']['params'] -
               rows['adcsr_student']['params'] / rows['osediff']['params']) < 1e-4
    assert rows['osediff']['ratio'] == dict(params=1.0, macs=1.0)
    # the composed student (blocks removed, then sliced): issue 37's <= 20% of OSEDiff
    composed = rows['pgp_adcsr_student']
    assert composed['params'] <= 0.2 * rows['osediff']['params']
    assert composed['macs'] < rows['adcsr_student']['macs']
    assert report['counts']['parts']['composed_student_unet'] < \
        report['counts']['parts']['student_unet']
    md = (tmp_path / 'adcsr_real_size.md').read_text()
    assert '| AdcSR student (pgpsr) | 456.1M |' in md and 'params -74%' in md
    assert '| PGP∘AdcSR student (pgpsr) | 172.7M |' in md


def test_cpu_timing_alternates_both_models_and_reports_the_ratio():
    """Peak memory is the extra memory of one SR call: at least the 1x3x128x128 fp32
    image it returns, and far below a GiB for the tiny layout (MiB, not KiB)."""
    init_default_scope('pgpsr')
    out = time_cpu(CONFIG, (32, 32), repeats=2, unet=archs.TINY_SD21_UNET, vae=TINY_VAE)
    sr_mib = 3 * 128 * 128 * 4 / 2 ** 20
    for key in ('osediff', 'adcsr_student'):
        assert out[key]['latency']['runs'] == 2
        assert sr_mib < out[key]['peak_mem_mib'] < 1024, (key, out[key]['peak_mem_mib'])
    want = out['adcsr_student']['latency']['median_s'] / out['osediff']['latency']['median_s']
    assert abs(out['adcsr_student']['ratio']['latency'] - want) < 1e-3
    assert out['osediff']['ratio']['latency'] == 1.0
