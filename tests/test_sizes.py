"""The one byte-count formatter: each caller's output as it was (statements: binary limits;
the CLI's purge summary: decimal amounts)."""

from bastion.config.sizes import format_size
from tests.rows import each


@each(("count", "binary", "shown"), [
    (0, False, "0 bytes"), (999, False, "999 bytes"), (1000, False, "1.0 KB"),
    (1500, False, "1.5 KB"), (10**6, False, "1.0 MB"), (2_500_000_000, False, "2.5 GB"),
    (1023, True, "1023 bytes"), (1024, True, "1 KiB"), (2047, True, "1 KiB"),
    (64 * 1024, True, "64 KiB"), (64 * 1024 * 1024, True, "64 MiB"), (5 << 30, True, "5120 MiB"),
])
def test_sizes_are_written_as_each_message_has_always_shown_them(count, binary, shown):
    assert format_size(count, binary=binary) == shown
