"""PGP∘AdcSR's CPU demo, end to end: the steps behind checkpoints/pgp_adcsr_demo_x4, from
the shipped AdcSR teacher (checkpoints/adcsr_teacher_demo_x4) on the real-photo set
(built first if missing, as `make data` does). Finished steps are reused, an interrupted
one resumes.

    python tools/train_pgp_adcsr_demo.py [--work-dir work_dirs/pgp_adcsr_demo] [--quick] \
        [--data-root data/photos] [--order blocks-first|slice-first]

blocks-first: 1. the block stage, PGP-DiffSR's block removal on the teacher, distilled
from it; 2. AdcSR's stage 1 at the composed decoder width; 3. AdcSR's stage 2 on a student
sliced from step 1's pruned denoiser. slice-first: step 2, then stage 2 on AdcSR's own
student with the same number of blocks removed from it during training. Then the
inference-only copy that checkpoints/ ships.
"""
from pgpsr.apis.training import recipe_parser, recipe_steps
from pgpsr.converters.checkpoints import strip_checkpoint

C = 'configs/pgp_adcsr/'


def parse_args(argv=None):
    p = recipe_parser(__doc__.split('\n')[0], 'work_dirs/pgp_adcsr_demo')
    p.add_argument('--order', choices=['blocks-first', 'slice-first'], default='blocks-first',
                   help='remove blocks from the teacher before slicing (a block stage), or '
                   'from the sliced student during stage 2')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    w, train = recipe_steps(args, C)
    stage1 = train('pgp_adcsr_demo_stage1_x4.py', 'stage1')
    if args.order == 'blocks-first':
        blocks = train('pgp_adcsr_demo_blocks_x4.py', 'blocks')
        stage2 = train('pgp_adcsr_demo_stage2_x4.py', 'stage2', **{
            'model.block_source': blocks, 'model.decoder_ckpt': stage1})
    else:
        stage2 = train('pgp_adcsr_demo_stage2-prune_x4.py', 'stage2-prune', **{
            'model.decoder_ckpt': stage1})
    out = w(f'pgp_adcsr_demo_{args.order}_x4.pth')
    print(strip_checkpoint(stage2, out, keep=['generator.']))
    print(f'done: {out} (config checkpoints/pgp_adcsr_demo_x4.py)')


if __name__ == '__main__':
    main()
