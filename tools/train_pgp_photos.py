"""PGP-DiffSR on the real-photo set, end to end: the exact steps behind
checkpoints/pgp_dit_s1*_x4 (seed 0): the parent, then the PGP recipe for each seed with
the phase-exchange adapter at one site in a 32-channel bottleneck (shipped), at every
decoder position, and without it (the adapter ablation). The photo set is built first if
missing (as `make data` does). Finished runs are reused, an interrupted one resumes.

    python tools/train_pgp_photos.py [--work-dir work_dirs/pgp_photos] [--seeds 0 1 2] \
        [--variants pgp-onesite pgp pgp-noadapter] [--quick] [--data-root data/photos]
"""
import os.path as osp

from pgpsr.apis.training import photo_set_options, recipe_parser, train_to_completion
from pgpsr.converters.checkpoints import strip_checkpoint

C = 'configs/pgp_diffsr/pgp_dit_s1_photos{}_x4.py'


def parse_args(argv=None):
    p = recipe_parser(__doc__.split('\n')[0], 'work_dirs/pgp_photos')
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--variants', nargs='+', default=['pgp-onesite', 'pgp', 'pgp-noadapter'],
                   choices=['pgp', 'pgp-noadapter', 'pgp-onesite'])
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    w = lambda *p: osp.join(args.work_dir, *p)  # noqa: E731
    data = photo_set_options(args.data_root)
    parent = train_to_completion(C.format(''), w('parent'), args.quick, cfg_options=data)
    print(strip_checkpoint(parent, w('pgp_dit_s1_photos_x4.pth')))
    for seed in args.seeds:
        for variant in args.variants:
            run = f'{variant}_seed{seed}'
            ckpt = train_to_completion(
                C.format('-' + variant), w(run), args.quick, w('pgp_dit_s1_photos_x4.pth'),
                {**data, 'randomness.seed': seed, 'model.train_cfg.seed': seed,
                 'train_dataloader.dataset.seed': seed})
            print(strip_checkpoint(ckpt, w(f'pgp_dit_s1_photos-{variant}_x4_seed{seed}.pth')))
    print(f"done: {w('*.pth')}")


if __name__ == '__main__':
    main()
