"""PGP-DiffSR's fine rule over both measures: a block goes when Phi *and* Psi are below
their own thresholds (``threshold=dict(cosine=..., kl=...)``); checked against the two
measures' tables applied one by one. And the one-step fallback says so in the log."""
import pytest

from pgpsr.pruning import analyse_redundancy, block_redundancy, prune_step
from pgpsr.pruning.policy import check_stage
from .conftest import build_model, data_batch


@pytest.mark.parametrize('tight', ['cosine', 'kl'])
def test_joint_threshold_removes_exactly_the_blocks_below_both(tight):
    model = build_model()
    table = analyse_redundancy(model, [data_batch()], num_steps=2, seed=7)
    scores = {m: block_redundancy(table, m) for m in ('cosine', 'kl')}
    decoder = [n for n in scores['cosine'] if n.startswith('decoder')]
    # the tight measure lets one decoder block through, the other two: the rule must
    # take the intersection (neither measure alone, nor their union)
    thresholds = {m: sorted(scores[m][n] for n in decoder)[0 if m == tight else 1] + 1e-9
                  for m in scores}
    alone = {m: {n for n in decoder if scores[m][n] < t} for m, t in thresholds.items()}
    expected = alone['cosine'] & alone['kl']
    assert expected != alone['cosine'] | alone['kl']
    stage = dict(parts=['decoder'], threshold=thresholds)
    result = prune_step(model, stage, [data_batch()], 'cosine', num_steps=2, seed=7)
    assert set(result['removed']) == expected
    for n in decoder:  # the recorded score: the larger of the normalised measures
        assert result['scores'][n] == pytest.approx(
            max(scores[m][n] / thresholds[m] for m in scores))


@pytest.mark.parametrize('bad', [dict(), dict(cosine=0.2, l2=1.0), dict(cosine=0.0)])
def test_a_bad_threshold_per_measure_is_refused(bad):
    with pytest.raises(ValueError, match='threshold per measure'):
        check_stage(dict(parts=['decoder'], threshold=bad))


def test_one_step_sampling_says_the_coarse_criterion_falls_back(capsys):
    from mmengine.logging import MMLogger
    MMLogger.get_instance('pgpsr-one-step-test')  # a current logger prints to stdout
    table = analyse_redundancy(build_model(), [data_batch()], num_steps=1)
    block_redundancy(table, 'cosine')
    out = capsys.readouterr().out
    assert out.count('no adjacent steps to compare') == 1 and '(5)' in out
    block_redundancy(analyse_redundancy(build_model(), [data_batch()], num_steps=2))
    assert 'no adjacent steps' not in capsys.readouterr().out
