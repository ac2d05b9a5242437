// libpng decoding from memory with setjmp/longjmp error handling (libpng's default aborts).
#ifndef CLIPSCOPE_CPNG_SHIM_H
#define CLIPSCOPE_CPNG_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // from IHDR (also set on error when IHDR was read)
    int bit_depth;            // 1, 2, 4, 8, 16 as stored
    int color_type;           // PNG colour type: 0 gray, 2 rgb, 3 palette, 4 gray+alpha, 6 rgba
    int interlaced;           // 1 for Adam7
    int has_trns;             // 1 when a tRNS chunk is present
    int warnings;             // libpng warnings (e.g. damaged data after the image)
    int hit_eof;              // 1 when the data ended before libpng had what it needed
    char message[200];        // error text (on -1)
    char warning[200];        // first warning text (when warnings > 0)
} cs_png_info;

/// Reads the signature and the chunks before the first IDAT. Returns 0 on success, -1 on error.
int cs_png_read_header(const uint8_t *data, size_t size, cs_png_info *info);

/// Decodes to 8-bit RGB (width*height*3 bytes): palette expanded, tRNS/alpha dropped (no
/// compositing), gray replicated, 16-bit samples reduced to their high byte (v >> 8) for gray
/// and colour alike, sub-byte gray scaled to 0..255 (1-bit: 0/255; 2-bit: ×85; 4-bit: ×17),
/// Adam7 de-interlaced. Any CRC error is fatal. Returns 0 on success, -1 on error (message set).
int cs_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_png_info *info);

/// Row by row (non-interlaced PNGs only; an interlaced one is an error): decodes every row into one
/// RGB8 row buffer and calls fn(context, y, row) for y in [first_row, end_row), in increasing y. The
/// row is valid only during the call; fn must not call libpng. 0 on success, -1 on error (info set).
typedef void (*cs_png_row_fn)(void *context, uint32_t y, const uint8_t *row);
int cs_png_decode_rows(const uint8_t *data, size_t size, uint32_t first_row, uint32_t end_row,
                       cs_png_row_fn fn, void *context, cs_png_info *info);
#endif
