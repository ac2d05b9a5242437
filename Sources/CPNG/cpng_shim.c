// Placeholder until the imaging work lands: see include/cpng_shim.h for the contract.
#include "cpng_shim.h"
#include <string.h>
#include <stdio.h>
#include <png.h>

int cs_png_read_header(const uint8_t *data, size_t size, cs_png_info *info) {
    (void)data; (void)size; memset(info, 0, sizeof *info);
    snprintf(info->message, sizeof info->message, "PNG decoding not built yet (libpng %s)", PNG_LIBPNG_VER_STRING);
    return -1;
}
int cs_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_png_info *info) {
    (void)out; (void)out_size;
    return cs_png_read_header(data, size, info);
}
