"""Checkpoint and weight converters: released OSEDiff / AdcSR files to what pgpsr's
configs load, and training checkpoints stripped to what inference needs. Nothing is
imported here, so stripping a checkpoint does not pull in diffusers or the models."""
