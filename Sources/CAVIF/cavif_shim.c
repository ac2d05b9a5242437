// libavif from memory, with Pillow's decoder settings: 'clap' validation and the 'pixi' requirement
// relaxed, image 0 through avifDecoderNthImage, avifImageYUVToRGB at depth 8 into RGB or RGBA.
#include "cavif_shim.h"
#include <avif/avif.h>
#include <stdio.h>
#include <string.h>

static void set_error(cs_avif_info *info, avifResult r, const avifDecoder *dec, const char *what) {
    if (r == AVIF_RESULT_TRUNCATED_DATA) info->truncated = 1;
    const char *detail = dec != NULL && dec->diag.error[0] ? dec->diag.error : "";
    snprintf(info->message, sizeof info->message, "%s: %s%s%s", what, avifResultToString(r), detail[0] ? ": " : "", detail);
}

static avifDecoder *open_decoder(const uint8_t *data, size_t size, cs_avif_info *info) {
    memset(info, 0, sizeof *info);
    avifDecoder *dec = avifDecoderCreate();
    if (dec == NULL) {
        snprintf(info->message, sizeof info->message, "cannot allocate a libavif decoder");
        return NULL;
    }
    dec->maxThreads = 1;
    dec->ignoreExif = AVIF_TRUE;
    dec->ignoreXMP = AVIF_TRUE;
    dec->strictFlags &= ~(avifStrictFlags)AVIF_STRICT_CLAP_VALID;
    dec->strictFlags &= ~(avifStrictFlags)AVIF_STRICT_PIXI_REQUIRED;
    avifResult r = avifDecoderSetIOMemory(dec, data, size);
    if (r == AVIF_RESULT_OK) r = avifDecoderParse(dec);
    if (r != AVIF_RESULT_OK) {
        set_error(info, r, dec, "cannot read the AVIF container");
        avifDecoderDestroy(dec);
        return NULL;
    }
    info->width = dec->image->width;
    info->height = dec->image->height;
    info->has_alpha = dec->alphaPresent ? 1 : 0;
    info->depth = (int)dec->image->depth;
    info->frames = dec->imageCount;
    if (info->width == 0 || info->height == 0) {
        snprintf(info->message, sizeof info->message, "image has no size (%ux%u)", info->width, info->height);
        avifDecoderDestroy(dec);
        return NULL;
    }
    return dec;
}

int cs_avif_read_header(const uint8_t *data, size_t size, cs_avif_info *info) {
    avifDecoder *dec = open_decoder(data, size, info);
    if (dec == NULL) return -1;
    avifDecoderDestroy(dec);
    return 0;
}

int cs_avif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_avif_info *info) {
    avifDecoder *dec = open_decoder(data, size, info);
    if (dec == NULL) return -1;
    size_t w = info->width, h = info->height;
    int status = -1;
    avifRGBImage rgb;
    memset(&rgb, 0, sizeof rgb);
    if (out == NULL || out_size / 3 / w < h) {
        snprintf(info->message, sizeof info->message, "output buffer too small");
        goto done;
    }
    avifResult r = avifDecoderNthImage(dec, 0);
    if (r != AVIF_RESULT_OK) {
        set_error(info, r, dec, "cannot decode the first AVIF image");
        goto done;
    }
    if (dec->image->width != w || dec->image->height != h) {
        snprintf(info->message, sizeof info->message, "decoded image is %ux%u, not the %zux%zu the header gives",
                 dec->image->width, dec->image->height, w, h);
        goto done;
    }
    avifRGBImageSetDefaults(&rgb, dec->image);
    rgb.depth = 8;
    rgb.format = dec->alphaPresent ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB;
    avifRGBImageAllocatePixels(&rgb);
    if (rgb.pixels == NULL) {
        snprintf(info->message, sizeof info->message, "cannot allocate the RGB image");
        goto done;
    }
    r = avifImageYUVToRGB(dec->image, &rgb);
    if (r != AVIF_RESULT_OK) {
        set_error(info, r, dec, "YUV to RGB conversion failed");
        goto done;
    }
    size_t bpp = dec->alphaPresent ? 4 : 3;
    for (size_t y = 0; y < h; y++) {
        const uint8_t *row = rgb.pixels + y * rgb.rowBytes;
        uint8_t *dst = out + y * w * 3;
        for (size_t x = 0; x < w; x++) {
            dst[3 * x] = row[bpp * x];
            dst[3 * x + 1] = row[bpp * x + 1];
            dst[3 * x + 2] = row[bpp * x + 2];
        }
    }
    status = 0;
done:
    if (rgb.pixels) avifRGBImageFreePixels(&rgb);
    avifDecoderDestroy(dec);
    return status;
}
