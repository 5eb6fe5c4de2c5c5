/*
 * A stand-in for libnvidia-ml.so.1 exporting the NVML calls mlcloud-smoke makes, with
 * the signatures of NVML's public nvml.h. It describes two fake GPUs so that the
 * inventory code can be tested on machines without NVIDIA hardware.
 *
 * Built by tests/server/gpu_fakes.rs; -DFAKE_INIT_FAILS makes nvmlInit_v2 fail the way
 * it does when the kernel driver is not loaded.
 */
#include <stdio.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct fake_device *nvmlDevice_t;
typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

struct fake_device {
    const char *name;
    const char *uuid;
    unsigned long long total;
    unsigned long long used;
};

static struct fake_device devices[2] = {
    {"Fake GPU 80GB", "GPU-00000000-1111-2222-3333-444444444444", 85899345920ULL, 1048576ULL},
    {"Fake GPU 24GB", "GPU-55555555-6666-7777-8888-999999999999", 25769803776ULL, 0ULL},
};
static int initialised = 0;

enum { SUCCESS = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, INSUFFICIENT_SIZE = 7,
       DRIVER_NOT_LOADED = 9 };

nvmlReturn_t nvmlInit_v2(void) {
#ifdef FAKE_INIT_FAILS
    return DRIVER_NOT_LOADED;
#else
    initialised = 1;
    return SUCCESS;
#endif
}

nvmlReturn_t nvmlShutdown(void) {
    if (!initialised) return UNINITIALIZED;
    initialised = 0;
    return SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case SUCCESS: return "Success";
    case UNINITIALIZED: return "Uninitialized";
    case DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

static nvmlReturn_t copy_string(const char *value, char *buffer, unsigned int length) {
    if (buffer == NULL) return INVALID_ARGUMENT;
    if (strlen(value) + 1 > length) return INSUFFICIENT_SIZE;
    strcpy(buffer, value);
    return SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    if (!initialised) return UNINITIALIZED;
    return copy_string("999.99.01", version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialised) return UNINITIALIZED;
    if (count == NULL) return INVALID_ARGUMENT;
    *count = 2;
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialised) return UNINITIALIZED;
    if (index >= 2 || device == NULL) return INVALID_ARGUMENT;
    *device = &devices[index];
    return SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    if (!initialised) return UNINITIALIZED;
    return copy_string(device->name, name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    if (!initialised) return UNINITIALIZED;
    return copy_string(device->uuid, uuid, length);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    if (!initialised) return UNINITIALIZED;
    if (memory == NULL) return INVALID_ARGUMENT;
    memory->total = device->total;
    memory->used = device->used;
    memory->free = device->total - device->used;
    return SUCCESS;
}
