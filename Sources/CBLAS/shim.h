#ifndef VARIANCEKIT_CBLAS_SHIM_H
#define VARIANCEKIT_CBLAS_SHIM_H
// OpenBLAS's CBLAS interface (plus openblas_set_num_threads, openblas_get_corename, ...)
// and the C interface to LAPACK. Imported only by VarianceKit's BLAS/ and LAPACK/ files.
#include <cblas.h>
#include <lapacke.h>
#endif
