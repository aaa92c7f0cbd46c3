"""tools/misc/encode_prompt.py on tiny SD-layout folders with real transformers CLIP
encoders and tokenizers (saved with save_pretrained), offline; the file drives the UNet."""
import pytest
import torch
from safetensors.torch import load_file, save_file

from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS
from .helpers import run_tool


def test_sd21_prompt_file_conditions_the_unet(tmp_path):
    folder = tmp_path / 'sd21'
    save_tiny_pipeline('sd21', str(folder), text_encoders=True)
    out = tmp_path / 'p.safetensors'
    res = run_tool(['tools/misc/encode_prompt.py', str(folder), '--prompt', 'a cat',
                    '--out', str(out)])
    assert res.returncode == 0, res.stderr[-3000:]
    t = load_file(str(out))
    assert list(t) == ['prompt_embeds'] and t['prompt_embeds'].shape == (1, 8, 24)
    res2 = run_tool(['tools/misc/encode_prompt.py', str(folder), '--prompt', 'a dog',
                     '--out', str(tmp_path / 'q.safetensors')])
    assert res2.returncode == 0
    assert not torch.equal(t['prompt_embeds'], load_file(str(tmp_path / 'q.safetensors'))[
        'prompt_embeds'])
    bb = MODELS.build(dict(type='DiffusersUNetDenoiser', pretrained=str(folder),
                           subfolder='unet', prompt_embeds=str(out)))
    assert torch.equal(bb.prompt_embeds, t['prompt_embeds'])


def test_sdxl_gets_both_encoders_pooled_and_time_ids(tmp_path):
    folder = tmp_path / 'sdxl'
    save_tiny_pipeline('sdxl', str(folder), text_encoders=True)  # 12 + 20 wide, pooled 32
    out = tmp_path / 'p.safetensors'
    res = run_tool(['tools/misc/encode_prompt.py', str(folder), '--prompt', 'a cat',
                    '--out', str(out), '--size', '512', '768'])
    assert res.returncode == 0, res.stderr[-3000:]
    t = load_file(str(out))
    assert t['prompt_embeds'].shape == (1, 8, 32)  # 12 + 20: SDXL's cross_attention_dim
    assert t['pooled_prompt_embeds'].shape == (1, 32)  # the UNet's pooled width
    assert t['time_ids'].tolist() == [[512, 768, 0, 0, 512, 768]]
    told, null = (MODELS.build(dict(type='DiffusersUNetDenoiser', pretrained=str(folder),
                                    subfolder='unet', conditioning='input', prompt_embeds=p))
                  for p in (str(out), None))
    x, ts = torch.randn(1, 4, 8, 8), torch.tensor([20])
    with torch.no_grad():
        assert (told(x, ts) - null(x, ts)).abs().max() > 1e-4
    bad = {k: v for k, v in t.items()}
    bad['pooled_prompt_embeds'] = torch.zeros(1, 7)
    save_file(bad, str(tmp_path / 'bad.safetensors'))
    with pytest.raises(ValueError, match='pooled embedding is 7 wide'):
        MODELS.build(dict(type='DiffusersUNetDenoiser', pretrained=str(folder),
                          subfolder='unet', prompt_embeds=str(tmp_path / 'bad.safetensors')))


def test_missing_text_encoder_is_named(tmp_path):
    res = run_tool(['tools/misc/encode_prompt.py', str(tmp_path), '--prompt', 'x', '--out',
                    str(tmp_path / 'p.safetensors')])
    assert res.returncode != 0 and 'text_encoder' in res.stderr
