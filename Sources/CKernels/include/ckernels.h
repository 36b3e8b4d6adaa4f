// Small kernels for hot loops that Swift cannot express: cache prefetch hints (no intrinsic), a
// branch-free binary search (LLVM turns Swift's arithmetic selects back into branches, which a
// search over unpredictable data mispredicts half the time), and bit unpacking specialized for
// each width (constant shifts, unrolled; Swift has no way to stamp out 32 copies of a loop).
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// Hints that the cache line at `p` will be read soon. Never faults, whatever `p` is.
static inline __attribute__((always_inline)) void cjk_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

/// Hints that the cache line at `p` will be written soon.
static inline __attribute__((always_inline)) void cjk_prefetch_write(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

/// The first index in [from, end) whose value is >= target, or end: `values` increase there.
/// The halving selects without branching (conditional moves), so its cost does not depend on
/// where the target falls.
static inline __attribute__((always_inline))
long cjk_lower_bound_u32(const uint32_t *values, long from, long end, uint32_t target) {
    if (from >= end) return end;
    long base = from, length = end - from;
    while (length > 1) {
        long half = length >> 1;
        base = __builtin_unpredictable(values[base + half - 1] < target) ? base + half : base;
        length -= half;
    }
    return base + (values[base] < target);
}

/// Unpacks `count` values of `bits` bits (0...32, low bits first) from `src`, which holds
/// (count * bits + 7) / 8 bytes, adding `addend` to each (wrapping). `available` bytes from `src`
/// may be read (at least the packed ones: more lets the last groups be read in place, the bytes
/// past the values ignored); nothing past them is. Little-endian hosts only (x86-64, AArch64),
/// like the rest of the engine's raw reads.
void cjk_unpack_u32(const uint8_t *src, long count, int bits, uint32_t *dst, uint32_t addend, long available);

/// Unpacks `count` document gaps of `bits` bits like cjk_unpack_u32 (`available` alike) and
/// writes the documents:
/// each is the previous one + gap + 1, starting from `previous`, summed in 64 bits (so nothing
/// wraps; the output keeps the low 32 bits). Returns the last document (or `previous`), which
/// the caller checks against its bounds: the documents increase, so the last is the largest.
int64_t cjk_unpack_docs(const uint8_t *src, long count, int bits, uint32_t *dst, int64_t previous, long available);


/// Starts writing back a file's dirty pages without waiting for them (Linux's sync_file_range
/// with SYNC_FILE_RANGE_WRITE; elsewhere nothing). A hint: durability still needs fsync, which
/// then finds less to write. Returns 0 or -1 with errno.
int cjk_start_writeback(int fd);

#endif
