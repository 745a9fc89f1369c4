#ifndef CHEAPINFO_H
#define CHEAPINFO_H

#include <stddef.h>

/// Bytes of malloc's blocks in use (glibc `mallinfo2`: `uordblks + hblkhd`); 0 without glibc.
size_t vk_heap_in_use_bytes(void);

#endif
