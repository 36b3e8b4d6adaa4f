#include "ccrc32c.h"
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int cjk_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t cjk_crc32c_hardware(uint32_t crc, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        c = _mm_crc32_u64(c, w);
        b += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n > 0) {
        c32 = _mm_crc32_u8(c32, *b);
        b++;
        n--;
    }
    return c32;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <arm_acle.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

int cjk_crc32c_hardware_available(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) ? 1 : 0;
}

__attribute__((target("crc")))
uint32_t cjk_crc32c_hardware(uint32_t crc, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        crc = __crc32cd(crc, w);
        b += 8;
        n -= 8;
    }
    while (n > 0) {
        crc = __crc32cb(crc, *b);
        b++;
        n--;
    }
    return crc;
}

#else

int cjk_crc32c_hardware_available(void) { return 0; }

uint32_t cjk_crc32c_hardware(uint32_t crc, const void *p, size_t n) {
    (void)p; (void)n;
    return crc;
}

#endif
