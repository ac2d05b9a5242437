// libheif decoding from memory: the primary image of a HEIF/HEIC file, as pillow-heif's
// `Image.open(f).convert("RGB")` gives it (transformations applied, alpha dropped, HDR to 8 bits).
#ifndef CLIPSCOPE_CHEIF_SHIM_H
#define CLIPSCOPE_CHEIF_SHIM_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t width, height;   // primary image after its transformations (irot/imir/clap); set on error when known
    int has_alpha;            // 1 when the primary image has an alpha plane
    int bit_depth;            // luma bits per pixel (8, 10, 12)
    int images;               // top-level images in the file (only the primary is decoded)
    int truncated;            // 1 when libheif reports that the data ends early
    char message[200];        // error text (on -1)
} cs_heif_info;

/// Parses the boxes only (no pixel is decoded). 0 on success, -1 on error (message set).
int cs_heif_read_header(const uint8_t *data, size_t size, cs_heif_info *info);

/// Decodes the primary image to 8-bit RGB (width*height*3 bytes): libheif's interleaved RGB(A) with
/// the file's transformations applied, 10/12-bit converted to 8 bits by libheif, alpha dropped
/// without compositing. Single-threaded. 0 on success, -1 on error (message set).
int cs_heif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_heif_info *info);

/// Previews only. Among the primary image's embedded thumbnails that are scaled copies of it (aspect
/// within 2 %: |tw·ph − th·pw| ≤ th·pw / 50) and at least min_w × min_h, the smallest by area:
/// returns its index (0…) with its size in info->width/height; -1 when there is none (or on error).
int cs_heif_thumbnail_for(const uint8_t *data, size_t size, uint32_t min_w, uint32_t min_h, cs_heif_info *info);

/// Decodes thumbnail `index` (from cs_heif_thumbnail_for) to 8-bit RGB like cs_heif_decode_rgb8;
/// info->width/height: the thumbnail's size. 0 on success, -1 on error (message set).
int cs_heif_decode_thumbnail_rgb8(const uint8_t *data, size_t size, int index, uint8_t *out, size_t out_size, cs_heif_info *info);
#endif
