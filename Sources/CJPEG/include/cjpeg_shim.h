// libjpeg(-turbo) decoding from memory with an error manager that longjmps back, so a corrupt
// file becomes an error code (and message) instead of libjpeg's default exit(). Warnings
// (e.g. a file cut short: "Premature end of JPEG file") are counted, not fatal.
#ifndef CLIPSCOPE_CJPEG_SHIM_H
#define CLIPSCOPE_CJPEG_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int width, height;        // output size (after scale_denom)
    int components;           // 3 for RGB output, 1 for grayscale, 4 for CMYK (raw stored samples)
    int color_space;          // 1 gray, 2 rgb/ycbcr, 4 cmyk/ycck (jpeg_color_space of the file)
    int adobe_inverted;       // 1 when an Adobe APP14 marker says CMYK samples are inverted
    int progressive;          // 1 for progressive files
    int warnings;             // libjpeg warnings seen (partial/corrupt data)
    int orientation;          // EXIF orientation 1..8 (0 when absent)
    char message[200];        // last error or warning text
} cs_jpeg_info;

/// Reads the header only: size, colour space. Returns 0 on success, -1 on error (message set).
int cs_jpeg_read_header(const uint8_t *data, size_t size, cs_jpeg_info *info);

/// Decodes into `out` (width*height*components bytes as reported by a header call with the same
/// scale_denom). scale_denom is 1, 2, 4 or 8 (libjpeg's fast DCT scaling, for previews).
/// Returns 0 on success (warnings counted in info), -1 on error (message set).
int cs_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                   cs_jpeg_info *info);
#endif
