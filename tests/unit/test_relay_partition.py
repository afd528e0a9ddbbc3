"""The relay's partitioner keeps each key's hash, and sends every key where aiokafka's
default (the Java client's murmur2) would: records already on a topic keep their order."""

from aiokafka.partitioner import DefaultPartitioner

from ohts_kit.ids import uuid7
from ohts_kit.relay import partition_of


def test_every_key_goes_to_the_partition_the_default_partitioner_picks() -> None:
    keys = [str(uuid7()).encode() for _ in range(300)] + [b"", b"x", "机构".encode()]
    for count in (1, 3, 12):
        partitions = list(range(count))
        for key in keys * 2:  # the second time from the kept hash
            assert partition_of(key, partitions, partitions) == DefaultPartitioner()(
                key, partitions, partitions
            )


def test_a_record_without_a_key_goes_to_an_available_partition() -> None:
    assert {partition_of(None, [0, 1, 2], [2]) for _ in range(20)} == {2}
