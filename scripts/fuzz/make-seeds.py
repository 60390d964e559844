#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs into scripts/fuzz/corpus/ (committed; rerun only to change them).

nifti/labels-3d.nii.gz  the 6x5x4 int32 label volume of the tests' three-region atlas (labels 0-3), gzip
nifti/series-4d.nii     a 6x5x4x2 float32 series holding 0, 1, ..., 239 in file order, plain
companions/*            a BOLD sidecar, an events table, .bval/.bvec rows and a BIDS file name
"""
import gzip
import os
import struct

import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def nifti1(values, datatype, bitpix):
    """A NIfTI-1 one-file image (n+1): 348-byte header, 4 zero extension bytes, voxels in file order."""
    header = bytearray(348)
    dims = list(values.shape)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, len(dims), *(dims + [1] * (7 - len(dims))))
    struct.pack_into("<hh", header, 70, datatype, bitpix)
    struct.pack_into("<8f", header, 76, 1, 2, 2, 2, 2, 1, 1, 1)
    struct.pack_into("<ff", header, 108, 352.0, 1.0)          # vox_offset, scl_slope
    header[123] = 10                                             # xyzt_units: mm, s
    struct.pack_into("<hh", header, 252, 0, 2)                   # qform_code, sform_code
    for row, entries in enumerate([[2, 0, 0, -10], [0, 2, 0, -20], [0, 0, 2, -8]]):
        struct.pack_into("<4f", header, 280 + 16 * row, *entries)
    header[344:348] = b"n+1\0"
    return bytes(header) + b"\0\0\0\0" + values.tobytes(order="F")


labels = np.zeros((6, 5, 4), np.int32)
for i in range(6):
    for j in range(5):
        labels[i, j, :] = 1 if i < 2 else 2 if i < 4 else (3 if j < 3 else 0)
series = np.arange(240, dtype=np.float32).reshape((6, 5, 4, 2), order="F")

os.makedirs(os.path.join(here, "nifti"), exist_ok=True)
os.makedirs(os.path.join(here, "companions"), exist_ok=True)
with open(os.path.join(here, "nifti", "labels-3d.nii.gz"), "wb") as out:
    out.write(gzip.compress(nifti1(labels, 8, 32), mtime=0))
with open(os.path.join(here, "nifti", "series-4d.nii"), "wb") as out:
    out.write(nifti1(series, 16, 32))
companions = {
    "sidecar.json": '{"TaskName": "rest", "RepetitionTime": 2.0, "VolumeTiming": [0, 2, 4], "NumberOfVolumes": 3, "Units": "SUVR"}\n',
    "events.tsv": "onset\tduration\ttrial_type\n0\t2\tblink\n4.5\tn/a\tblink\n",
    "dwi.bval": "0 1000 2000\n",
    "dwi.bvec": "1 0 0\n0 1 0\n0 0 1\n",
    "name.txt": "sub-01_ses-a_task-rest_run-1_bold.nii.gz",
}
for name, text in companions.items():
    with open(os.path.join(here, "companions", name), "w") as out:
        out.write(text)
