"""The merge sort of libstdc++'s `std::stable_sort`, which `builtins.sort` uses.

With a consistent comparator any stable sort gives the same result, but Nix
code also sorts with comparators that are not strict orders
(`a: b: a <= b`, `a: b: true`), and then the result depends on exactly which
comparisons the algorithm makes. To print the same lists as Nix this module
follows the algorithm of libstdc++ (GCC 11 and later, with its temporary
buffer of half the length):

1. split at `middle = (n + 1) // 2`;
2. sort each half by insertion-sorting runs of 7 and then merging runs
   pairwise, doubling the run length, alternating between the list and a
   buffer;
3. merge the two halves: forwards when the halves have equal length,
   otherwise backwards from the ends.

`less(a, b)` is the comparator; merges take from the second run only when
`less(second, first)`, which keeps equal elements in order.
"""

from __future__ import annotations

from typing import Any, Callable

Less = Callable[[Any, Any], bool]

_CHUNK = 7


def stable_sort(items: list[Any], less: Less) -> list[Any]:
    """A sorted copy of `items`, comparing exactly as libstdc++'s std::stable_sort."""
    a = list(items)
    n = len(a)
    if n < 2:
        return a
    middle = (n + 1) // 2
    buf: list[Any] = [None] * middle
    _merge_sort_with_buffer(a, 0, middle, buf, less)
    _merge_sort_with_buffer(a, middle, n, buf, less)
    if middle <= n - middle:
        buf[:middle] = a[:middle]
        _merge_into(buf, 0, middle, a, middle, n, a, 0, less)
    else:
        tail = a[middle:]
        _merge_backward(a, 0, middle, tail, a, n, less)
    return a


def _insertion_sort(a: list[Any], first: int, last: int, less: Less) -> None:
    for i in range(first + 1, last):
        val = a[i]
        if less(val, a[first]):
            a[first + 1:i + 1] = a[first:i]
            a[first] = val
        else:
            j = i
            while less(val, a[j - 1]):
                a[j] = a[j - 1]
                j -= 1
            a[j] = val


def _merge_sort_with_buffer(a: list[Any], first: int, last: int, buf: list[Any], less: Less) -> None:
    length = last - first
    pos = first
    while last - pos >= _CHUNK:
        _insertion_sort(a, pos, pos + _CHUNK, less)
        pos += _CHUNK
    _insertion_sort(a, pos, last, less)
    step = _CHUNK
    while step < length:
        _merge_sort_loop(a, first, last, buf, 0, step, less)
        step *= 2
        _merge_sort_loop(buf, 0, length, a, first, step, less)
        step *= 2


def _merge_sort_loop(src: list[Any], first: int, last: int, dst: list[Any], out: int, step: int,
                     less: Less) -> None:
    two_step = 2 * step
    while last - first >= two_step:
        out = _merge_into(src, first, first + step, src, first + step, first + two_step, dst, out, less)
        first += two_step
    step = min(last - first, step)
    _merge_into(src, first, first + step, src, first + step, last, dst, out, less)


def _merge_into(s1: list[Any], i: int, end1: int, s2: list[Any], j: int, end2: int,
                dst: list[Any], out: int, less: Less) -> int:
    """Merge s1[i:end1] and s2[j:end2] into dst from `out`; return the end position."""
    while i < end1 and j < end2:
        if less(s2[j], s1[i]):
            dst[out] = s2[j]
            j += 1
        else:
            dst[out] = s1[i]
            i += 1
        out += 1
    rest = s1[i:end1] + s2[j:end2]
    dst[out:out + len(rest)] = rest
    return out + len(rest)


def _merge_backward(a: list[Any], first1: int, last1: int, second: list[Any], dst: list[Any], end: int,
                    less: Less) -> None:
    """libstdc++'s __move_merge_adaptive_backward: merge a[first1:last1] and `second` into dst[..end]."""
    if not second:
        return
    i = last1 - 1
    j = len(second) - 1
    out = end
    while True:
        out -= 1
        if less(second[j], a[i]):
            dst[out] = a[i]
            if i == first1:
                dst[out - j - 1:out] = second[:j + 1]
                return
            i -= 1
        else:
            dst[out] = second[j]
            if j == 0:
                return
            j -= 1


__all__ = ["stable_sort"]
