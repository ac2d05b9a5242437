// libtiff decoding from memory: the first page, as Pillow's `Image.open(f).convert("RGB")` gives it.
#ifndef CLIPSCOPE_CTIFF_SHIM_H
#define CLIPSCOPE_CTIFF_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // first page; set on error when known
    int bits, samples, photometric, compression, tiled, planar;
    char message[200];        // error text (on -1)
} cs_tiff_info;

/// Reads the first directory. 0 on success, -1 on error (message set).
int cs_tiff_read_header(const uint8_t *data, size_t size, cs_tiff_info *info);

/// Decodes the first page to 8-bit RGB (width*height*3 bytes). Strips or tiles, contiguous samples,
/// any codec libtiff has; 1/2/4/8/16-bit unsigned samples: grey (min-is-black or min-is-white,
/// sub-byte levels scaled to 0..255), RGB, palette (colour map >> 8), YCbCr-in-JPEG (converted to RGB
/// by libjpeg). Extra samples (alpha) are dropped; 16-bit samples keep their high byte.
/// 0 on success, -1 on error (message set).
int cs_tiff_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_tiff_info *info);
#endif
