#ifndef CJKSEARCH_CZLIB_SHIM_H
#define CJKSEARCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
