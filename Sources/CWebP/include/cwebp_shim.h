// libwebp (+ libwebpdemux) decoding from memory, the way Pillow's WebP plugin reads a file: through
// WebPAnimDecoder in RGBA mode, first frame only, alpha then dropped by the caller (no compositing).
#ifndef CLIPSCOPE_CWEBP_SHIM_H
#define CLIPSCOPE_CWEBP_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // canvas size (VP8X) or bitstream size; set on error when known
    int has_alpha;            // 1 when the file declares alpha
    int has_animation;        // 1 for an animated WebP (only the first frame is decoded)
    int frames;               // frame count (1 for a still image)
    char message[200];        // error text (on -1)
} cs_webp_info;

/// Reads the headers only. 0 on success, -1 on error (message set).
int cs_webp_read_header(const uint8_t *data, size_t size, cs_webp_info *info);

/// Decodes the first frame to 8-bit RGB (width*height*3 bytes): the RGB channels of libwebp's
/// non-premultiplied RGBA canvas, alpha dropped. 0 on success, -1 on error (message set).
int cs_webp_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_webp_info *info);

// Display only (thumbnails): a still WebP decoded straight to out_w x out_h RGB8 by libwebp's scaler
// (alpha dropped; not Pillow-exact). Animated files are refused (-1): the caller decodes frame 1 fully.
int cs_webp_decode_scaled_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                               int out_w, int out_h, cs_webp_info *info);
#endif
