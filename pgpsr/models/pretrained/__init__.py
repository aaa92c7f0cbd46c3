"""The released pretrained diffusers models pgpsr starts from, as code rather than networks:

- ``diffusers_archs``: their architectures as diffusers config dicts (real-size, to count
  without weights; tiny, for tests and CPU smoke runs);
- ``diffusers_loading``: building a diffusers model from a folder, a weights file or a
  config, offline (used by the diffusers backbones, the VAE codec and AdcSR);
- ``lora_merge``: merging a release's peft LoRA weights into its base layers (OSEDiff);
- ``tiny_pretrained``: tiny pipeline folders in the released layout
  (``tools/misc/make_tiny_pretrained.py``, tests).

None of these is a backbone, codec or editor, and several of those use them, so they live
here rather than in ``backbones/``. File-level weight loading (any model) is
``pgpsr.utils.pretrained``. Nothing is imported here: import the module you need.
"""
