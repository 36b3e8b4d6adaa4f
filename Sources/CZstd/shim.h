#ifndef CJKSEARCH_CZSTD_SHIM_H
#define CJKSEARCH_CZSTD_SHIM_H
#include <zstd.h>
/* For ZDICT_trainFromBuffer_fastCover (exported by libzstd.so; declared only under this macro). */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#endif
