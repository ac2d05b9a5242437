// libavif decoding from memory, the way Pillow's AVIF plugin reads a file: the first image,
// libavif's YUV → 8-bit RGB(A) conversion with its defaults, alpha then dropped by the caller.
// The file's irot/imir/clap are not applied (Pillow reports them as an EXIF orientation only).
#ifndef CLIPSCOPE_CAVIF_SHIM_H
#define CLIPSCOPE_CAVIF_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // first image; set on error when known
    int has_alpha;            // 1 when the file has an alpha plane
    int depth;                // bits per sample (8, 10, 12)
    int frames;               // image count (1 for a still image)
    int truncated;            // 1 when libavif reports that the data ends early
    char message[200];        // error text (on -1)
} cs_avif_info;

/// Parses the container only (no pixel is decoded). 0 on success, -1 on error (message set).
int cs_avif_read_header(const uint8_t *data, size_t size, cs_avif_info *info);

/// Decodes the first image to 8-bit RGB (width*height*3 bytes), single-threaded.
/// 0 on success, -1 on error (message set).
int cs_avif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_avif_info *info);
#endif
