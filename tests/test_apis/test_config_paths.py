"""One start-up check lists every missing path of a config at once, with its key and how
to make it (the headline recipe's four prerequisites in one message, not one per run)."""
from mmengine.config import Config

from pgpsr.apis.config_paths import missing_paths
from tests.test_tools.helpers import ROOT, run_tool

HEADLINE = {'model.codec.pretrained', 'load_from', 'train_dataloader.dataset.gt_folder',
            'val_dataloader.dataset.gt_folder', 'val_dataloader.dataset.lq_folder'}


def test_headline_config_names_all_its_prerequisites_at_once():
    cfg = Config.fromfile(f'{ROOT}/configs/pgp_dit_x4.py')
    missing = missing_paths(cfg, ('train_dataloader', 'val_dataloader'))
    assert {m.split(' = ')[0] for m in missing} == HEADLINE, missing
    by_key = {m.split(' = ')[0]: m for m in missing}
    assert 'extract_subimages.py' in by_key['train_dataloader.dataset.gt_folder']
    assert 'tools/train.py' in by_key['load_from']


def test_train_tool_stops_before_building_with_the_whole_list():
    res = run_tool(['tools/train.py', 'configs/pgp_dit_x4.py'], timeout=120)
    assert res.returncode != 0
    assert '5 path(s) this config needs do not exist' in res.stderr
    assert all(key in res.stderr for key in HEADLINE)


def test_resume_sentinels_and_on_demand_data_are_not_reported(tmp_path):
    cfg = Config(dict(
        model=dict(decoder_ckpt='from_checkpoint', teacher_ckpt=str(tmp_path)),
        load_from='missing.pth', resume=True,
        train_dataloader=dict(dataset=dict(data_root='data/embedded', gt_folder='train'))))
    assert missing_paths(cfg, ('train_dataloader',), 'data/embedded') == []


def test_a_missing_tiny_parent_is_trained_with_one_process(tmp_path):
    """The tiny CPU configs' parent is trained by tools/train.py, not an 8-GPU launch."""
    cfg = Config(dict(load_from=str(tmp_path / 'none.pth'),
                      parent_config='configs/pgp_diffsr/pgp_sd21unet_unpruned_tiny_x4.py'))
    (line,) = missing_paths(cfg, loaders=())
    assert line.endswith('train configs/pgp_diffsr/pgp_sd21unet_unpruned_tiny_x4.py first '
                         '(tools/train.py configs/pgp_diffsr/pgp_sd21unet_unpruned_tiny_x4.py)')
    assert 'dist_train.sh' not in line
