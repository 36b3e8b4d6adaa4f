// Cache prefetch hints for the indexing hot loops (Swift has no prefetch intrinsic).
#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Hints that the cache line at `p` will be read soon. Never faults, whatever `p` is.
static inline __attribute__((always_inline)) void cjk_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

/// Hints that the cache line at `p` will be written soon.
static inline __attribute__((always_inline)) void cjk_prefetch_write(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

#endif
