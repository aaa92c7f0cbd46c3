"""The null prompt of DiffusersUNetDenoiser is what the diffusers pipeline feeds the UNet
for an empty prompt: CLIP's encoding of '' (SD1/2), zeros only for SDXL's
force_zeros_for_empty_prompt or a folder without text encoder; tiny real CLIP encoders."""
import json
import logging
import os.path as osp
import shutil
from typing import List

import pytest
import torch
from mmengine.logging import MMLogger
from safetensors.torch import save_file

from pgpsr.models.backbones import prompt_embeddings
from pgpsr.models.pretrained.tiny_pretrained import save_tiny_pipeline
from pgpsr.registry import MODELS


def build(**kw):
    return MODELS.build(dict(type='DiffusersUNetDenoiser', conditioning='input', **kw))


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def logged():
    """Messages sent to mmengine's current logger (it does not propagate to caplog)."""
    logger, handler = MMLogger.get_current_instance(), _Records()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


@pytest.fixture
def encodings(monkeypatch):
    """Counts the runs of the text encoder(s) behind the null prompt."""
    calls = []
    real = prompt_embeddings.encode_prompt

    def counted(folder, prompt):
        calls.append((folder, prompt))
        return real(folder, prompt)
    monkeypatch.setattr(prompt_embeddings, 'encode_prompt', counted)
    return calls


def clip_of_empty_prompt(folder: str) -> torch.Tensor:
    """The oracle, with transformers alone: as StableDiffusionPipeline encodes ''."""
    from transformers import CLIPTextModel, CLIPTokenizer
    tok = CLIPTokenizer.from_pretrained(osp.join(folder, 'tokenizer'))
    enc = CLIPTextModel.from_pretrained(osp.join(folder, 'text_encoder')).eval()
    ids = tok('', padding='max_length', max_length=tok.model_max_length,
              return_tensors='pt').input_ids
    with torch.no_grad():
        return enc(ids).last_hidden_state


def test_sd21_null_prompt_is_clip_of_empty_string(tmp_path, logged, encodings):
    folder = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'), text_encoders=True)
    want = clip_of_empty_prompt(folder)
    bb = build(pretrained=folder, subfolder='unet')
    assert want.shape == (1, 8, 24) and want.abs().mean() > 0.1  # not zeros
    assert torch.allclose(bb.prompt_embeds, want, atol=1e-6)
    assert f"null prompt: {folder}/text_encoder applied to ''" in '\n'.join(logged)
    # pretrained naming the unet/ folder itself: the pipeline is its parent; CLIP ran once
    direct = build(pretrained=osp.join(folder, 'unet'))
    assert torch.allclose(direct.prompt_embeds, want, atol=1e-6)
    assert encodings == [(folder, '')]
    x, t = torch.randn(1, 4, 8, 8), torch.tensor([999])
    with torch.no_grad():  # the UNet sees it: not what zeros give
        null = bb(x, t)
        bb.prompt_embeds.zero_()
        assert (null - bb(x, t)).abs().max() > 1e-4


def test_without_text_encoder_the_null_prompt_is_zeros_and_says_why(tmp_path, logged):
    folder = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'), text_encoders=True)
    assert build(pretrained=folder, subfolder='unet').prompt_embeds.any()
    shutil.rmtree(osp.join(folder, 'text_encoder'))
    logged.clear()
    bb = build(pretrained=folder, subfolder='unet')
    assert bb.prompt_embeds.shape == (1, 77, 24) and not bb.prompt_embeds.any()
    assert len(logged) == 1
    assert 'null prompt = zeros' in logged[0] and 'has no text_encoder/' in logged[0]
    assert 'tools/misc/encode_prompt.py' in logged[0]
    logged.clear()
    random = build(config=osp.join(folder, 'unet', 'config.json'))  # no pipeline folder
    assert not random.prompt_embeds.any() and 'no pipeline folder' in logged[0]


def sdxl_pipeline(folder: str, force_zeros: bool):
    """diffusers' own SDXL pipeline over the tiny parts: the oracle of its encoding."""
    from diffusers import (AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline,
                           UNet2DConditionModel)
    from transformers import CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer
    sub = lambda s: osp.join(folder, s)  # noqa: E731
    return StableDiffusionXLPipeline(
        vae=AutoencoderKL.from_pretrained(sub('vae')),
        text_encoder=CLIPTextModel.from_pretrained(sub('text_encoder')),
        text_encoder_2=CLIPTextModelWithProjection.from_pretrained(sub('text_encoder_2')),
        tokenizer=CLIPTokenizer.from_pretrained(sub('tokenizer')),
        tokenizer_2=CLIPTokenizer.from_pretrained(sub('tokenizer_2')),
        unet=UNet2DConditionModel.from_pretrained(sub('unet')),
        scheduler=EulerDiscreteScheduler(), force_zeros_for_empty_prompt=force_zeros,
        add_watermarker=False)


# model_index.json's force_zeros_for_empty_prompt: true, false, no key, no file (the last
# two: SDXL's default, true)
@pytest.mark.parametrize('force_zeros', [True, False, 'no key', None])
def test_sdxl_null_prompt_is_the_pipelines(tmp_path, logged, force_zeros):
    folder = save_tiny_pipeline('sdxl', str(tmp_path / 'sdxl'), text_encoders=True)
    if force_zeros is not None:
        index = dict(_class_name='StableDiffusionXLPipeline')
        if isinstance(force_zeros, bool):
            index['force_zeros_for_empty_prompt'] = force_zeros
        with open(osp.join(folder, 'model_index.json'), 'w') as f:
            json.dump(index, f)
    pipe = sdxl_pipeline(folder, force_zeros is not False)
    with torch.no_grad():  # the unconditional branch: the pipeline's null prompt
        _, want, _, want_pooled = pipe.encode_prompt(
            '', device=torch.device('cpu'), do_classifier_free_guidance=True)
    bb = build(pretrained=folder, subfolder='unet')
    assert bb.time_ids.tolist() == [[1024, 1024, 0, 0, 1024, 1024]]
    assert torch.allclose(bb.pooled_prompt_embeds, want_pooled, atol=1e-6)
    text = '\n'.join(logged)
    if force_zeros is False:
        assert want.abs().mean() > 0.1 and want_pooled.abs().mean() > 0.01
        assert bb.prompt_embeds.shape == want.shape == (1, 8, 32)
        assert torch.allclose(bb.prompt_embeds, want, atol=1e-6)
        assert f"{folder}/text_encoder + {folder}/text_encoder_2 applied to ''" in text
    else:  # zero tokens: their number does not change cross-attention's output
        assert not want.any() and not bb.prompt_embeds.any()
        assert 'null prompt = zeros' in text and 'force_zeros_for_empty_prompt' in text


def test_a_prompt_file_wins_over_the_null_prompt(tmp_path, encodings):
    folder = save_tiny_pipeline('sd21', str(tmp_path / 'sd21'), text_encoders=True)
    f = tmp_path / 'p.safetensors'
    told = torch.randn(1, 5, 24)
    save_file(dict(prompt_embeds=told), str(f))
    bb = build(pretrained=folder, subfolder='unet', prompt_embeds=str(f))
    assert torch.equal(bb.prompt_embeds, told)
    assert encodings == []  # CLIP is not run for a prompt that is not used
