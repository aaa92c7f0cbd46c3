"""Config mistakes through the tools, as a user meets them: one line that names the fix,
never a traceback, and never a run that silently ignores what was asked."""
import pytest

from tests.test_tools.helpers import run_tool

TINY = 'configs/pgp_diffsr/pgp_dit_tiny_x4.py'
TOOLS = {'train': ['tools/train.py', TINY],
         'test': ['tools/test.py', TINY, 'missing.pth']}


def _one_line_error(res) -> str:
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert res.returncode != 0 and len(lines) == 1, res.stderr[-3000:]
    assert 'Traceback' not in res.stderr
    return lines[0]


@pytest.mark.parametrize('tool', sorted(TOOLS))
def test_a_config_variable_set_on_the_command_line_is_refused_with_the_keys_to_set(tool):
    """``data_root`` is read while the file is parsed: setting it afterwards trained on
    the bundled photos (exit 0). Now refused, naming every key its value went to."""
    res = run_tool(TOOLS[tool] + ['--cfg-options', 'data_root=/my/photos'], timeout=300)
    line = _one_line_error(res)
    assert "'data_root' is a variable of the config file" in line
    for split in ('train', 'val', 'test'):
        assert f'{split}_dataloader.dataset.data_root=/my/photos' in line


@pytest.mark.parametrize('tool', sorted(TOOLS))
def test_a_config_path_typo_is_one_line(tool):
    args = [TOOLS[tool][0], 'configs/pgp_diffsr/pgp_dit_tny_x4.py'] + TOOLS[tool][2:]
    line = _one_line_error(run_tool(args, timeout=300))
    assert line == 'cannot load the config: config file configs/pgp_diffsr/' \
                   'pgp_dit_tny_x4.py does not exist'


def test_a_key_read_after_parsing_is_still_accepted():
    """The refusal is for variables only: a Runner key set on the command line works."""
    from pgpsr.apis import load_config
    cfg = load_config(TINY, {'train_dataloader.dataset.data_root': '/my/photos',
                             'randomness': dict(seed=3)})
    assert cfg.train_dataloader.dataset.data_root == '/my/photos'
    assert cfg.randomness.seed == 3
