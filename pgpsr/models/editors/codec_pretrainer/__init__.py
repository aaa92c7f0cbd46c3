from .codec_pretrainer import CodecPretrainer

__all__ = ['CodecPretrainer']
