"""train_to_completion's start: an interrupted run resumes from its own latest
checkpoint, never from the checkpoint it was started from (mmengine's load_or_resume
resumes from load_from when both are set)."""
from pgpsr.apis.training import start_settings


def test_a_fresh_run_loads_its_start_checkpoint(tmp_path):
    assert start_settings(str(tmp_path), 'parent.pth') == (False, 'parent.pth')
    assert start_settings(str(tmp_path), None) == (False, None)


def test_an_interrupted_run_resumes_from_its_latest_checkpoint_not_the_parent(tmp_path):
    (tmp_path / 'iter_100.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_100.pth'))
    assert start_settings(str(tmp_path), 'parent.pth') == (True, None)
