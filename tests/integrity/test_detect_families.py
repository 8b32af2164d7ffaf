"""Near-duplicate text and near-identical image families."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from rostra.integrity.detect.families import (
    image_families,
    minhash_signatures,
    near_duplicate_families,
    shingle_hashes,
)


def test_vectorised_minhash_equals_datasketch():
    texts = [["the", "quick", "brown", "fox"], ["jumps", "over"], ["a"] * 9]
    hashes, offsets = shingle_hashes(texts, 2)
    signatures = minhash_signatures(hashes, offsets, 32, seed=1)
    for i in range(len(texts)):
        reference = MinHash(num_perm=32, seed=1, scheme="affine32", hashfunc=int)
        reference.update_batch(hashes[offsets[i]:offsets[i + 1]].tolist())
        assert np.array_equal(signatures[i], reference.hashvalues)


def test_variants_of_one_template_share_a_family_and_other_texts_do_not():
    base = "the council will vote on the new harbour plan next tuesday evening".split()
    variants = [base[:i] + [f"word{i}"] + base[i + 1:] for i in range(0, 12, 2)]
    other = "completely different sentence about cats and gardens in spring".split()
    labels = near_duplicate_families(variants + [other], 0.5, 64, 1)
    assert len(set(labels[:-1].tolist())) == 1
    assert labels[-1] != labels[0]


def test_images_within_the_distance_are_one_family():
    base = bytes(range(32))
    near = bytearray(base)
    near[0] ^= 0b111  # three bits
    far = bytearray(base)
    for i in range(10):
        far[i] ^= 1  # ten bits
    labels = image_families([base.hex(), bytes(near).hex(), bytes(far).hex()], 6)
    assert labels[0] == labels[1] != labels[2]


def test_more_processes_find_the_same_clusters():
    from rostra.integrity.detect.engine import clusters_to_json, detect
    from rostra.integrity.detect.synthetic import generate_world

    world = generate_world(50_000, seed=3)
    one = clusters_to_json(detect(world.messages, processes=1))
    two = clusters_to_json(detect(world.messages, processes=2))
    assert one and one == two
