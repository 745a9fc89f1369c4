#ifndef VARIANCEKIT_CZLIB_SHIM_H
#define VARIANCEKIT_CZLIB_SHIM_H
// zlib's inflate and deflate streams (gzip and raw deflate). Imported only by VarianceKit's
// Files/GzipStream.swift.
#include <zlib.h>
#endif
