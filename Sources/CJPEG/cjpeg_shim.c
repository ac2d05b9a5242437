// Placeholder until the imaging work lands: see include/cjpeg_shim.h for the contract.
#include "cjpeg_shim.h"
#include <string.h>
#include <stdio.h>
#include <jpeglib.h>

int cs_jpeg_read_header(const uint8_t *data, size_t size, cs_jpeg_info *info) {
    (void)data; (void)size; memset(info, 0, sizeof *info);
    snprintf(info->message, sizeof info->message, "JPEG decoding not built yet (libjpeg %d)", JPEG_LIB_VERSION);
    return -1;
}
int cs_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size, cs_jpeg_info *info) {
    (void)scale_denom; (void)out; (void)out_size;
    return cs_jpeg_read_header(data, size, info);
}
