"""AdcSR's released weights + a local SD2.1-base folder -> the teacher as a diffusers folder
and the student as a pgpsr checkpoint, for configs/adcsr/adcsr_release_x4.py.

    python tools/model_converters/adcsr_to_pgpsr.py --sd21 pretrained/stable-diffusion-2-1-base \
        --osediff pretrained/osediff.pkl --decoder pretrained/halfDecoder.ckpt \
        --student pretrained/net_params_200.pkl --out pretrained/adcsr_release

Writes OUT/osediff/{unet,vae} and OUT/adcsr_student.pth; then
    python tools/infer.py configs/adcsr/adcsr_release_x4.py --input LR/ --output SR/
"""
import argparse
import json
import sys

from pgpsr.converters.adcsr_conversion import convert_adcsr


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sd21', required=True, help='local SD2.1-base folder (unet/, vae/)')
    p.add_argument('--osediff', required=True, help="the release's osediff.pkl")
    p.add_argument('--decoder', required=True, help="the release's halfDecoder.ckpt")
    p.add_argument('--student', required=True, help="the release's net_params_200.pkl")
    p.add_argument('--out', required=True)
    args = p.parse_args(argv)
    try:
        teacher, student = convert_adcsr(args.sd21, args.osediff, args.decoder,
                                         args.student, args.out)
    except (FileNotFoundError, KeyError, RuntimeError) as exc:
        sys.exit(f'cannot convert: {exc}')
    print(json.dumps(dict(teacher=teacher, student=student), indent=1))


if __name__ == '__main__':
    main()
