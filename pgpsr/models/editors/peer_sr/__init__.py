"""Peers to compare with: pretrained feed-forward SR networks converted from ncnn."""
from .ncnn_weights import read_ncnn_convs
from .peer_sr import PeerSR

__all__ = ['PeerSR', 'read_ncnn_convs']
