#define _GNU_SOURCE
#include "CKernels.h"

#if defined(__linux__)
#include <sched.h>
#include <string.h>

int vk_current_cpu(void) { return sched_getcpu(); }

size_t vk_affinity_mask_size(void) { return sizeof(cpu_set_t); }

int vk_leave_cpu(int cpu, void *saved) {
    if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getcpu() != cpu) return 0;
    cpu_set_t current;
    if (sched_getaffinity(0, sizeof current, &current) != 0) return 0;
    cpu_set_t elsewhere = current;
    CPU_CLR(cpu, &elsewhere);
    if (CPU_COUNT(&elsewhere) == 0) return 0;
    if (sched_setaffinity(0, sizeof elsewhere, &elsewhere) != 0) return 0;
    memcpy(saved, &current, sizeof current);
    return 1;
}

void vk_restore_affinity(const void *saved) {
    cpu_set_t mask;
    memcpy(&mask, saved, sizeof mask);
    sched_setaffinity(0, sizeof mask, &mask);
}

int vk_allowed_cpu_count(void) {
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0) return 0;
    return CPU_COUNT(&mask);
}

#else

int vk_allowed_cpu_count(void) { return 0; }
int vk_current_cpu(void) { return -1; }
size_t vk_affinity_mask_size(void) { return 1; }
int vk_leave_cpu(int cpu, void *saved) { (void)cpu; (void)saved; return 0; }
void vk_restore_affinity(const void *saved) { (void)saved; }

#endif
