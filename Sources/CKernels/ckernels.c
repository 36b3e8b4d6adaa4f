// The functions are static inline in include/ckernels.h; SwiftPM needs one source file.
#include "ckernels.h"
