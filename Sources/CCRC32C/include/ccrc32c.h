// CRC-32C (Castagnoli) with the processor's instruction where there is one (SSE 4.2 on x86-64,
// the CRC extension on AArch64). Swift has no such intrinsic; the table-driven Swift code in
// Store/Checksum.swift is the fallback and the reference the tests compare with.
#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// 1 when cjk_crc32c_hardware can run on this processor, 0 otherwise.
int cjk_crc32c_hardware_available(void);

/// Continues the raw CRC-32C register `crc` (not inverted) over `n` bytes at `p`. Call only when
/// cjk_crc32c_hardware_available() returned 1.
uint32_t cjk_crc32c_hardware(uint32_t crc, const void *p, size_t n);

#endif
