// The small kernels are static inline in include/ckernels.h; here is the bit unpacking (one
// dispatch on the width, then a loop with the width a constant), and the write-back hint.
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE   // sync_file_range
#endif
#include "ckernels.h"
#if defined(__linux__)
#include <fcntl.h>
#endif
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cjk_unpack_u32 reads little-endian words"
#endif

/// One group of 8 values of `bits` bits: exactly `bits` bytes from `p`, read by 8-byte loads that
/// reach (7 * bits) / 8 + 8 bytes from `p`. Every shift is a constant once `bits` is. With
/// `sum` (a constant too), each value is a gap: the output is the running total of gap + 1,
/// carried in 64 bits in *running (and truncated to 32 bits in the output).
static inline __attribute__((always_inline))
void unpack_group(const uint8_t *p, uint32_t *o, uint32_t addend, const int bits, const int sum, int64_t *running) {
    const uint64_t mask = bits == 32 ? 0xFFFFFFFFull : ((1ull << bits) - 1);
    int64_t r = sum ? *running : 0;
#pragma clang loop unroll(full)
    for (int j = 0; j < 8; j++) {
        const int off = j * bits;
        uint64_t w;
        memcpy(&w, p + off / 8, 8);
        uint64_t v = (w >> (off % 8)) & mask;
        if (sum) {
            r += (int64_t)v + 1;
            o[j] = (uint32_t)r;
        } else {
            o[j] = (uint32_t)v + addend;
        }
    }
    if (sum) *running = r;
}

/// Whole groups whose loads stay inside the `available` bytes (at least the packed ones; the
/// bytes after them, when the caller knows they are readable) are read in place; a partial last
/// group, and groups whose loads would pass the end, are read from a zero-padded copy (or in
/// place when the bytes are there) and only their `m` values kept.
static inline __attribute__((always_inline))
void unpack_fixed(const uint8_t *src, long count, uint32_t *dst, uint32_t addend, const int bits,
                  const int sum, int64_t *running, long available) {
    const long total = (count * bits + 7) / 8;
    const long reach = (7 * bits) / 8 + 8;
    if (available < total) available = total;
    long groups = count / 8;
    if (available < reach) groups = 0;
    else if (groups > (available - reach) / bits + 1) groups = (available - reach) / bits + 1;
    for (long g = 0; g < groups; g++) unpack_group(src + g * bits, dst + g * 8, addend, bits, sum, running);
    for (long g = groups; g * 8 < count; g++) {
        long start = g * bits;
        const uint8_t *p = src + start;
        uint8_t buf[48];
        if (start + reach > available) {
            long n = total - start;
            memset(buf, 0, sizeof buf);   // reach is at most 36 bytes
            memcpy(buf, src + start, n < 40 ? n : 40);
            p = buf;
        }
        uint32_t values[8];
        long m = count - g * 8;
        if (m > 8) m = 8;
        // Raw values first: what lies past the last one must not enter a running total.
        unpack_group(p, values, sum ? 0 : addend, bits, 0, 0);
        int64_t r = sum ? *running : 0;
        for (long j = 0; j < m; j++) {
            if (sum) {
                r += (int64_t)values[j] + 1;
                dst[g * 8 + j] = (uint32_t)r;
            } else {
                dst[g * 8 + j] = values[j];
            }
        }
        if (sum) *running = r;
    }
}

#define CJK_WIDTH_CASES(call)                                                               \
    call(1) call(2) call(3) call(4) call(5) call(6) call(7) call(8)                         \
    call(9) call(10) call(11) call(12) call(13) call(14) call(15) call(16)                  \
    call(17) call(18) call(19) call(20) call(21) call(22) call(23) call(24)                 \
    call(25) call(26) call(27) call(28) call(29) call(30) call(31) call(32)

#define CJK_UNPACK_CASE(n) case n: unpack_fixed(src, count, dst, addend, n, 0, 0, available); return;

void cjk_unpack_u32(const uint8_t *src, long count, int bits, uint32_t *dst, uint32_t addend, long available) {
    switch (bits) {
    case 0:
        for (long i = 0; i < count; i++) dst[i] = addend;
        return;
    CJK_WIDTH_CASES(CJK_UNPACK_CASE)
    default:
        __builtin_trap();   // callers check bits <= 32
    }
}

#define CJK_DOCS_CASE(n) case n: unpack_fixed(src, count, dst, 0, n, 1, &running, available); return running;

int64_t cjk_unpack_docs(const uint8_t *src, long count, int bits, uint32_t *dst, int64_t previous, long available) {
    int64_t running = previous;
    switch (bits) {
    case 0:
        for (long i = 0; i < count; i++) dst[i] = (uint32_t)++running;
        return running;
    CJK_WIDTH_CASES(CJK_DOCS_CASE)
    default:
        __builtin_trap();   // callers check bits <= 32
    }
}

int cjk_start_writeback(int fd) {
#if defined(__linux__)
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    return 0;
#endif
}
