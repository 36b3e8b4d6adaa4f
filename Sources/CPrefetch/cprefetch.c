// The functions are static inline in include/cprefetch.h; SwiftPM needs one source file.
#include "cprefetch.h"
