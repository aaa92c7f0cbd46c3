"""Build the real-photo SR set (data/photos) from free Debian packages.

    python tools/dataset_converters/debian_photos.py [--out data/photos]
    python tools/dataset_converters/debian_photos.py --packages-dir DIR   # already unpacked

Downloads (apt-get download, no root needed) and unpacks the packages named in
pgpsr/datasets/photo_packages.py, then writes train/ (GT crops of the Lomiri wallpaper
photos), heldout/ (opencv-doc's classic photos, never trained on) and manifest.json (each
file's package, version, source and licence). Reruns reuse what is already downloaded.
"""
import argparse
import os.path as osp
from collections import Counter

from pgpsr.datasets.photo_packages import SOURCES, build_photo_set, fetch_packages


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='data/photos')
    p.add_argument('--packages-dir', default=None,
                   help='folder with <package>/ trees already unpacked (skips apt-get)')
    p.add_argument('--crops-per-photo', type=int, default=24)
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    versions = None
    pkg_root = args.packages_dir
    if pkg_root is None:
        cache = osp.join(args.out, 'packages')
        versions = fetch_packages(list(SOURCES), cache)
        pkg_root = osp.join(cache, 'pkgs')
    manifest = build_photo_set(pkg_root, args.out, versions,
                               crops_per_photo=args.crops_per_photo, seed=args.seed)
    counts = Counter(e['file'].split('/')[0] for e in manifest['files'])
    print(f"wrote {dict(counts)} images and {osp.join(args.out, 'manifest.json')}")


if __name__ == '__main__':
    main()
