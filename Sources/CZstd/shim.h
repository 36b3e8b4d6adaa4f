#ifndef CJKSEARCH_CZSTD_SHIM_H
#define CJKSEARCH_CZSTD_SHIM_H
#include <zstd.h>
#endif
