// giflib decoding from memory: the first frame, as Pillow's `Image.open(f).convert("RGB")` gives it.
#ifndef CLIPSCOPE_CGIF_SHIM_H
#define CLIPSCOPE_CGIF_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // canvas: the logical screen, grown to hold the first frame (as Pillow)
    uint32_t frame_width, frame_height;
    int interlaced;           // first frame interlaced
    int transparent_index;    // -1 when the first frame has no transparency
    int hit_eof;              // 1 when the data ended early
    char message[200];        // error text (on -1)
} cs_gif_info;

/// Reads up to the first image descriptor. 0 on success, -1 on error (message set).
int cs_gif_read_header(const uint8_t *data, size_t size, cs_gif_info *info);

/// Decodes the first frame to 8-bit RGB (width*height*3 bytes). The canvas starts filled with the
/// transparency index (or index 0), the frame is drawn at its offset (de-interlaced), and every
/// index maps through the frame's colour table (local, else global; none or an identity grey ramp:
/// the index is the grey level; an index past the table: black). Transparency is dropped, not
/// composited. 0 on success, -1 on error (message set).
int cs_gif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_gif_info *info);
#endif
