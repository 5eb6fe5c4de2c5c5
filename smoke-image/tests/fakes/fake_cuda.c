/*
 * A stand-in for libcuda.so.1 exporting the CUDA driver API calls of mlcloud-smoke's
 * GPU check, with the signatures of the public cuda.h. "Device memory" is host memory,
 * so the check's logic (call order, sizes, comparison) can be tested without a GPU.
 *
 * Built by tests/server/gpu_fakes.rs; -DFAKE_CORRUPT_COPY flips a bit in every
 * device-to-device copy, as faulty memory would, and the check must notice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct fake_context *CUcontext;
typedef unsigned long long CUdeviceptr;

enum { SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3,
       INVALID_CONTEXT = 201 };

struct fake_context { int retained; };
static struct fake_context primary = {0};
static CUcontext current = NULL;
static int initialised = 0;
static int live_allocations = 0;

CUresult cuInit(unsigned int flags) {
    if (flags != 0) return INVALID_VALUE;
    initialised = 1;
    return SUCCESS;
}

CUresult cuGetErrorName(CUresult error, const char **name) {
    switch (error) {
    case SUCCESS: *name = "CUDA_SUCCESS"; return SUCCESS;
    case INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; return SUCCESS;
    case OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return SUCCESS;
    case NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; return SUCCESS;
    case INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; return SUCCESS;
    default: return INVALID_VALUE;
    }
}

CUresult cuDriverGetVersion(int *version) { *version = 12040; return SUCCESS; }

CUresult cuDeviceGetCount(int *count) {
    if (!initialised) return NOT_INITIALIZED;
    *count = 1;
    return SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    if (!initialised) return NOT_INITIALIZED;
    if (ordinal != 0) return INVALID_VALUE;
    *device = 0;
    return SUCCESS;
}

CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
    const char *fake = "Fake CUDA Device";
    if (device != 0 || length < (int)strlen(fake) + 1) return INVALID_VALUE;
    strcpy(name, fake);
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
    if (!initialised) return NOT_INITIALIZED;
    if (device != 0) return INVALID_VALUE;
    primary.retained++;
    *context = &primary;
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    if (device != 0 || primary.retained == 0) return INVALID_VALUE;
    primary.retained--;
    return SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context) { current = context; return SUCCESS; }

CUresult cuCtxSynchronize(void) { return current ? SUCCESS : INVALID_CONTEXT; }

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
    if (!current) return INVALID_CONTEXT;
    void *memory = malloc(bytes);
    if (!memory) return OUT_OF_MEMORY;
    live_allocations++;
    *pointer = (CUdeviceptr)(uintptr_t)memory;
    return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    if (!current) return INVALID_CONTEXT;
    free((void *)(uintptr_t)pointer);
    live_allocations--;
    return SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source, size_t bytes) {
    if (!current) return INVALID_CONTEXT;
    memcpy((void *)(uintptr_t)destination, source, bytes);
    return SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes) {
    if (!current) return INVALID_CONTEXT;
    memcpy(destination, (const void *)(uintptr_t)source, bytes);
    return SUCCESS;
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr destination, CUdeviceptr source, size_t bytes) {
    if (!current) return INVALID_CONTEXT;
    memcpy((void *)(uintptr_t)destination, (const void *)(uintptr_t)source, bytes);
#ifdef FAKE_CORRUPT_COPY
    ((unsigned char *)(uintptr_t)destination)[bytes / 2] ^= 0x10;
#endif
    return SUCCESS;
}

CUresult cuMemsetD32_v2(CUdeviceptr destination, unsigned int value, size_t words) {
    if (!current) return INVALID_CONTEXT;
    uint32_t *memory = (uint32_t *)(uintptr_t)destination;
    for (size_t i = 0; i < words; i++) memory[i] = value;
    return SUCCESS;
}

/* Test hook: lets the test prove the check freed what it allocated and released the context. */
int fake_cuda_leaks(void) { return live_allocations + primary.retained + (current != NULL); }
