// libjpeg(-turbo) decoding from memory with an error manager that longjmps back, so a corrupt
// file becomes an error code (and message) instead of libjpeg's default exit(). Warnings
// (e.g. a file cut short: "Premature end of JPEG file") are counted, not fatal.
// Decoding uses libjpeg's defaults (JDCT_ISLOW, fancy upsampling), which is what Pillow does,
// so the samples are bit-identical to Pillow's for the same libjpeg-turbo.
#ifndef CLIPSCOPE_CJPEG_SHIM_H
#define CLIPSCOPE_CJPEG_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int width, height;        // image size from the frame header (full scale)
    int output_width;         // output size after scale_denom (set by cs_jpeg_read_header for its
    int output_height;        //   scale_denom argument, and by the decode calls)
    int components;           // output components: 3 for RGB, 1 for grayscale, 4 for CMYK (stored samples)
    int color_space;          // 1 gray, 2 rgb/ycbcr, 4 cmyk/ycck (jpeg_color_space of the file); 0 other
    int adobe_inverted;       // 1 when an Adobe APP14 marker is present with CMYK (samples stored inverted)
    int progressive;          // 1 for progressive files
    int warnings;             // libjpeg warnings seen (partial/corrupt data)
    int hit_eof;              // 1 when the data ended early (libjpeg padded the rest)
    int orientation;          // EXIF orientation 1..8 from APP1 (0 when absent or invalid)
    char message[200];        // error text (on -1)
    char warning[200];        // first warning text (when warnings > 0)
} cs_jpeg_info;

/// Reads the header only: size, colour space, EXIF orientation; output size for scale_denom
/// (1, 2, 4 or 8). Returns 0 on success, -1 on error (message set; width/height are still set
/// when the frame header was read before the error).
int cs_jpeg_read_header(const uint8_t *data, size_t size, int scale_denom, cs_jpeg_info *info);

/// Decodes the raw output samples into `out` (output_width*output_height*components bytes).
/// scale_denom is 1, 2, 4 or 8 (libjpeg's DCT scaling, for previews).
/// Returns 0 on success (warnings counted in info), -1 on error (message set).
int cs_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                   cs_jpeg_info *info);

/// Decodes to 8-bit RGB (output_width*output_height*3 bytes) the way Pillow's convert("RGB") does:
/// gray replicated; CMYK (Adobe-inverted samples un-inverted first) via
/// nk = 255 - K, R = nk - MULDIV255(C, nk) with MULDIV255(a, b) = ((t >> 8) + t) >> 8, t = a*b + 128.
int cs_jpeg_decode_rgb8(const uint8_t *data, size_t size, int scale_denom, uint8_t *out, size_t out_size,
                        cs_jpeg_info *info);

/// Like cs_jpeg_decode_rgb8 at full scale, row by row: decodes every scanline into a one-row RGB8
/// buffer and calls fn(context, y, row) for y in [first_row, end_row), in increasing y (the other rows
/// are read and dropped, so truncation anywhere still sets hit_eof). The row is valid only during the
/// call; fn must not call libjpeg. 0 on success, -1 on error (info set).
typedef void (*cs_jpeg_row_fn)(void *context, uint32_t y, const uint8_t *row);
int cs_jpeg_decode_rows(const uint8_t *data, size_t size, uint32_t first_row, uint32_t end_row,
                        cs_jpeg_row_fn fn, void *context, cs_jpeg_info *info);

/// EXIF orientation (1..8) from a TIFF structure (the bytes after "Exif\0\0"); 0 when absent.
int cs_exif_orientation(const uint8_t *tiff, size_t size);
#endif
