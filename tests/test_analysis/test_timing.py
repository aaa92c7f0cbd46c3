"""The one timing loop and report schema of benchmark.py, pretrained_step.py and
adcsr_real_size.py: calls alternate round by round, ratios are to the reference."""
from pgpsr.analysis.timing import add_ratios, side_by_side


def test_calls_alternate_after_the_warm_up_and_the_peak():
    order = []
    calls = {k: (lambda k=k: order.append(k)) for k in ('a', 'b')}
    out = side_by_side(calls, 'cpu', repeats=3, warmup=1, peak=['a'])
    assert order == ['a', 'b', 'a'] + ['a', 'b'] * 3  # warm-up, a's peak, round-robin
    assert set(out['a']) == {'latency', 'peak_mem_mib'} and set(out['b']) == {'latency'}
    lat = out['b']['latency']
    assert lat['runs'] == 3 and 0 <= lat['min_s'] <= lat['median_s'] <= lat['max_s']
    assert side_by_side(calls, 'cpu', repeats=0, warmup=0, peak=[]) == dict(a={}, b={})


def test_ratios_are_to_the_reference_latency_by_its_median():
    ref = dict(params=4, macs=0, latency=dict(median_s=2.0), peak_mem_mib=8.0)
    row = dict(params=1, macs=5, latency=dict(median_s=0.5), extra=3)
    add_ratios([ref, row], ref)
    assert ref['ratio'] == dict(params=1.0, latency=1.0, peak_mem_mib=1.0)
    assert row['ratio'] == dict(params=0.25, latency=0.25)  # no zero or missing reference
    add_ratios([row], dict(params=3), keys=['params'])
    assert row['ratio'] == dict(params=0.3333)
