"""Architectures of the pretrained models pgpsr compresses, as diffusers config dicts.

The real-size ones equal the ``config.json`` of the released folders (SD2.1-base ``unet/``,
SDXL-base-1.0 ``unet/``, DiT-XL/2-256 ``transformer/``, SD's ``vae/``, SD2.1's
``text_encoder/``) so that params, MACs and memory can
be measured without the weights (random init, or the meta device); the tiny ones have the
same block structure at a few channels, for tests and CPU smoke runs.
"""
SD21_UNET = dict(
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
    down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D',
                      'CrossAttnDownBlock2D', 'DownBlock2D'),
    up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D',
                    'CrossAttnUpBlock2D'),
    block_out_channels=(320, 640, 1280, 1280), attention_head_dim=(5, 10, 20, 20),
    cross_attention_dim=1024, use_linear_projection=True, norm_num_groups=32)

SDXL_UNET = dict(
    sample_size=128, in_channels=4, out_channels=4, layers_per_block=2,
    down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'),
    up_block_types=('CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'),
    block_out_channels=(320, 640, 1280), attention_head_dim=(5, 10, 20),
    transformer_layers_per_block=(1, 2, 10), cross_attention_dim=2048,
    use_linear_projection=True, addition_embed_type='text_time',
    addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816,
    norm_num_groups=32)

SD_VAE = dict(  # SD1.x/2.x's AutoencoderKL (vae/config.json), f=8, 4 latent channels
    in_channels=3, out_channels=3, latent_channels=4, sample_size=512,
    down_block_types=('DownEncoderBlock2D',) * 4, up_block_types=('UpDecoderBlock2D',) * 4,
    block_out_channels=(128, 256, 512, 512), layers_per_block=2, norm_num_groups=32,
    scaling_factor=0.18215)

SD21_TEXT_ENCODER = dict(  # SD2.1's text_encoder/config.json (OpenCLIP ViT-H/14 text tower)
    vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_hidden_layers=23,
    num_attention_heads=16, max_position_embeddings=77, hidden_act='gelu',
    projection_dim=512)

DIT_XL_2 = dict(
    num_attention_heads=16, attention_head_dim=72, in_channels=4, out_channels=8,
    num_layers=28, patch_size=2, sample_size=32, norm_type='ada_norm_zero',
    num_embeds_ada_norm=1000, activation_fn='gelu-approximate', upcast_attention=False,
    norm_elementwise_affine=False)

TINY_SD21_UNET = dict(
    SD21_UNET, sample_size=16, block_out_channels=(32, 64), attention_head_dim=(2, 4),
    down_block_types=('CrossAttnDownBlock2D', 'DownBlock2D'),
    up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D'), cross_attention_dim=24,
    norm_num_groups=8)

TINY_SDXL_UNET = dict(
    SDXL_UNET, sample_size=16, block_out_channels=(16, 32, 64), attention_head_dim=(2, 4, 8),
    transformer_layers_per_block=(1, 2, 3), cross_attention_dim=32,
    addition_time_embed_dim=8, projection_class_embeddings_input_dim=32 + 6 * 8,
    norm_num_groups=8)

TINY_DIT = dict(DIT_XL_2, num_attention_heads=2, attention_head_dim=16, num_layers=4,
                sample_size=8, num_embeds_ada_norm=10)
